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
import { excerpt } from "./json.js"

const decoder = new TextDecoder()

/** What a JSON text can start with, after any whitespace. */
const JSON_START = /^\s*(?:[[{"\-0-9tfn]|$)/

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
  // Only fetch decodes by itself; a transport that does not (undici) hands the encoded bytes on,
  // bounded all the same, but unreadable: say so rather than report malformed JSON.
  const stillEncoded = (text: string) =>
    new BelvoError.DecodeError({
      message: `${route.method} ${route.path} -> ${response.status}: the body is still ${encoding}-encoded; the HTTP client did not decode it`,
      status: response.status,
      method: route.method,
      path: route.path,
      request_id: headerRequestId(response.headers),
      reason: `content-encoding ${excerpt(encoding, 40)} not decoded by the HTTP client`,
      body: excerpt(text, 100)
    })
  const decoded = (text: string) =>
    encoded && !JSON_START.test(text) ? Effect.fail(stillEncoded(text)) : Effect.succeed(text)
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
      // An encoded body that does not start like JSON is not going to: stop reading it now.
      if (encoded && size === 0 && !JSON_START.test(decoder.decode(chunk.subarray(0, 64)))) {
        return Effect.fail(stillEncoded(decoder.decode(chunk.subarray(0, 100))))
      }
      size += chunk.length
      if (size > limit) return Effect.fail(tooLarge(`more than ${limit} bytes`))
      chunks.push(chunk)
      return Effect.void
    }),
    Effect.flatMap(() =>
      decoded(chunks.length === 1 ? decoder.decode(chunks[0]) : decoder.decode(concat(chunks, size)))
    )
  )
}
