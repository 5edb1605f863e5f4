/**
 * Four ways to build the `BelvoClient` layer: explicit options, environment variables, a local
 * server over plain http, and Node's undici transport; a bad option refused when the layer is
 * built; and another Belvo endpoint called through the same configured client.
 *
 * Run: BELVO_SECRET_ID=… BELVO_SECRET_PASSWORD=… npx tsx examples/configuration.ts
 */
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Config, ConfigProvider, Console, Effect, Layer, Redacted } from "effect"
import { FetchHttpClient } from "effect/http"
import { pathToFileURL } from "node:url"
import { BelvoClient } from "../src/index.js"

// 1. Explicit options. Secrets are Redacted: they print as <redacted> and never appear in errors.
export const ExplicitLive = Layer.unwrap(
  Effect.gen(function* () {
    const secretId = yield* Config.Redacted("MY_APP_BELVO_ID")
    const secretPassword = yield* Config.Redacted("MY_APP_BELVO_PASSWORD")
    return BelvoClient.layer({
      environment: "production",
      secretId,
      secretPassword,
      attemptTimeout: "30 seconds",
      maxConcurrentRequests: 8,
      userAgent: "my-app/1.4.0"
    })
  })
).pipe(Layer.provide(FetchHttpClient.layer))

// 2. Environment variables: BELVO_SECRET_ID, BELVO_SECRET_PASSWORD, BELVO_ENVIRONMENT or BELVO_BASE_URL.
//    Overrides cover what the variables do not.
export const EnvLive = BelvoClient.layerConfig({ callTimeout: "2 minutes" }).pipe(
  Layer.provide(FetchHttpClient.layer)
)

// 3. A local server (the sandbox, a proxy): plain http:// is accepted for loopback hosts only.
export const LocalLive = BelvoClient.layer({
  baseUrl: "http://127.0.0.1:8787",
  secretId: Redacted.make("sandbox-id"),
  secretPassword: Redacted.make("sandbox-password")
}).pipe(Layer.provide(FetchHttpClient.layer))

// 4. The same configuration over undici's own client instead of fetch.
export const UndiciLive = BelvoClient.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))

// Configuration from a record instead of the environment, e.g. in a test.
export const FromMapLive = BelvoClient.layerConfig().pipe(
  Layer.provide(FetchHttpClient.layer),
  Layer.provide(
    ConfigProvider.layer(
      ConfigProvider.fromEnv({
        env: {
          BELVO_SECRET_ID: "test-id",
          BELVO_SECRET_PASSWORD: "test-password",
          BELVO_BASE_URL: "http://localhost:8787"
        }
      })
    )
  )
)

// Every option is checked when the layer is built: a bad one fails with a ConfigError naming it,
// before any request is sent.
export const rejectedOption = Effect.gen(function* () {
  const client = yield* BelvoClient.BelvoClient
  return client.baseUrl.href
}).pipe(
  Effect.provide(
    BelvoClient.layer({
      secretId: Redacted.make("id"),
      secretPassword: Redacted.make("password"),
      maxConcurrentRequests: 0
    }).pipe(Layer.provide(FetchHttpClient.layer))
  ),
  Effect.flip,
  Effect.map((error) => error.message) // "BelvoClient option maxConcurrentRequests must be a whole number from 1 to 10000"
)

// Another Belvo endpoint through the same client: URLs are relative to the base URL, and the
// request carries the auth, headers, rate limit and in-flight cap (no retries or timeouts).
export const institutionsStatus = Effect.gen(function* () {
  const client = yield* BelvoClient.BelvoClient
  const response = yield* client.httpClient.get("api/institutions/")
  return response.status
})

export const program = Effect.gen(function* () {
  const client = yield* BelvoClient.BelvoClient
  yield* Console.log(`requests go to ${client.baseUrl.href}`)
})

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  NodeRuntime.runMain(
    Effect.gen(function* () {
      yield* Console.log(`a bad option: ${yield* rejectedOption}`)
      yield* program.pipe(Effect.provide(EnvLive))
    })
  )
}
