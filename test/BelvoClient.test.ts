import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import { TestClock } from "effect/testing"
import { Balances, BelvoClient } from "../src/index.js"
import { version } from "../src/internal/version.js"
import {
  basicCredential,
  baseUrl,
  clientLayer,
  json,
  link,
  mockHttp,
  secretId,
  secretPassword
} from "./support/mockHttp.js"

const withEnv = (env: Record<string, string>) => ConfigProvider.layer(ConfigProvider.fromEnv({ env }))

const service = Effect.service(BelvoClient.BelvoClient)

/** Builds a client over a mock with `options`, and returns how the layer failed. */
const layerFailure = (options: Partial<BelvoClient.Options>) =>
  Effect.flip(
    Effect.provide(
      service,
      BelvoClient.layer({
        baseUrl,
        secretId: Redacted.make(secretId),
        secretPassword: Redacted.make(secretPassword),
        ...options
      }).pipe(Layer.provide(mockHttp(() => json(200, [])).layer))
    )
  )

describe("BelvoClient", () => {
  it("reports the package version in its user agent", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string
    }
    assert.strictEqual(version, pkg.version)
  })

  it("accepts https anywhere and http only on loopback", () => {
    assert.isTrue(Result.isSuccess(BelvoClient.validateBaseUrl("https://sandbox.belvo.com")))
    assert.isTrue(Result.isSuccess(BelvoClient.validateBaseUrl("http://127.0.0.1:8787")))
    assert.isTrue(Result.isSuccess(BelvoClient.validateBaseUrl("http://localhost:1")))
    assert.isTrue(Result.isSuccess(BelvoClient.validateBaseUrl("http://[::1]:1")))
    for (const bad of [
      "http://sandbox.belvo.com",
      "http://10.0.0.1",
      "ftp://belvo.test",
      "https://user:pw@belvo.test",
      "https://belvo.test/?x=1",
      "not a url"
    ]) {
      assert.isTrue(Result.isFailure(BelvoClient.validateBaseUrl(bad)), bad)
    }
  })

  it.effect("a layer with an unsafe base URL fails with a readable ConfigError", () =>
    Effect.gen(function* () {
      const error = yield* layerFailure({ baseUrl: "http://belvo.test" })
      assert.strictEqual(error._tag, "ConfigError")
      assert.include(String(error), "must not be plain http:// except on a loopback host")
      assert.notInclude(String(error), "belvo.test")
    })
  )

  it.effect("layerConfig reads the environment; BELVO_BASE_URL wins over BELVO_ENVIRONMENT", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, []))
      const production = yield* Effect.provide(
        service,
        BelvoClient.layerConfig().pipe(
          Layer.provide(http.layer),
          Layer.provide(
            withEnv({ BELVO_SECRET_ID: "i", BELVO_SECRET_PASSWORD: "p", BELVO_ENVIRONMENT: "production" })
          )
        )
      )
      assert.strictEqual(production.baseUrl.href, "https://api.belvo.com/")
      const explicit = yield* Effect.provide(
        service,
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
      assert.strictEqual(explicit.baseUrl.href, "http://127.0.0.1:9999/prefix/")
    })
  )

  it.effect("missing secrets give a ConfigError naming the variable", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, []))
      const error = yield* Effect.flip(
        Effect.provide(
          service,
          BelvoClient.layerConfig().pipe(
            Layer.provide(http.layer),
            Layer.provide(withEnv({ BELVO_SECRET_ID: "i" }))
          )
        )
      )
      assert.include(String(error), "BELVO_SECRET_PASSWORD")
      const wrongEnv = yield* Effect.flip(
        Effect.provide(
          service,
          BelvoClient.layerConfig().pipe(
            Layer.provide(http.layer),
            Layer.provide(
              withEnv({ BELVO_SECRET_ID: "i", BELVO_SECRET_PASSWORD: "p", BELVO_ENVIRONMENT: "staging" })
            )
          )
        )
      )
      assert.include(String(wrongEnv), "BELVO_ENVIRONMENT")
    })
  )

  it.effect("a bad BELVO_BASE_URL is reported under that name and never echoed", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, []))
      for (const bad of [
        "http://user:hunter2-secret@belvo.test",
        "https://belvo.test/?token=hunter2-secret",
        "not a url hunter2-secret"
      ]) {
        const error = yield* Effect.flip(
          Effect.provide(
            service,
            BelvoClient.layerConfig().pipe(
              Layer.provide(http.layer),
              Layer.provide(
                withEnv({ BELVO_SECRET_ID: "i", BELVO_SECRET_PASSWORD: "p", BELVO_BASE_URL: bad })
              )
            )
          )
        )
        assert.include(String(error), "BELVO_BASE_URL", bad)
        assert.notInclude(String(error), "hunter2-secret", bad)
      }
    })
  )

  it.effect("a base URL path prefix is kept in every request", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(201, []))
      yield* Balances.retrieve({ link }).pipe(
        Effect.provide(clientLayer(http.layer, { baseUrl: "https://belvo.test/proxy" }))
      )
      assert.strictEqual(http.requests[0]?.url.href, "https://belvo.test/proxy/api/br/balances/")
    })
  )

  it.effect(
    "the service's HttpClient takes paths relative to the base URL, or absolute URLs as they are, with auth on its origin only",
    () =>
      Effect.gen(function* () {
        const http = mockHttp(() => json(200, {}))
        const client = yield* Effect.provide(
          service,
          clientLayer(http.layer, { baseUrl: "https://belvo.test/proxy" })
        )
        yield* client.httpClient.get("api/institutions/")
        // An absolute URL goes where it says, without credentials unless it is on the base URL's origin.
        yield* client.httpClient.get("https://elsewhere.test/api/br/balances/")
        yield* client.httpClient.get("https://belvo.test/proxy/api/owners/")
        const [relative, absolute, own] = http.requests
        assert.strictEqual(relative?.url.href, "https://belvo.test/proxy/api/institutions/")
        assert.strictEqual(relative?.headers.authorization, `Basic ${basicCredential}`)
        assert.strictEqual(relative?.headers.accept, "application/json")
        assert.match(relative?.headers["user-agent"] ?? "", /^effect-belvo\/\d+\.\d+\.\d+/)
        assert.strictEqual(absolute?.url.href, "https://elsewhere.test/api/br/balances/")
        assert.isUndefined(absolute?.headers.authorization)
        assert.strictEqual(own?.url.href, "https://belvo.test/proxy/api/owners/")
        assert.strictEqual(own?.headers.authorization, `Basic ${basicCredential}`)
      })
  )

  it.effect("userAgent is appended; transformClient sees each request after base URL, auth and headers", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, {}))
      const seen: Array<HttpClientRequest.HttpClientRequest> = []
      const client = yield* Effect.provide(
        service,
        clientLayer(http.layer, {
          userAgent: "my-app/2.0",
          transformClient: HttpClient.mapRequest((request) => {
            seen.push(request)
            return HttpClientRequest.setHeader(request, "x-proxy", "on")
          })
        })
      )
      yield* client.httpClient.get("api/br/balances/")
      assert.strictEqual(seen[0]?.url, "https://belvo.test/api/br/balances/")
      assert.strictEqual(seen[0]?.headers.authorization, `Basic ${basicCredential}`)
      assert.strictEqual(http.requests[0]?.headers["x-proxy"], "on")
      assert.match(http.requests[0]?.headers["user-agent"] ?? "", /^effect-belvo\/\S+ my-app\/2\.0$/)
    })
  )
})

