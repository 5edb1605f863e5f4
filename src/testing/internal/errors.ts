/**
 * Belvo's error bodies: always a JSON array of `{code, message, request_id, field?}` items sharing
 * one 32-hex `request_id`, for the documented codes, validation problems and the 428 MFA challenge.
 *
 * @internal
 */
import type * as Sandbox from "../Sandbox.js"
import * as SandboxFault from "../SandboxFault.js"
import type * as SandboxModel from "../SandboxModel.js"
import { json, type Outgoing } from "./exchange.js"

/** One error item before it gets its `request_id`; extra keys are sent as they are. */
export interface ErrorItem {
  readonly code: string
  readonly message: string
  readonly field?: string | undefined
  readonly [extra: string]: unknown
}

/** An error answer. `asObject` (faults only) sends the first item alone, as some servers do. */
export const errors = (
  sandbox: Sandbox.Service,
  status: number,
  items: ReadonlyArray<ErrorItem>,
  options: { readonly headers?: Record<string, string> | undefined; readonly asObject?: boolean } = {}
): Outgoing => {
  const requestId = sandbox.model.hex32()
  const shaped = items.map(({ code, message, field, ...extra }) => ({
    code,
    message,
    request_id: requestId,
    ...(field === undefined ? {} : { field }),
    ...extra
  }))
  return json(status, JSON.stringify(options.asObject === true ? shaped[0] : shaped), options.headers)
}

/** A documented code with its status and message (`extra` may override the message or add a field). */
export const documented = (
  sandbox: Sandbox.Service,
  code: SandboxFault.ErrorCode,
  extra: Partial<ErrorItem> = {},
  headers?: Record<string, string>
): Outgoing =>
  errors(
    sandbox,
    SandboxFault.errorCodes[code].status,
    [{ code, message: SandboxFault.errorCodes[code].message, ...extra }],
    { headers }
  )

/**
 * The 428 `token_required` challenge: the session to resume and the value to answer. Without a
 * session (a scripted fault on a link nobody has) it carries a fresh id and value that resume nothing.
 */
export const challenge = (
  sandbox: Sandbox.Service,
  session: Sandbox.MfaSession | undefined,
  link: string | null,
  message: string = SandboxFault.errorCodes.token_required.message,
  status = 428,
  kind: SandboxModel.MfaKind = "token"
): Outgoing =>
  errors(sandbox, status, [
    {
      code: "token_required",
      message,
      session: session?.session ?? sandbox.model.hex32(),
      expiry: sandbox.settings.mfaExpirySeconds,
      link,
      token_generation_data:
        kind === "confirm"
          ? {
              instructions: "Confirm the access in your bank's app, then continue",
              type: "confirmation",
              expects_user_input: false
            }
          : {
              instructions: "Use this code to generate the token",
              type: "numeric",
              value: session?.value ?? sandbox.model.challengeValue(),
              expects_user_input: true
            }
    }
  ])
