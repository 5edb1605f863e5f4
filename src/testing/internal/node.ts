/**
 * Everything that needs Node: `@effect/platform-node` and `node:http`, loaded on first use (the
 * package is an optional peer dependency), and transport faults enacted on the real socket.
 *
 * @internal
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as HttpServer from "effect/http/HttpServer"
import type * as HttpServerError from "effect/http/HttpServerError"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import type * as Layer from "effect/Layer"
import type * as Http from "node:http"
import { platformNodeRange } from "../../internal/version.js"
import type { Outgoing } from "./exchange.js"

/**
 * `@effect/platform-node` is not installed: the loopback server needs it (an optional peer
 * dependency, so the in-process sandbox works without it).
 */
export class PlatformNodeMissing extends Data.TaggedError("PlatformNodeMissing")<{
  readonly message: string
  readonly cause: unknown
}> {}

const isModuleNotFound = (cause: unknown): boolean =>
  typeof cause === "object" && cause !== null && "code" in cause && cause.code === "ERR_MODULE_NOT_FOUND"

/**
 * Loads modules, telling a missing package apart (a typed error saying what to install) from any
 * other failure to load, which is a defect of the installation.
 */
export const loadFrom = <A>(load: () => Promise<A>): Effect.Effect<A, PlatformNodeMissing> =>
  Effect.tryPromise({ try: load, catch: (cause) => cause }).pipe(
    Effect.catchIf(isModuleNotFound, (cause) =>
      Effect.fail(
        new PlatformNodeMissing({
          message: `SandboxServer needs @effect/platform-node ${platformNodeRange}, an optional peer dependency of effect-belvo: npm install --save-dev @effect/platform-node@${platformNodeRange}`,
          cause
        })
      )
    ),
    Effect.catch((cause) => (cause instanceof PlatformNodeMissing ? Effect.fail(cause) : Effect.die(cause)))
  )

const modules = loadFrom(async () => {
  const [server, request, http] = await Promise.all([
    import("@effect/platform-node/NodeHttpServer"),
    import("@effect/platform-node/NodeHttpServerRequest"),
    import("node:http")
  ])
  return { server, request, http }
})

/** A Node `HttpServer` on 127.0.0.1 (`port` 0: a free one). Loopback only, always. */
export const serverLayer = (
  port: number
): Effect.Effect<Layer.Layer<HttpServer.HttpServer, HttpServerError.ServeError>, PlatformNodeMissing> =>
  Effect.map(modules, ({ server, http }) =>
    server.layerServer(() => http.createServer(), { port, host: "127.0.0.1" })
  )

/**
 * Enacts a transport fault on the Node response behind `request`: `drop` destroys the socket
 * without a byte; `truncate` writes the head with the full `Content-Length`, then half the body,
 * then closes. The returned response is a placeholder the server will not send (it sees the Node
 * response already ended or destroyed).
 */
export const enact = (
  request: HttpServerRequest.HttpServerRequest,
  out: Outgoing & { readonly transport: "drop" | "truncate" }
): Effect.Effect<HttpServerResponse.HttpServerResponse, PlatformNodeMissing> =>
  Effect.map(modules, (node) => {
    // The server is created by `http.createServer`: an HTTP/1.1 response.
    const response = node.request.toServerResponse(request) as Http.ServerResponse
    if (out.transport === "drop") {
      response.destroy()
    } else {
      const bytes = Buffer.from(out.body)
      response.writeHead(out.status, { ...out.headers, "content-length": String(bytes.length) })
      // Ending the response marks it done for the server; ending the socket flushes the half body
      // and closes, so the client sees fewer bytes than promised instead of waiting for more.
      const socket = response.socket
      response.end(bytes.subarray(0, bytes.length >> 1))
      socket?.end()
    }
    return HttpServerResponse.empty()
  })
