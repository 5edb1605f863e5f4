/**
 * Reading a JSON request body the way Django REST framework does: 415 for another media type, 400
 * for JSON that does not parse or is not an object, and per-field checks that report `required`,
 * `null`, `blank` or `invalid` with the field's name.
 *
 * @internal
 */
import type * as Sandbox from "../Sandbox.js"
import { documented, type ErrorItem } from "./errors.js"
import type { Incoming, Outgoing } from "./exchange.js"

/** A parsed body: a JSON object. */
export type Body = Readonly<Record<string, unknown>>

/** The body as a JSON object, or the error answer that refuses it. */
export const parse = (
  sandbox: Sandbox.Service,
  request: Incoming
): { readonly ok: true; readonly body: Body } | { readonly ok: false; readonly refused: Outgoing } => {
  const type = request.headers["content-type"] ?? ""
  if (!/^application\/json\b/i.test(type.trim())) {
    const message = `Unsupported media type "${type}" in request.`
    return { ok: false, refused: documented(sandbox, "unsupported_media_type", { message }) }
  }
  let body: unknown
  try {
    body = JSON.parse(request.body)
  } catch (cause) {
    const message = `JSON parse error - ${cause instanceof Error ? cause.message : String(cause)}`
    return { ok: false, refused: documented(sandbox, "invalid", { message }) }
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    const got = Array.isArray(body) ? "list" : body === null ? "null" : typeof body
    const message = `Invalid data. Expected a dictionary, but got ${got}.`
    return { ok: false, refused: documented(sandbox, "invalid", { message, field: "non_field_errors" }) }
  }
  return { ok: true, body: body as Body }
}

/** DRF field validation: missing → required, null → null, "" → blank, else the field's own check. */
export const checkField = (
  body: Body,
  field: string,
  options: {
    readonly required: boolean
    readonly valid: (value: unknown) => boolean
    readonly message: string
  },
  problems: Array<ErrorItem>
): void => {
  if (!(field in body)) {
    if (options.required) problems.push({ code: "required", message: "This field is required.", field })
    return
  }
  const value = body[field]
  if (value === null) problems.push({ code: "null", message: "This field may not be null.", field })
  else if (value === "") problems.push({ code: "blank", message: "This field may not be blank.", field })
  else if (!options.valid(value)) problems.push({ code: "invalid", message: options.message, field })
}
