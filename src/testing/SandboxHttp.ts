/**
 * The sandbox over HTTP without sockets: an `HttpClient` whose requests are answered in the
 * calling fiber by the sandbox API (so `TestClock` drives MFA expiry and latency), and the same
 * API as an `effect/http` handler (an `Effect` of `HttpServerResponse`) for any server.
 *
 * Routes: `POST`, `PATCH` and `GET /api/br/balances/`, `GET /api/br/balances/{id}/`. Any origin is
 * served: point a client at `https://sandbox.belvo.com` and its `next` links keep that origin.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import type * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Client from "./internal/httpClient.js"
import { respond } from "./internal/respond.js"
import { COLLECTION } from "./internal/routes.js"
import * as Server from "./internal/httpServer.js"
import * as Sandbox from "./Sandbox.js"

/**
 * An in-process `HttpClient` answered by the sandbox in the context: no sockets, the calling
 * fiber's `Clock`. A scripted dropped connection fails with an `HttpClientError` whose reason is a
 * `TransportError`; a truncated body fails when read.
 *
 * @example
 * ```ts
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
        const out = yield* Effect.provideService(
          Effect.flatMap(Client.incoming(request, url), respond),
          Sandbox.Sandbox,
          sandbox
        )
        if (out.transport === "drop") return yield* Effect.fail(Client.dropped(request))
        return HttpClientResponse.fromWeb(request, Client.toWeb(out))
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
 * import { Effect } from "effect"
 * import { HttpClient } from "effect/http"
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
 * The sandbox API as an `effect/http` handler (an `Effect` of `HttpServerResponse` needing the
 * `HttpServerRequest`), for any `HttpServer` or a web handler. Scripted dropped connections and
 * truncated bodies become response bodies that fail (a generic server cannot drop a socket; the
 * Node server of `SandboxServer` does it for real).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpEffect } from "effect/http"
 * import { Sandbox, SandboxHttp } from "effect-belvo/testing"
 *
 * const handler = Effect.map(Sandbox.make(), (sandbox) =>
 *   HttpEffect.toWebHandler(Effect.provideService(SandboxHttp.app, Sandbox.Sandbox, sandbox))
 * )
 * ```
 *
 * @since 0.1.0
 * @category handlers
 */
export const app: Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  HttpServerRequest.HttpServerRequest | Sandbox.Sandbox
> = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
  Effect.map(Effect.flatMap(Server.incoming(request), respond), Server.toServerResponse)
)

/**
 * The collection path the sandbox serves (a balance is `${balancesPath}{id}/`).
 *
 * @example
 * ```ts
 * import { SandboxHttp } from "effect-belvo/testing"
 *
 * console.log(SandboxHttp.balancesPath) // "/api/br/balances/"
 * ```
 *
 * @since 0.1.0
 * @category handlers
 */
export const balancesPath: string = COLLECTION
