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
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Api from "./internal/api.js"
import * as Platform from "./internal/platform.js"
import * as Sandbox from "./Sandbox.js"

/** The Node modules, loaded once on first use. */
const node = Effect.promise(async () => {
  const [server, request, http] = await Promise.all([
    import("@effect/platform-node/NodeHttpServer"),
    import("@effect/platform-node/NodeHttpServerRequest"),
    import("node:http")
  ])
  return { server, request, http }
})

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
export class SandboxServer extends Context.Tag("effect-belvo/testing/SandboxServer")<
  SandboxServer,
  Service
>() {}

/**
 * The sandbox API for Node's server, with transport faults done on the socket.
 *
 * @example
 * ```ts
 * import { HttpServer } from "@effect/platform"
 * import { SandboxServer } from "effect-belvo/testing"
 *
 * const serve = HttpServer.serve(SandboxServer.nodeApp)
 * ```
 *
 * @since 0.1.0
 * @category HttpApp
 */
export const nodeApp: Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  HttpServerRequest.HttpServerRequest | Sandbox.Sandbox
> = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  const out = yield* Effect.flatMap(Platform.incoming(request), Api.respond)
  if (out.transport === undefined) return Platform.toServerResponse(out)
  const response = (yield* node).request.toServerResponse(request)
  if (out.transport === "drop") {
    response.socket?.destroy()
  } else {
    const bytes = Buffer.from(out.body)
    response.writeHead(out.status, { ...out.headers, "content-length": String(bytes.length) })
    // Ending the response marks it done for the platform; ending the socket flushes the half body
    // then closes, so the client sees fewer bytes than promised instead of waiting for more.
    const socket = response.socket
    response.end(bytes.subarray(0, bytes.length >> 1))
    socket?.end()
  }
  return HttpServerResponse.empty()
})

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
): Layer.Layer<SandboxServer, HttpServerError.ServeError, Sandbox.Sandbox> =>
  Layer.unwrapEffect(
    Effect.map(node, ({ http, server }) =>
      Layer.scoped(
        SandboxServer,
        Effect.gen(function* () {
          yield* HttpServer.serveEffect(nodeApp)
          const { address } = yield* HttpServer.HttpServer
          const port = address._tag === "TcpAddress" ? address.port : 0
          return { url: `http://127.0.0.1:${port}`, port }
        })
      ).pipe(
        Layer.provide(server.layer(() => http.createServer(), { port: options.port ?? 0, host: "127.0.0.1" }))
      )
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
): Layer.Layer<SandboxServer | Sandbox.Sandbox, HttpServerError.ServeError> =>
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
