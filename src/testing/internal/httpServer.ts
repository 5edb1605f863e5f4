/**
 * The adapter for any `effect/http` server: an `HttpServerRequest` in as an `Incoming`, an
 * `Outgoing` back as an `HttpServerResponse`. A generic server cannot drop a socket, so transport
 * faults become bodies that fail: a dropped connection fails at once, a truncated body fails
 * halfway after promising the full length.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Stream from "effect/Stream"
import type { Incoming, Outgoing } from "./exchange.js"

const encoder = new TextEncoder()

/**
 * The absolute URL of a request. Its origin is what `next`/`previous` links use: the `Host` header
 * (else the request's absolute URL), over `https` when the request came that way or a proxy says
 * so with `X-Forwarded-Proto`.
 */
const absoluteUrl = (request: HttpServerRequest.HttpServerRequest): URL => {
  let original: URL | undefined
  try {
    original = new URL(request.originalUrl)
  } catch {
    original = undefined
  }
  const protocol =
    request.headers["x-forwarded-proto"] === "https" ? "https:" : (original?.protocol ?? "http:")
  const host = request.headers.host ?? original?.host ?? "127.0.0.1"
  const path = request.url.startsWith("/")
    ? request.url
    : `${original?.pathname ?? "/"}${original?.search ?? ""}`
  try {
    return new URL(`${protocol}//${host}${path}`)
  } catch {
    return new URL(path, "http://127.0.0.1")
  }
}

/** The request as the sandbox sees it (an unreadable body is an empty one). */
export const incoming = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<Incoming> =>
  Effect.map(
    request.method === "GET" || request.method === "HEAD"
      ? Effect.succeed("")
      : Effect.orElseSucceed(request.text, () => ""),
    (body) => ({ method: request.method, url: absoluteUrl(request), headers: { ...request.headers }, body })
  )

/** A plain response as a server response; transport faults as failing bodies. */
export const toServerResponse = (out: Outgoing): HttpServerResponse.HttpServerResponse => {
  const { "content-type": contentType, ...headers } = out.headers
  if (out.transport === "drop") {
    return HttpServerResponse.stream(Stream.fail(new Error("sandbox: connection dropped")), { status: 500 })
  }
  if (out.transport === "truncate") {
    const bytes = encoder.encode(out.body)
    return HttpServerResponse.stream(
      Stream.concat(
        Stream.succeed(bytes.subarray(0, bytes.length >> 1)),
        Stream.fail(new Error("sandbox: truncated"))
      ),
      { status: out.status, headers, contentType, contentLength: bytes.length }
    )
  }
  return HttpServerResponse.text(out.body, { status: out.status, headers, contentType })
}
