/**
 * Conversions between @effect/platform's server request/response and the sandbox's plain ones.
 *
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Incoming, Outgoing } from "./api.js"

const encoder = new TextEncoder()

/** The request as the sandbox sees it; the origin comes from the Host header (or an absolute URL). */
export const incoming = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<Incoming> =>
  Effect.gen(function* () {
    const body =
      request.method === "GET" || request.method === "HEAD"
        ? ""
        : yield* Effect.orElseSucceed(request.text, () => "")
    const proto = request.headers["x-forwarded-proto"] === "https" ? "https" : "http"
    let url: URL
    try {
      url = new URL(request.originalUrl)
    } catch {
      url = new URL(request.url, `${proto}://${request.headers.host ?? "127.0.0.1"}`)
    }
    return { method: request.method, url, headers: { ...request.headers }, body }
  })

/**
 * A plain response as a platform response. Transport faults degrade to body failures here (a
 * generic server cannot drop a socket): a dropped connection is a body that fails at once, a
 * truncated one fails halfway after promising the full length.
 */
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
      { status: out.status, headers: { ...headers, "content-length": String(bytes.length) }, contentType }
    )
  }
  return HttpServerResponse.text(out.body, { status: out.status, headers, contentType })
}
