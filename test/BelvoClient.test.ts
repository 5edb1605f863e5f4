import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { Balances, BelvoClient } from "../src/index.js"
import { version } from "../src/internal/version.js"
import { clientLayer, json, mockHttp } from "./support/mockHttp.js"

const link = "30cb4806-6e00-48a4-91c9-ca55968576c8"

const withEnv = (env: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("BelvoClient", () => {
  it("reports the package version in its user agent", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string
    }
    expect(version).toBe(pkg.version)
  })

  it("accepts https anywhere and http only on loopback", () => {
    expect(Either.isRight(BelvoClient.validateBaseUrl("https://sandbox.belvo.com"))).toBe(true)
    expect(Either.isRight(BelvoClient.validateBaseUrl("http://127.0.0.1:8787"))).toBe(true)
    expect(Either.isRight(BelvoClient.validateBaseUrl("http://localhost:1"))).toBe(true)
    expect(Either.isRight(BelvoClient.validateBaseUrl("http://[::1]:1"))).toBe(true)
    for (const bad of [
      "http://sandbox.belvo.com",
      "http://10.0.0.1",
      "ftp://belvo.test",
      "https://user:pw@belvo.test",
      "https://belvo.test/?x=1",
      "not a url"
    ]) {
      expect(Either.isLeft(BelvoClient.validateBaseUrl(bad)), bad).toBe(true)
    }
  })

  it.effect("a layer with an unsafe base URL fails with a readable ConfigError", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, []))
      const error = yield* Effect.flip(
        Effect.provide(
          BelvoClient.BelvoClient,
          BelvoClient.layer({
            baseUrl: "http://belvo.test",
            secretId: Redacted.make("a"),
            secretPassword: Redacted.make("b")
          }).pipe(Layer.provide(http.layer))
        )
      )
      expect(String(error)).toContain("plain http:// is refused")
    })
  )

  it.effect("layerConfig reads the environment; BELVO_BASE_URL wins over BELVO_ENVIRONMENT", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, []))
      const production = yield* Effect.provide(
        BelvoClient.BelvoClient,
        BelvoClient.layerConfig().pipe(
          Layer.provide(http.layer),
          Layer.provide(
            withEnv({ BELVO_SECRET_ID: "i", BELVO_SECRET_PASSWORD: "p", BELVO_ENVIRONMENT: "production" })
          )
        )
      )
      expect(production.baseUrl.href).toBe("https://api.belvo.com/")
      const explicit = yield* Effect.provide(
        BelvoClient.BelvoClient,
        BelvoClient.layerConfig().pipe(
          Layer.provide(http.layer),
          Layer.provide(
            withEnv({
              BELVO_SECRET_ID: "i",
              BELVO_SECRET_PASSWORD: "p",
              BELVO_ENVIRONMENT: "production",
              BELVO_BASE_URL: "http://127.0.0.1:9999/prefix"
            })
          )
        )
      )
      expect(explicit.baseUrl.href).toBe("http://127.0.0.1:9999/prefix/")
    })
  )

  it.effect("missing secrets give a ConfigError naming the variable", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, []))
      const error = yield* Effect.flip(
        Effect.provide(
          BelvoClient.BelvoClient,
          BelvoClient.layerConfig().pipe(
            Layer.provide(http.layer),
            Layer.provide(withEnv({ BELVO_SECRET_ID: "i" }))
          )
        )
      )
      expect(String(error)).toContain("BELVO_SECRET_PASSWORD")
      const wrongEnv = yield* Effect.flip(
        Effect.provide(
          BelvoClient.BelvoClient,
          BelvoClient.layerConfig().pipe(
            Layer.provide(http.layer),
            Layer.provide(
              withEnv({ BELVO_SECRET_ID: "i", BELVO_SECRET_PASSWORD: "p", BELVO_ENVIRONMENT: "staging" })
            )
          )
        )
      )
      expect(String(wrongEnv)).toContain("BELVO_ENVIRONMENT")
    })
  )

  it.effect("a base URL path prefix is kept in every request", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(201, []))
      yield* Balances.retrieve({ link }).pipe(
        Effect.provide(clientLayer(http.layer, { baseUrl: "https://belvo.test/proxy" }))
      )
      expect(http.requests[0]?.url.href).toBe("https://belvo.test/proxy/api/br/balances/")
    })
  )

  it.effect("the service's configured HttpClient sends credentials to the configured origin only", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, {}))
      const client = yield* Effect.provide(BelvoClient.BelvoClient, clientLayer(http.layer))
      yield* Effect.scoped(client.httpClient.get("https://belvo.test/api/br/balances/"))
      yield* Effect.scoped(client.httpClient.get("https://elsewhere.test/api/br/balances/"))
      expect(http.requests[0]?.headers.authorization).toMatch(/^Basic /)
      expect(http.requests[1]?.headers.authorization).toBeUndefined()
    })
  )
})