describe("BelvoClient options are checked when the layer is built", () => {
  const policy = { ...BelvoClient.defaultRetryPolicy, jitter: false }
  const refused: ReadonlyArray<readonly [string, Partial<BelvoClient.Options>]> = [
    ["retry", { retry: { ...policy, maxRetries: -1 } }],
    ["retry", { retry: { ...policy, maxRetries: 1.5 } }],
    ["retry", { retry: { ...policy, maxRetries: BelvoClient.maxRetriesLimit + 1 } }],
    ["retry", { retry: { ...policy, maxRetries: Number.NaN } }],
    ["retry", { retry: { ...policy, baseDelay: 0 } }],
    ["retry", { retry: { ...policy, baseDelay: "61 minutes", maxDelay: "2 hours" } }],
    ["retry", { retry: { ...policy, maxDelay: "0 millis" } }],
    ["retry", { retry: { ...policy, maxDelay: "2 hours" } }],
    ["retry", { retry: { ...policy, maxRetryAfter: "0 millis" } }],
    ["retry", { retry: { ...policy, maxRetryAfter: "1 day" } }],
    ["retry", { retry: { ...policy, baseDelay: "2 seconds", maxDelay: "1 second" } }],
    ["attemptTimeout", { attemptTimeout: 0 }],
    ["attemptTimeout", { attemptTimeout: "25 hours" }],
    ["attemptTimeout", { attemptTimeout: Duration.infinity }],
    ["callTimeout", { callTimeout: -5 }],
    ["callTimeout", { callTimeout: "2 days" }],
    ["maxResponseBytes", { maxResponseBytes: 0 }],
    ["maxResponseBytes", { maxResponseBytes: 10.5 }],
    ["maxResponseBytes", { maxResponseBytes: 2 ** 31 + 1 }],
    ["maxConcurrentRequests", { maxConcurrentRequests: 0 }],
    ["maxConcurrentRequests", { maxConcurrentRequests: 2.5 }],
    ["maxConcurrentRequests", { maxConcurrentRequests: 10_001 }],
    ["rateLimit.limit", { rateLimit: { limit: 0, interval: "1 second" } }],
    ["rateLimit.limit", { rateLimit: { limit: 1.5, interval: "1 second" } }],
    ["rateLimit.interval", { rateLimit: { limit: 1, interval: 0 } }]
  ]

  it.effect("a bad option fails with a ConfigError naming it, and no secret", () =>
    Effect.gen(function* () {
      for (const [option, options] of refused) {
        const error = yield* layerFailure(options)
        const text = String(error)
        assert.strictEqual(error._tag, "ConfigError", option)
        assert.include(text, `BelvoClient option ${option} `, JSON.stringify(options))
        assert.notInclude(text, secretId)
        assert.notInclude(text, secretPassword)
      }
    })
  )

  it.effect("the bounds themselves are accepted", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, []))
      const client = yield* Effect.provide(
        service,
        clientLayer(http.layer, {
          retry: {
            maxRetries: BelvoClient.maxRetriesLimit,
            baseDelay: "1 millis",
            maxDelay: "1 hour",
            maxRetryAfter: "1 hour",
            jitter: false
          },
          attemptTimeout: "1 millis",
          callTimeout: "1 day",
          maxResponseBytes: 2 ** 31,
          maxConcurrentRequests: 10_000,
          rateLimit: { limit: 1, interval: "1 millis" }
        })
      )
      assert.strictEqual(BelvoClient.maxRetriesLimit, 20)
      assert.strictEqual(client.settings.maxResponseBytes, 2 ** 31)
      assert.strictEqual(Duration.toMillis(client.settings.callTimeout), 86_400_000)
      assert.strictEqual(Duration.toMillis(client.settings.attemptTimeout), 1)
      const minimal = yield* Effect.provide(
        service,
        clientLayer(http.layer, { retry: { ...policy, maxRetries: 0 }, maxResponseBytes: 1 })
      )
      assert.strictEqual(minimal.settings.retry !== false && minimal.settings.retry.maxRetries, 0)
    })
  )

  it("checkRetryPolicy gives the reason a policy is refused", () => {
    assert.strictEqual(BelvoClient.checkRetryPolicy(BelvoClient.defaultRetryPolicy), undefined)
    assert.strictEqual(BelvoClient.checkRetryPolicy(false), undefined)
    assert.strictEqual(
      BelvoClient.checkRetryPolicy({ ...policy, maxRetries: 1.5 }),
      "maxRetries must be a whole number from 0 to 20"
    )
    assert.include(BelvoClient.checkRetryPolicy({ ...policy, baseDelay: "0 millis" }) ?? "", "baseDelay")
    assert.include(
      BelvoClient.checkRetryPolicy({ ...policy, baseDelay: "5 seconds", maxDelay: "1 second" }) ?? "",
      "maxDelay must not be shorter than baseDelay"
    )
  })
})

