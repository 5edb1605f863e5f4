/**
 * Four ways to build the `BelvoClient` layer: explicit options, environment variables, a local
 * server over plain http, and Node's undici transport.
 *
 * Run: BELVO_SECRET_ID=… BELVO_SECRET_PASSWORD=… npx tsx examples/configuration.ts
 */
import { FetchHttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Config, ConfigProvider, Console, Effect, Layer, Redacted } from "effect"
import { pathToFileURL } from "node:url"
import { BelvoClient } from "../src/index.js"

// 1. Explicit options. Secrets are Redacted: they print as <redacted> and never appear in errors.
export const ExplicitLive = Layer.unwrapEffect(
  Effect.gen(function* () {
    const secretId = yield* Config.redacted("MY_APP_BELVO_ID")
    const secretPassword = yield* Config.redacted("MY_APP_BELVO_PASSWORD")
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

// Configuration from a map instead of the environment, e.g. in a test.
export const FromMapLive = BelvoClient.layerConfig().pipe(
  Layer.provide(FetchHttpClient.layer),
  Layer.provide(
    Layer.setConfigProvider(
      ConfigProvider.fromMap(
        new Map([
          ["BELVO_SECRET_ID", "test-id"],
          ["BELVO_SECRET_PASSWORD", "test-password"],
          ["BELVO_BASE_URL", "http://localhost:8787"]
        ])
      )
    )
  )
)

export const program = Effect.gen(function* () {
  const client = yield* BelvoClient.BelvoClient
  yield* Console.log(`requests go to ${client.baseUrl.href}`)
})

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  Effect.runPromise(program.pipe(Effect.provide(EnvLive))).catch((error) => {
    console.error(String(error))
    process.exitCode = 1
  })
}
