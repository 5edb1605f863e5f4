/**
 * Authentication: HTTP basic with a secret id and password the model knows, and the 401 that
 * refuses anything else.
 *
 * @internal
 */
import type * as Sandbox from "../Sandbox.js"
import type * as SandboxModel from "../SandboxModel.js"
import { documented } from "./errors.js"
import type { Outgoing } from "./exchange.js"

/** The secret id the `Authorization` header authenticates, if it does. */
export const authenticate = (model: SandboxModel.Model, header: string | undefined): string | undefined => {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "")
  if (match === null) return undefined
  let decoded: string
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(match[1]!), (c) => c.charCodeAt(0))
    )
  } catch {
    return undefined
  }
  const colon = decoded.indexOf(":")
  if (colon < 0) return undefined
  const id = decoded.slice(0, colon)
  return model.authenticate(id, decoded.slice(colon + 1)) ? id : undefined
}

/** 401 `authentication_failed`, with the challenge header a basic-auth server sends. */
export const unauthenticated = (sandbox: Sandbox.Service): Outgoing =>
  documented(sandbox, "authentication_failed", {}, { "www-authenticate": 'Basic realm="api"' })
