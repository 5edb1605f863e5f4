/**
 * Routing: which handler answers a path and method. An unknown path is 404 before anything else;
 * then the credentials are checked (401); then a method the path does not take is 405 with `Allow`.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Sandbox from "../Sandbox.js"
import { authenticate, unauthenticated } from "./auth.js"
import { detail } from "./detail.js"
import { documented } from "./errors.js"
import type { Incoming, Outgoing } from "./exchange.js"
import { list } from "./list.js"
import { resume, retrieve } from "./retrieve.js"

/** The collection path; a balance is `{COLLECTION}{id}/`. */
export const COLLECTION = "/api/br/balances/"
const DETAIL = /^\/api\/br\/balances\/([^/]+)\/$/

const methodNotAllowed = (sandbox: Sandbox.Service, method: string, allow: string): Outgoing =>
  documented(sandbox, "method_not_allowed", { message: `Method "${method}" not allowed.` }, { allow })

/** A path segment percent-decoded; a malformed escape stays as it is (and matches no id). */
const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** The API's own answer to a request (no faults, no latency). */
export const route = (
  sandbox: Sandbox.Service,
  request: Incoming
): Effect.Effect<Outgoing, never, Sandbox.Sandbox> => {
  const path = request.url.pathname
  const id = DETAIL.exec(path)?.[1]
  if (path !== COLLECTION && id === undefined) return Effect.succeed(documented(sandbox, "not_found"))
  const secret = authenticate(sandbox.model, request.headers.authorization)
  if (secret === undefined) return Effect.succeed(unauthenticated(sandbox))
  const method = request.method.toUpperCase()
  if (id !== undefined) {
    return Effect.succeed(
      method === "GET"
        ? detail(sandbox, secret, request, decodeSegment(id))
        : methodNotAllowed(sandbox, method, "GET")
    )
  }
  switch (method) {
    case "GET":
      return list(sandbox, secret, request)
    case "POST":
      return retrieve(sandbox, secret, request)
    case "PATCH":
      return resume(sandbox, secret, request)
    default:
      return Effect.succeed(methodNotAllowed(sandbox, method, "GET, POST, PATCH"))
  }
}
