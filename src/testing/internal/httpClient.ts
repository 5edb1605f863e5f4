/**
 * The adapter for the in-process client: an `HttpClientRequest` in as an `Incoming` (with what a
 * real transport adds: `Host`, and the body's type and length), an `Outgoing` back as a web
 * `Response`. A dropped connection is a transport error; a truncated body errors halfway through.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Stream from "effect/Stream"
import type { Incoming, Outgoing } from "./exchange.js"

const decoder = new TextDecoder()
const encoder = new TextEncoder()

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

const encodeError = (request: HttpClientRequest.HttpClientRequest, cause: unknown) =>
  new HttpClientError.HttpClientError({ reason: new HttpClientError.EncodeError({ request, cause }) })

const bodyText = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<string, HttpClientError.HttpClientError> => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed("")
    case "Uint8Array":
      return Effect.succeed(body.text ?? decoder.decode(body.body))
    case "Raw":
      return typeof body.body === "string"
        ? Effect.succeed(body.body)
        : body.body instanceof Uint8Array
          ? Effect.succeed(decoder.decode(body.body))
          : Effect.tryPromise({
              try: () => new Response(body.body as BodyInit).text(),
              catch: (cause) => encodeError(request, cause)
            })
    case "FormData":
      return Effect.tryPromise({
        try: () => new Response(body.formData).text(),
        catch: (cause) => encodeError(request, cause)
      })
    case "Stream":
      return body.stream.pipe(
        Stream.runCollect,
        Effect.map((chunks) => decoder.decode(concat(chunks))),
        Effect.mapError((cause) => encodeError(request, cause))
      )
  }
}

/** The request as the sandbox sees it. */
export const incoming = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL
): Effect.Effect<Incoming, HttpClientError.HttpClientError> =>
  Effect.map(bodyText(request), (body) => {
    const headers: Record<string, string> = { host: url.host, ...request.headers }
    if (request.body._tag !== "Empty") {
      if (headers["content-type"] === undefined && request.body.contentType !== undefined) {
        headers["content-type"] = request.body.contentType
      }
      headers["content-length"] ??= String(encoder.encode(body).length)
    }
    return { method: request.method, url, headers, body }
  })

/** The transport error a dropped connection is. */
export const dropped = (request: HttpClientRequest.HttpClientRequest): HttpClientError.HttpClientError =>
  new HttpClientError.HttpClientError({
    reason: new HttpClientError.TransportError({ request, description: "sandbox: connection dropped" })
  })

/** The plain response as a web `Response`; a truncated one errors after half its body. */
export const toWeb = (out: Outgoing): Response => {
  if (out.transport !== "truncate")
    return new Response(out.body, { status: out.status, headers: out.headers })
  const bytes = encoder.encode(out.body)
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes.subarray(0, bytes.length >> 1))
      controller.error(new Error("sandbox: connection closed before the end of the body"))
    }
  })
  return new Response(stream, {
    status: out.status,
    headers: { ...out.headers, "content-length": String(bytes.length) }
  })
}
