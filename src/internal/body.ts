/**
 * The body read: a response body as text, never more than the client's byte limit, so a runaway
 * or hostile body cannot exhaust memory. The limit bounds the bytes after any content decoding
 * (fetch inflates gzip, deflate and brotli by itself: a small compressed body may inflate a
 * thousandfold), so only a body sent as is may be measured by its `Content-Length`. A connection
 * that fails mid-body is a transport error.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Stream from "effect/Stream"
import * as BelvoError from "../BelvoError.js"
import { headerRequestId, type Route, transportError } from "./errors.js"

const decoder = new TextDecoder()

const concat = (chunks: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

/** Reads the body, refusing more than `limit` bytes. */
export const read = (
  response: HttpClientResponse.HttpClientResponse,
  limit: number,
  route: Route
): Effect.Effect<string, BelvoError.TransportError | BelvoError.DecodeError> => {
  const encoding = (response.headers["content-encoding"] ?? "").trim().toLowerCase()
  const encoded = encoding !== "" && encoding !== "identity"
  const tooLarge = (size: string) =>
    new BelvoError.DecodeError({
      message: `${route.method} ${route.path} -> ${response.status}: body of ${size}${encoded ? " once decoded" : ""} exceeds the ${limit}-byte limit`,
      status: response.status,
      method: route.method,
      path: route.path,
      request_id: headerRequestId(response.headers),
      reason: encoded ? "body too large after content decoding" : "body too large",
      body: ""
    })
  const failedMidBody = (error: { readonly cause?: unknown }) =>
    transportError(route, error.cause ?? error, "the connection failed mid-body")
  const declared = Number(response.headers["content-length"])
  if (!encoded && Number.isFinite(declared)) {
    if (declared > limit) return Effect.fail(tooLarge(`${declared} bytes`))
    // The client stops at the declared length, so the whole body can be read at once.
    return Effect.mapError(response.text, failedMidBody)
  }
  // No length, or an encoded body: count decoded bytes as they come and stop past the limit.
  const chunks: Array<Uint8Array> = []
  let size = 0
  return response.stream.pipe(
    Stream.mapError(failedMidBody),
    Stream.runForEach((chunk) => {
      size += chunk.length
      if (size > limit) return Effect.fail(tooLarge(`more than ${limit} bytes`))
      chunks.push(chunk)
      return Effect.void
    }),
    Effect.map(() => (chunks.length === 1 ? decoder.decode(chunks[0]) : decoder.decode(concat(chunks, size))))
  )
}
