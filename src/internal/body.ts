/**
 * The body read: a response body as bytes, never more than the client's byte limit, so a runaway
 * or hostile body cannot exhaust memory. The limit bounds the bytes after any content decoding
 * (fetch inflates gzip, deflate and brotli by itself: a small compressed body may inflate a
 * thousandfold), so only a body sent as is may be measured by its `Content-Length`. A connection
 * that fails mid-body is a transport error.
 *
 * A body stays bytes (outside the JavaScript heap) until its text is asked for: a list page waiting
 * for its turn is not a 400 KB string that the collector promotes and copies. Its text is only ever
 * given cleared of the client's own credentials.
 *
 * @internal
 */
import { isAscii } from "node:buffer"
import * as Effect from "effect/Effect"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Stream from "effect/Stream"
import * as BelvoError from "../BelvoError.js"
import { headerRequestId, type Route, transportError } from "./errors.js"
import { excerpt } from "./json.js"

const decoder = new TextDecoder()

/** UTF-8 bytes as text; ASCII (the common JSON body) is copied as it is, which is cheaper. */
const decode = (bytes: Uint8Array): string =>
  isAscii(bytes)
    ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1")
    : decoder.decode(bytes)

/** How many bytes {@link Body.head} decodes: a list page's `count`, `next` and `previous` fit easily. */
const HEAD_BYTES = 4096

/**
 * A body as read, its text cleared of the client's credentials by `redact` whenever it is given.
 * The bytes are let go once the whole text has been made.
 */
export class Body {
  #bytes: Uint8Array | undefined
  #text: string | undefined
  readonly #redact: (text: string) => string

  constructor(bytes: Uint8Array, redact: (text: string) => string) {
    this.#bytes = bytes
    this.#redact = redact
  }

  /** The whole text, decoded on first use. */
  text(): string {
    if (this.#text === undefined) {
      this.#text = this.#redact(decode(this.#bytes!))
      this.#bytes = undefined
    }
    return this.#text
  }

  /**
   * The text of the body's first few kilobytes (the whole text once made): enough to read what
   * comes before a page's results without decoding the rest. A character cut at the end is
   * replaced; what a reader takes from the head must end well before.
   */
  head(): string {
    if (this.#text !== undefined || this.#bytes!.length <= HEAD_BYTES) return this.text()
    return this.#redact(decoder.decode(this.#bytes!.subarray(0, HEAD_BYTES)))
  }
}

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

/** Reads the body, refusing more than `limit` bytes; its text is given through `redact`. */
export const read = (
  response: HttpClientResponse.HttpClientResponse,
  limit: number,
  route: Route,
  redact: (text: string) => string
): Effect.Effect<Body, BelvoError.TransportError | BelvoError.DecodeError> => {
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
  const stillEncoded = (bytes: Uint8Array) =>
    new BelvoError.DecodeError({
      message: `${route.method} ${route.path} -> ${response.status}: the body is still ${encoding}-encoded; the HTTP client did not decode it`,
      status: response.status,
      method: route.method,
      path: route.path,
      request_id: headerRequestId(response.headers),
      reason: `content-encoding ${excerpt(encoding, 40)} not decoded by the HTTP client`,
      body: excerpt(decoder.decode(bytes.subarray(0, 100)), 100)
    })
  const startsLikeJson = (bytes: Uint8Array) => JSON_START.test(decoder.decode(bytes.subarray(0, 64)))
  const decoded = (bytes: Uint8Array) =>
    encoded && !startsLikeJson(bytes)
      ? Effect.fail(stillEncoded(bytes))
      : Effect.succeed(new Body(bytes, redact))
  const failedMidBody = (error: { readonly cause?: unknown }) =>
    transportError(route, error.cause ?? error, "the connection failed mid-body")
  const declared = Number(response.headers["content-length"])
  if (!encoded && Number.isFinite(declared)) {
    if (declared > limit) return Effect.fail(tooLarge(`${declared} bytes`))
    // The client stops at the declared length, so the whole body can be read at once.
    return Effect.mapBoth(response.arrayBuffer, {
      onFailure: failedMidBody,
      onSuccess: (buffer) => new Body(new Uint8Array(buffer), redact)
    })
  }
  // No length, or an encoded body: count decoded bytes as they come and stop past the limit.
  const chunks: Array<Uint8Array> = []
  let size = 0
  return response.stream.pipe(
    Stream.mapError(failedMidBody),
    Stream.runForEach((chunk) => {
      // An encoded body that does not start like JSON is not going to: stop reading it now.
      if (encoded && size === 0 && !startsLikeJson(chunk)) return Effect.fail(stillEncoded(chunk))
      size += chunk.length
      if (size > limit) return Effect.fail(tooLarge(`more than ${limit} bytes`))
      chunks.push(chunk)
      return Effect.void
    }),
    Effect.flatMap(() => decoded(chunks.length === 1 ? chunks[0]! : concat(chunks, size)))
  )
}
