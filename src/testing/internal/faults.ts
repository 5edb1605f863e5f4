/**
 * The fault plan at work: which scripted fault (if any) answers a request, and the faulty answer
 * it gives, around or instead of the API's own. Faults apply before authentication, like a gateway
 * in front of the API.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Sandbox from "../Sandbox.js"
import * as SandboxFault from "../SandboxFault.js"
import { challenge, errors } from "./errors.js"
import { dropped, type Incoming, json, type Outgoing } from "./exchange.js"

/**
 * The fault that answers this request: every fault in scope counts it, the first added whose
 * `nth`/`times` window holds the count wins.
 */
export const choose = (sandbox: Sandbox.Service, request: Incoming): SandboxFault.Fault | undefined => {
  let chosen: SandboxFault.Fault | undefined
  for (const planned of sandbox.faults) {
    if (!SandboxFault.inScope(planned.fault, request.method, request.url.pathname)) continue
    planned.seen++
    if (chosen === undefined && SandboxFault.appliesTo(planned.fault, planned.seen)) chosen = planned.fault
  }
  return chosen
}

/** The link a request is about (POST/PATCH body, else the `link` query parameter), if any. */
const requestLink = (request: Incoming): string | undefined => {
  try {
    const body: unknown = JSON.parse(request.body)
    if (typeof body === "object" && body !== null && "link" in body && typeof body.link === "string") {
      return body.link
    }
  } catch {
    // not JSON: fall back to the query
  }
  return request.url.searchParams.get("link") ?? undefined
}

/** A list page's `next` moved to another origin (same path and query). */
const foreignNext = (out: Outgoing, request: Incoming, origin: string): Outgoing => {
  const own = JSON.stringify(`${request.url.origin}/`).slice(0, -1)
  const foreign = JSON.stringify(`${origin.replace(/\/+$/, "")}/`).slice(0, -1)
  return { ...out, body: out.body.replace(`"next":${own}`, `"next":${foreign}`) }
}

/**
 * The answer `fault` gives: after its delay, its own response, or `normal` (the API's answer, only
 * run when the fault needs it) reshaped; then its extra headers and `Retry-After`.
 */
export const answer = (
  sandbox: Sandbox.Service,
  request: Incoming,
  fault: SandboxFault.Fault,
  normal: Effect.Effect<Outgoing, never, Sandbox.Sandbox>
): Effect.Effect<Outgoing, never, Sandbox.Sandbox> =>
  Effect.gen(function* () {
    if (fault.delay !== undefined) yield* Effect.sleep(fault.delay)
    const response = fault.response
    let out: Outgoing
    switch (response._tag) {
      case "Error": {
        if (response.code === "token_required") {
          // A real session for the request's link when it has one, so the challenge can be resumed.
          const link = requestLink(request)
          const id = link?.toLowerCase()
          const known = id !== undefined && sandbox.model.link(id) !== undefined
          const session = known ? yield* Sandbox.openSession(id) : undefined
          out = challenge(sandbox, session, link ?? null, response.message, response.status)
        } else {
          const item = { code: response.code, message: response.message, field: response.field }
          out = errors(sandbox, response.status, [item], { asObject: response.asObject === true })
        }
        break
      }
      case "Raw":
        out = {
          status: response.status,
          headers: { "content-type": response.contentType },
          body: response.body
        }
        break
      case "MalformedJson":
        out = json(response.status, '[{"code": "unexpected_error", "message": "Belvo is unable to proc')
        break
      case "Drop":
        return dropped
      case "Truncated":
        out = { ...(yield* normal), transport: "truncate" }
        break
      case "ForeignNext":
        out = foreignNext(yield* normal, request, response.origin)
        break
      case "Pass":
        out = yield* normal
        break
    }
    const extra: Record<string, string> = { ...fault.headers }
    if (fault.retryAfter !== undefined) {
      extra["retry-after"] =
        typeof fault.retryAfter === "number"
          ? String(Math.max(0, Math.round(fault.retryAfter)))
          : fault.retryAfter.toUTCString()
    }
    return { ...out, headers: { ...out.headers, ...extra } }
  })
