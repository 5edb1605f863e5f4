/**
 * The sandbox as a real HTTP server on 127.0.0.1 (Node), for the demo, integration tests,
 * benchmarks and any other client (curl, fetch). Only loopback: it never listens elsewhere.
 *
 * Here transport faults are real: a dropped connection destroys the socket without answering, a
 * truncated body sends half its bytes under a `Content-Length` promising all of them, then closes.
 *
 * `@effect/platform-node` (an optional peer dependency) is loaded on first use, so importing
 * `effect-belvo/testing` for the in-process sandbox never needs it.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpServer from "effect/http/HttpServer"
import type * as HttpServerError from "effect/http/HttpServerError"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import type * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Server from "./internal/httpServer.js"
import * as Node from "./internal/node.js"
import { respond } from "./internal/respond.js"
import * as Sandbox from "./Sandbox.js"

/**
 * Where the server listens: `url` is `http://127.0.0.1:<port>` (no trailing slash).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SandboxServer } from "effect-belvo/testing"
 *
 * const port = Effect.map(SandboxServer.SandboxServer, (server: SandboxServer.Service) => server.port)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly url: string
  readonly port: number
}

/**
 * The running server's address.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SandboxServer } from "effect-belvo/testing"
 *
 * const url = Effect.map(SandboxServer.SandboxServer, (server) => server.url)
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class SandboxServer extends Context.Service<SandboxServer, Service>()(
  "effect-belvo/testing/SandboxServer"
) {}

/**
 * The sandbox API for a Node `HttpServer` from `@effect/platform-node`, with transport faults done
 * on the socket.
 *
 * @example
 * ```ts
 * import { HttpServer } from "effect/http"
 * import { SandboxServer } from "effect-belvo/testing"
 *
 * const serve = HttpServer.serve(SandboxServer.nodeApp)
 * ```
 *
 * @since 0.1.0
 * @category handlers
 */
export const nodeApp: Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  HttpServerRequest.HttpServerRequest | Sandbox.Sandbox
> = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  const out = yield* Effect.flatMap(Server.incoming(request), respond)
  const transport = out.transport
  if (transport === undefined) return Server.toServerResponse(out)
  // Under a server that is not Node's, a fault degrades to a body that fails, as in `SandboxHttp.app`.
  return yield* Node.enact(request, { ...out, transport }).pipe(
    Effect.catchTag("PlatformNodeMissing", () => Effect.succeed(Server.toServerResponse(out)))
  )
})

/**
 * `@effect/platform-node` is not installed: {@link layer} needs it for the loopback server. It is an
 * optional peer dependency of effect-belvo, so the in-process sandbox works without it; the message
 * says which version to install.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { SandboxServer } from "effect-belvo/testing"
 *
 * const program = SandboxServer.url.pipe(
 *   Effect.provide(SandboxServer.layerWithSandbox()),
 *   Effect.catchTag("PlatformNodeMissing", (error) => Console.error(error.message))
 * )
 * ```
 *
 * @since 1.0.0
 * @category errors
 */
export const PlatformNodeMissing = Node.PlatformNodeMissing

/**
 * The type of {@link PlatformNodeMissing} errors.
 *
 * @example
 * ```ts
 * import type { SandboxServer } from "effect-belvo/testing"
 *
 * const hint = (error: SandboxServer.PlatformNodeMissing): string => error.message
 * ```
 *
 * @since 1.0.0
 * @category errors
 */
export type PlatformNodeMissing = Node.PlatformNodeMissing

/**
 * Starts the server on 127.0.0.1 (`port` 0 or absent: a free port), serving the `Sandbox` in
 * context, for the layer's lifetime.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { Sandbox, SandboxServer } from "effect-belvo/testing"
 *
 * const program = Effect.gen(function* () {
 *   const url = yield* SandboxServer.url
 *   const response = yield* Effect.promise(() => fetch(`${url}/api/br/balances/`))
 *   return response.status // 401: no credentials
 * }).pipe(Effect.provide(SandboxServer.layer().pipe(Layer.provideMerge(Sandbox.layer()))))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: { readonly port?: number | undefined } = {}
): Layer.Layer<SandboxServer, HttpServerError.ServeError | PlatformNodeMissing, Sandbox.Sandbox> =>
  Layer.unwrap(
    Effect.map(Node.serverLayer(options.port ?? 0), (server) =>
      Layer.effect(
        SandboxServer,
        Effect.gen(function* () {
          yield* HttpServer.serveEffect(nodeApp)
          const { address } = yield* HttpServer.HttpServer
          const port = address._tag === "UnixPathAddress" ? 0 : address.port
          return { url: `http://127.0.0.1:${port}`, port }
        })
      ).pipe(Layer.provide(server))
    )
  )

/**
 * A fresh sandbox and a loopback server serving it: both services, one layer.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SandboxServer } from "effect-belvo/testing"
 *
 * const url = SandboxServer.url.pipe(Effect.provide(SandboxServer.layerWithSandbox({ port: 0 })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithSandbox = (
  options: Sandbox.Options & { readonly port?: number | undefined } = {}
): Layer.Layer<SandboxServer | Sandbox.Sandbox, HttpServerError.ServeError | PlatformNodeMissing> =>
  layer(options).pipe(Layer.provideMerge(Sandbox.layer(options)))

/**
 * The base URL of the running server, e.g. `http://127.0.0.1:8787`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SandboxServer } from "effect-belvo/testing"
 *
 * const program = Effect.flatMap(SandboxServer.url, (url) => Effect.log(`sandbox at ${url}`))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const url: Effect.Effect<string, never, SandboxServer> = Effect.map(
  SandboxServer,
  (server) => server.url
)
