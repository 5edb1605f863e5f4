/**
 * Scripted faults for the sandbox: answer a chosen request with a documented error, a delay, a
 * `Retry-After` header, malformed JSON, a truncated body, a dropped connection, or a `next` URL on
 * another origin.
 *
 * A fault matches requests by `method` and `path` (the URL pathname, exact string or RegExp).
 * Every matching request is counted (from 1, since the fault was added); the fault applies to
 * matching requests number `nth` to `nth + times - 1` (defaults: `nth` 1, `times` 1; `times:
 * Infinity` for every call). When several faults apply, the first added wins; each still counts.
 * Faults apply before authentication, like a gateway in front of the API would.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Codes from "../internal/codes.js"

/**
 * Which requests a fault applies to, and how it shapes the answer around its {@link Response}.
 *
 * @example
 * ```ts
 * import type { SandboxFault } from "effect-belvo/testing"
 *
 * const everyPost: SandboxFault.Match = { method: "POST", times: Infinity, delay: "1 second" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Match {
  readonly method?: string | undefined
  readonly path?: string | RegExp | undefined
  readonly nth?: number | undefined
  readonly times?: number | undefined
  /** Waits this long (with `Effect.sleep`, so `TestClock` drives it) before answering. */
  readonly delay?: Duration.Input | undefined
  /** Adds `Retry-After`: whole seconds, or a `Date` sent as an HTTP date. */
  readonly retryAfter?: number | Date | undefined
  /** Extra response headers. */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/**
 * What the faulty answer is.
 * - `Error`: a JSON array error body `[{code, message, request_id, field?}]` with `status`
 *   (a `token_required` error opens a real MFA session for the request's link when it has one;
 *   `asObject` sends the item alone, not in an array).
 * - `Raw`: any status and body, e.g. a gateway's HTML page.
 * - `MalformedJson`: `status` with a body that is not valid JSON.
 * - `Truncated`: the normal answer, but the body stops halfway while `Content-Length` promises
 *   all of it (real server: the socket is closed; in-process: reading the body fails).
 * - `Drop`: no answer at all (real server: the socket is destroyed; in-process: a transport error).
 * - `ForeignNext`: the normal answer with a list page's `next` moved to `origin`.
 * - `Pass`: the normal answer (use with `delay`, `retryAfter` or `headers`).
 *
 * @example
 * ```ts
 * import type { SandboxFault } from "effect-belvo/testing"
 *
 * const response: SandboxFault.Response = { _tag: "Raw", status: 502, body: "<html/>", contentType: "text/html" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Response =
  | {
      readonly _tag: "Error"
      readonly status: number
      readonly code: string
      readonly message: string
      readonly field?: string | undefined
      /** Send the error as a single object instead of Belvo's array (some servers do). */
      readonly asObject?: boolean | undefined
    }
  | { readonly _tag: "Raw"; readonly status: number; readonly body: string; readonly contentType: string }
  | { readonly _tag: "MalformedJson"; readonly status: number }
  | { readonly _tag: "Truncated" }
  | { readonly _tag: "Drop" }
  | { readonly _tag: "ForeignNext"; readonly origin: string }
  | { readonly _tag: "Pass" }