describe("BelvoClient limits", () => {
  it.effect("the service is three fields; the limits are plain data in its settings", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, []))
      const none = yield* Effect.provide(service, clientLayer(http.layer))
      assert.deepStrictEqual(Object.keys(none).sort(), ["baseUrl", "httpClient", "settings"])
      assert.strictEqual(none.settings.rateLimit, undefined)
      assert.strictEqual(none.settings.maxConcurrentRequests, undefined)
      const both = yield* Effect.provide(
        service,
        clientLayer(http.layer, { rateLimit: { limit: 5, interval: "2 seconds" }, maxConcurrentRequests: 3 })
      )
      assert.strictEqual(both.settings.maxConcurrentRequests, 3)
      assert.strictEqual(both.settings.rateLimit?.limit, 5)
      assert.strictEqual(both.settings.rateLimit?.key, "effect-belvo:https://belvo.test")
      assert.strictEqual(Duration.toMillis(both.settings.rateLimit?.interval ?? Duration.zero), 2000)
    })
  )

  it.effect("the service's httpClient holds a caller's own requests under the client's rate limit", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, {}))
      const client = yield* Effect.provide(
        service,
        clientLayer(http.layer, { rateLimit: { limit: 1, interval: "10 seconds" } })
      )
      const institutions = client.httpClient.get("api/institutions/")
      const fiber = yield* Effect.forkChild(Effect.all([institutions, institutions, institutions]))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(http.requests.length, 1)
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual(http.requests.length, 2)
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(fiber)
      assert.strictEqual(http.requests.length, 3)
    })
  )

  it.effect("a 429 to a caller's own request spends the window for the endpoints too", () =>
    Effect.gen(function* () {
      const http = mockHttp((request) =>
        request.url.pathname.includes("institutions") ? json(429, [], { "retry-after": "25" }) : json(200, [])
      )
      const layer = clientLayer(http.layer, { rateLimit: { limit: 10, interval: "10 seconds" } })
      const fiber = yield* Effect.gen(function* () {
        const client = yield* BelvoClient.BelvoClient
        const refused = yield* client.httpClient.get("api/institutions/")
        assert.strictEqual(refused.status, 429)
        return yield* Balances.retrieve({ link })
      }).pipe(Effect.provide(layer), Effect.forkChild)
      yield* TestClock.adjust("29 seconds")
      // Retry-After 25 s: three windows of 10 s are spent, so the retrieve waits for the fourth.
      assert.strictEqual(http.requests.length, 1)
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(fiber)
      assert.strictEqual(http.requests.length, 2)
      assert.isAtLeast(http.requests[1]?.at ?? 0, 30_000)
    })
  )

  it.effect("a hand-written service of three fields sends through its own httpClient as it is", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(201, []))
      const double = BelvoClient.BelvoClient.of({
        baseUrl: new URL("https://belvo.test/"),
        httpClient: http.client.pipe(
          HttpClient.mapRequest(HttpClientRequest.prependUrl("https://belvo.test/"))
        ),
        settings: {
          attemptTimeout: Duration.seconds(5),
          callTimeout: Duration.seconds(10),
          retry: false,
          maxResponseBytes: 1024,
          rateLimit: undefined,
          maxConcurrentRequests: undefined
        }
      })
      const retrieval = yield* Balances.retrieve({ link }).pipe(
        Effect.provideService(BelvoClient.BelvoClient, double)
      )
      assert.strictEqual(retrieval.status, 201)
      assert.strictEqual(http.requests[0]?.url.href, "https://belvo.test/api/br/balances/")
      assert.strictEqual(http.requests[0]?.headers.authorization, undefined)
    })
  )
})
