/**
 * The sandbox over HTTP without sockets: an `HttpClient` whose requests are answered in the
 * calling fiber by the sandbox API (so `TestClock` drives MFA expiry and latency), and the same
 * API as a platform `HttpApp` for any server.
 *
 * Routes: `POST`, `PATCH` and `GET /api/br/balances/`, `GET /api/br/balances/{id}/`. Any origin is
 * served: point a client at `https://sandbox.belvo.com` and its `next` links keep that origin.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Api from "./internal/api.js"
import * as Platform from "./internal/platform.js"
import * as Sandbox from "./Sandbox.js"

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

const bodyText = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<string, HttpClientError.RequestError> => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed("")
    case "Uint8Array":
      return Effect.succeed(decoder.decode(body.body))
    case "Raw":
      return Effect.succeed(
        typeof body.body === "string"
          ? body.body
          : body.body instanceof Uint8Array
            ? decoder.decode(body.body)
            : String(body.body)
      )
    case "FormData":
      return Effect.promise(() => new Response(body.formData).text())
    case "Stream":
      return body.stream.pipe(
        Stream.runCollect,
        Effect.map((chunks) => decoder.decode(concat(Chunk.toReadonlyArray(chunks)))),
        Effect.mapError((cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause }))
      )
  }
}

/** The plain response as a web `Response`; a truncated one errors after half its body. */
const toWeb = (out: Api.Outgoing): Response => {
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

/**
 * An in-process `HttpClient` answered by the sandbox in the context: no sockets, the calling
 * fiber's `Clock`. A scripted dropped connection fails with a `RequestError` (reason
 * `"Transport"`); a truncated body fails when read.
 *
 * @example
 * ```ts
 * import { HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import { Sandbox, SandboxHttp } from "effect-belvo/testing"
 *
 * const program = Effect.gen(function* () {
 *   const client = yield* SandboxHttp.httpClient
 *   return yield* client.get("https://sandbox.belvo.com/api/br/balances/")
 * }).pipe(Effect.provide(Sandbox.layer()))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const httpClient: Effect.Effect<HttpClient.HttpClient, never, Sandbox.Sandbox> = Effect.map(
  Sandbox.Sandbox,
  (sandbox) =>
    HttpClient.make((request, url) =>
      Effect.gen(function* () {
        const body = yield* bodyText(request)
        // What a real transport adds: Host, and the body's type and length.
        const headers: Record<string, string> = { host: url.host, ...request.headers }
        if (request.body._tag !== "Empty") {
          if (headers["content-type"] === undefined && request.body.contentType !== undefined) {
            headers["content-type"] = request.body.contentType
          }
          headers["content-length"] ??= String(encoder.encode(body).length)
        }
        const out = yield* Effect.provideService(
          Api.respond({ method: request.method, url, headers, body }),
          Sandbox.Sandbox,
          sandbox
        )
        if (out.transport === "drop") {
          return yield* new HttpClientError.RequestError({
            request,
            reason: "Transport",
            description: "sandbox: connection dropped"
          })
        }
        return HttpClientResponse.fromWeb(request, toWeb(out))
      })
    )
)

/**
 * {@link httpClient} as a layer.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Sandbox, SandboxHttp } from "effect-belvo/testing"
 *
 * const TestLayer = SandboxHttp.layerHttpClient.pipe(Layer.provideMerge(Sandbox.layer({ seed: 1 })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpClient: Layer.Layer<HttpClient.HttpClient, never, Sandbox.Sandbox> = Layer.effect(
  HttpClient.HttpClient,
  httpClient
)

/**
 * A fresh sandbox and an in-process `HttpClient` talking to it: swap this in for the real
 * transport in a test.
 *
 * @example
 * ```ts
 * import { HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import { SandboxHttp } from "effect-belvo/testing"
 *
 * const status = HttpClient.get("https://sandbox.belvo.com/api/br/balances/").pipe(
 *   Effect.map((response) => response.status), // 401: no credentials
 *   Effect.provide(SandboxHttp.layer())
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Sandbox.Options): Layer.Layer<HttpClient.HttpClient | Sandbox.Sandbox> =>
  layerHttpClient.pipe(Layer.provideMerge(Sandbox.layer(options)))

/**
 * The sandbox API as a platform `HttpApp`, for any `HttpServer`. Scripted dropped connections and
 * truncated bodies become response bodies that fail (a generic server cannot drop a socket; the
 * Node server of `SandboxServer` does it for real).
 *
 * @example
 * ```ts
 * import { HttpApp } from "@effect/platform"
 * import { Effect } from "effect"
 * import { Sandbox, SandboxHttp } from "effect-belvo/testing"
 *
 * const handler = Effect.map(Sandbox.make(), (sandbox) =>
 *   HttpApp.toWebHandler(Effect.provideService(SandboxHttp.app, Sandbox.Sandbox, sandbox))
 * )
 * ```
 *
 * @since 0.1.0
 * @category HttpApp
 */
export const app: HttpApp.Default<never, Sandbox.Sandbox> = Effect.flatMap(
  HttpServerRequest.HttpServerRequest,
  (request) => Effect.map(Effect.flatMap(Platform.incoming(request), Api.respond), Platform.toServerResponse)
)

/**
 * The route paths the sandbox serves.
 *
 * @example
 * ```ts
 * import { SandboxHttp } from "effect-belvo/testing"
 *
 * console.log(SandboxHttp.balancesPath) // "/api/br/balances/"
 * ```
 *
 * @since 0.1.0
 * @category HttpApp
 */
export const balancesPath: string = Api.COLLECTION