/**
 * A scripted fault: a {@link Match} plus the {@link Response} to give.
 *
 * @example
 * ```ts
 * import type { SandboxFault } from "effect-belvo/testing"
 *
 * const fault: SandboxFault.Fault = { nth: 2, retryAfter: 1, response: { _tag: "Drop" } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Fault extends Match {
  readonly response: Response
}

/**
 * The documented error codes with their HTTP status and documented message (400, 401, 403, 404,
 * 408, 428 and 500 from Belvo's spec), plus gateway-style codes for 429, 502, 503 and 504, which
 * Belvo does not document for this endpoint but a client meets in practice.
 *
 * @example
 * ```ts
 * import { SandboxFault } from "effect-belvo/testing"
 *
 * console.log(SandboxFault.errorCodes.institution_down.status) // 400
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const errorCodes: {
  readonly [K in Codes.Name]: { readonly status: (typeof Codes.codes)[K]["status"]; readonly message: string }
} = Codes.codes

/**
 * A code of {@link errorCodes}.
 *
 * @example
 * ```ts
 * import type { SandboxFault } from "effect-belvo/testing"
 *
 * const code: SandboxFault.ErrorCode = "institution_down"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type ErrorCode = keyof typeof errorCodes

/**
 * Answers with a documented error code, its status and documented message (both overridable).
 *
 * @example
 * ```ts
 * import { SandboxFault } from "effect-belvo/testing"
 *
 * // The first two POSTs meet a down institution, the third goes through.
 * const fault = SandboxFault.error("institution_down", { method: "POST", times: 2 })
 * console.log(fault.response._tag) // "Error"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const error = (
  code: ErrorCode,
  options: Match & {
    readonly status?: number | undefined
    readonly message?: string | undefined
    readonly field?: string | undefined
    readonly asObject?: boolean | undefined
  } = {}
): Fault => {
  const { status, message, field, asObject, ...match } = options
  return {
    ...match,
    response: {
      _tag: "Error",
      status: status ?? errorCodes[code].status,
      code,
      message: message ?? errorCodes[code].message,
      field,
      asObject
    }
  }
}

/**
 * Answers with an HTTP status and the default code for it (`503` → `service_unavailable`,
 * `429` → `too_many_requests`, `500` → `unexpected_error`, …).
 *
 * @example
 * ```ts
 * import { SandboxFault } from "effect-belvo/testing"
 *
 * const fault = SandboxFault.status(429, { retryAfter: 2, times: Infinity })
 * console.log(fault.retryAfter) // 2
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const status = (
  httpStatus: number,
  options: Match & { readonly message?: string | undefined } = {}
): Fault => error(Codes.defaultFor[httpStatus] ?? "unexpected_error", { ...options, status: httpStatus })

/**
 * Answers with a raw body (for instance an HTML gateway page).
 *
 * @example
 * ```ts
 * import { SandboxFault } from "effect-belvo/testing"
 *
 * const fault = SandboxFault.raw(502, "<html>Bad Gateway</html>", { contentType: "text/html" })
 * console.log(fault.response._tag) // "Raw"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const raw = (
  httpStatus: number,
  body: string,
  options: Match & { readonly contentType?: string | undefined } = {}
): Fault => {
  const { contentType, ...match } = options
  return {
    ...match,
    response: { _tag: "Raw", status: httpStatus, body, contentType: contentType ?? "text/plain" }
  }
}

/**
 * Answers `status` (200 by default) with a JSON content type and a body that does not parse.
 *
 * @example
 * ```ts
 * import { SandboxFault } from "effect-belvo/testing"
 *
 * const fault = SandboxFault.malformedJson({ method: "GET" })
 * console.log(fault.response._tag) // "MalformedJson"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const malformedJson = (options: Match & { readonly status?: number | undefined } = {}): Fault => {
  const { status: httpStatus, ...match } = options
  return { ...match, response: { _tag: "MalformedJson", status: httpStatus ?? 200 } }
}

/**
 * Gives the normal answer with its body cut in half and `Content-Length` promising all of it.
 *
 * @example
 * ```ts
 * import { SandboxFault } from "effect-belvo/testing"
 *
 * const fault = SandboxFault.truncated({ nth: 2 })
 * console.log(fault.nth) // 2
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const truncated = (options: Match = {}): Fault => ({ ...options, response: { _tag: "Truncated" } })

/**
 * Drops the connection without answering.
 *
 * @example
 * ```ts
 * import { SandboxFault } from "effect-belvo/testing"
 *
 * const fault = SandboxFault.drop({ method: "GET", path: "/api/br/balances/" })
 * console.log(fault.response._tag) // "Drop"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const drop = (options: Match = {}): Fault => ({ ...options, response: { _tag: "Drop" } })

/**
 * Gives the normal answer, with a list page's `next` URL moved to another origin (same path and
 * query), to check that a client refuses to send credentials there.
 *
 * @example
 * ```ts
 * import { SandboxFault } from "effect-belvo/testing"
 *
 * const fault = SandboxFault.foreignNext("https://evil.example")
 * console.log(fault.response._tag) // "ForeignNext"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const foreignNext = (origin: string, options: Match = {}): Fault => ({
  ...options,
  response: { _tag: "ForeignNext", origin }
})

/**
 * Gives the normal answer after a delay (`Effect.sleep`: in-process tests drive it with
 * `TestClock.adjust`).
 *
 * @example
 * ```ts
 * import { SandboxFault } from "effect-belvo/testing"
 *
 * const fault = SandboxFault.delay("2 seconds", { times: Infinity })
 * console.log(fault.delay) // "2 seconds"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const delay = (duration: Duration.Input, options: Match = {}): Fault => ({
  ...options,
  delay: duration,
  response: { _tag: "Pass" }
})

/**
 * Whether a request's method and pathname are in a fault's scope (before `nth`/`times` counting).
 *
 * @example
 * ```ts
 * import { SandboxFault } from "effect-belvo/testing"
 *
 * console.log(SandboxFault.inScope(SandboxFault.drop({ method: "GET" }), "POST", "/api/br/balances/")) // false
 * ```
 *
 * @since 0.1.0
 * @category matching
 */
export const inScope = (fault: Match, method: string, pathname: string): boolean =>
  (fault.method === undefined || fault.method.toUpperCase() === method.toUpperCase()) &&
  (fault.path === undefined ||
    (typeof fault.path === "string" ? fault.path === pathname : fault.path.test(pathname)))

/**
 * Whether the `seen`-th request in scope (counting from 1) is one the fault applies to.
 *
 * @example
 * ```ts
 * import { SandboxFault } from "effect-belvo/testing"
 *
 * const fault = SandboxFault.status(503, { nth: 2, times: 2 })
 * console.log([1, 2, 3, 4].map((n) => SandboxFault.appliesTo(fault, n))) // [false, true, true, false]
 * ```
 *
 * @since 0.1.0
 * @category matching
 */
export const appliesTo = (fault: Match, seen: number): boolean => {
  const nth = fault.nth ?? 1
  return seen >= nth && seen < nth + (fault.times ?? 1)
}
