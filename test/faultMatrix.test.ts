/**
 * Each fault of the sandbox's plan times each endpoint, in process, with `TestClock` driving the
 * sandbox's delays and the client's backoff: the expected outcome, the expected attempts and waits,
 * and streams that neither duplicate nor drop an item.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import { TestClock } from "effect/testing"
import { Balances, BelvoClient, type MfaChallenge } from "../src/index.js"
import { Sandbox, SandboxFault, SandboxHttp, SandboxModel, SandboxServer } from "../src/testing/index.js"

const exact: BelvoClient.RetryPolicy = { ...BelvoClient.defaultRetryPolicy, jitter: false }

const inProcess = (options: Partial<BelvoClient.Options> = {}) =>
  BelvoClient.layer({
    baseUrl: "http://127.0.0.1:8787",
    secretId: Redacted.make(SandboxModel.defaultSecretId),
    secretPassword: Redacted.make(SandboxModel.defaultSecretPassword),
    retry: exact,
    attemptTimeout: "10 seconds",
    ...options
  }).pipe(Layer.provideMerge(SandboxHttp.layer({ links: 0 })), Layer.orDie)

/** Runs `effect` to completion while moving the TestClock forward in small steps. */
const withClock = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(Effect.result(effect))
    for (let step = 0; step < 600; step++) {
      if (fiber.pollUnsafe() !== undefined) break
      yield* TestClock.adjust("100 millis")
    }
    return yield* Fiber.join(fiber)
  })

type Endpoint = "get" | "listPage" | "list" | "retrieve" | "resume"

interface Case {
  readonly name: string
  readonly fault: (method: string) => SandboxFault.Fault
  /** Outcome on GET endpoints (retried) and on POST/PATCH (not retried once sent). */
  readonly get: { readonly tag: string; readonly attempts: number; readonly wait?: number }
  readonly mutation: { readonly tag: string }
}

const cases: ReadonlyArray<Case> = [
  {
    name: "500 unexpected_error",
    fault: (method) => SandboxFault.status(500, { method }),
    get: { tag: "Success", attempts: 2, wait: 500 },
    mutation: { tag: "UnexpectedError" }
  },
  {
    name: "502",
    fault: (method) => SandboxFault.status(502, { method }),
    get: { tag: "Success", attempts: 2, wait: 500 },
    mutation: { tag: "UnknownStatus" }
  },
  {
    name: "503",
    fault: (method) => SandboxFault.status(503, { method }),
    get: { tag: "Success", attempts: 2, wait: 500 },
    mutation: { tag: "UnknownStatus" }
  },
  {
    name: "504",
    fault: (method) => SandboxFault.status(504, { method }),
    get: { tag: "Success", attempts: 2, wait: 500 },
    mutation: { tag: "UnknownStatus" }
  },
  {
    name: "408 request_timeout",
    fault: (method) => SandboxFault.status(408, { method }),
    get: { tag: "Success", attempts: 2, wait: 500 },
    mutation: { tag: "RequestTimeout" }
  },
  {
    name: "429 with Retry-After: 3",
    fault: (method) => SandboxFault.status(429, { method, retryAfter: 3 }),
    get: { tag: "Success", attempts: 2, wait: 3000 },
    mutation: { tag: "TooManyRequests" }
  },
  {
    name: "dropped connection",
    fault: (method) => SandboxFault.drop({ method }),
    get: { tag: "Success", attempts: 2, wait: 500 },
    mutation: { tag: "TransportError" }
  },
  {
    name: "truncated body",
    fault: (method) => SandboxFault.truncated({ method }),
    get: { tag: "Success", attempts: 2, wait: 500 },
    mutation: { tag: "TransportError" }
  },
  {
    name: "latency past the attempt timeout",
    fault: (method) => SandboxFault.delay("30 seconds", { method }),
    get: { tag: "Success", attempts: 2, wait: 10_500 },
    mutation: { tag: "Timeout" }
  },
  {
    name: "malformed JSON",
    fault: (method) => SandboxFault.malformedJson({ method, status: method === "POST" ? 201 : 200 }),
    get: { tag: "DecodeError", attempts: 1 },
    mutation: { tag: "DecodeError" }
  },
  {
    name: "401 authentication_failed",
    fault: (method) => SandboxFault.error("authentication_failed", { method }),
    get: { tag: "AuthenticationFailed", attempts: 1 },
    mutation: { tag: "AuthenticationFailed" }
  },
  {
    name: "403 access_to_resource_denied",
    fault: (method) => SandboxFault.error("access_to_resource_denied", { method }),
    get: { tag: "AccessDenied", attempts: 1 },
    mutation: { tag: "AccessDenied" }
  }
]

const link = SandboxModel.plainLinkId
const methodOf: Record<Endpoint, string> = {
  get: "GET",
  listPage: "GET",
  list: "GET",
  retrieve: "POST",
  resume: "PATCH"
}

/** Runs one endpoint; a list stream's items are compared with the sandbox's own data. */
const run = (
  endpoint: Endpoint,
  balanceId: string,
  challenge: MfaChallenge.MfaChallenge | undefined
): Effect.Effect<void, { readonly _tag: string }, BelvoClient.BelvoClient | Sandbox.Sandbox> => {
  switch (endpoint) {
    case "get":
      return Effect.asVoid(Balances.get(balanceId))
    case "listPage":
      return Effect.asVoid(Balances.listPage({ link }))
    case "list":
      return Effect.gen(function* () {
        const expected = (yield* Sandbox.balancesOf(link)).map((b) => b.id)
        const ids = yield* Balances.list({ link, page_size: 7, fields: ["id"] }, { concurrency: 1 }).pipe(
          Stream.map((b) => b.id),
          Stream.runCollect
        )
        assert.deepStrictEqual(ids, expected)
      })
    case "retrieve":
      return Effect.asVoid(Balances.retrieve({ link }))
    case "resume":
      return Effect.asVoid(Balances.resume(challenge as MfaChallenge.MfaChallenge, "any"))
  }
}

describe("fault matrix", () => {
  for (const testCase of cases) {
    for (const endpoint of ["get", "listPage", "list", "retrieve", "resume"] as const) {
      const method = methodOf[endpoint]
      const expected = method === "GET" ? testCase.get : { ...testCase.mutation, attempts: 1 }
      it.effect(
        `${testCase.name} on ${endpoint} -> ${expected.tag} after ${expected.attempts} attempt(s)`,
        () =>
          Effect.gen(function* () {
            const balanceId = (yield* Sandbox.balancesOf(link))[0]?.id ?? ""
            let challenge: MfaChallenge.MfaChallenge | undefined
            if (endpoint === "resume") {
              const error = yield* Effect.flip(Balances.retrieve({ link: SandboxModel.mfaLinkId }))
              if (error._tag !== "TokenRequired") return assert.fail(error._tag)
              challenge = error.challenge
            }
            yield* Sandbox.clearRequests
            yield* Sandbox.addFaults(testCase.fault(method))
            const result = yield* withClock(run(endpoint, balanceId, challenge))
            const tag = Result.isSuccess(result) ? "Success" : result.failure._tag
            assert.strictEqual(tag, expected.tag)
            // The faulty request is the first one: for a list, its first page (the only URL without `page`).
            const log = (yield* Sandbox.requests).filter(
              (r) => r.method === method && (endpoint !== "list" || !new URL(r.url).searchParams.has("page"))
            )
            assert.strictEqual(log.length, expected.attempts)
            if ("wait" in expected && expected.wait !== undefined) {
              const [first, second] = log
              const wait = (second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)
              assert.isAtLeast(wait, expected.wait)
              assert.isAtMost(wait, expected.wait + 100)
            }
          }).pipe(Effect.provide(inProcess()))
      )
    }
  }

  it.effect(
    "a mid-stream page failing twice then succeeding yields every item once; when retries run out only whole earlier pages were emitted",
    () =>
      Effect.gen(function* () {
        const expected = (yield* Sandbox.balancesOf(link)).map((b) => b.id)
        yield* Sandbox.addFaults(SandboxFault.status(500, { method: "GET", nth: 3, times: 2 }))
        const ok = yield* withClock(
          Balances.list({ link, page_size: 5, fields: ["id"] }, { concurrency: 2 }).pipe(
            Stream.map((b) => b.id),
            Stream.runCollect
          )
        )
        assert.deepStrictEqual(Result.isSuccess(ok) && ok.success, expected)

        yield* Sandbox.clearFaults
        yield* Sandbox.clearRequests
        yield* Sandbox.addFaults(
          SandboxFault.status(500, { method: "GET", nth: 3, times: Number.POSITIVE_INFINITY })
        )
        const seen: Array<string> = []
        const failed = yield* withClock(
          Balances.list({ link, page_size: 5, fields: ["id"] }, { concurrency: 1 }).pipe(
            Stream.runForEach((b) => Effect.sync(() => seen.push(b.id)))
          )
        )
        assert.strictEqual(Result.isFailure(failed) && failed.failure._tag, "UnexpectedError")
        assert.deepStrictEqual(seen, expected.slice(0, 10))
      }).pipe(Effect.provide(inProcess()))
  )
})

describe("load", () => {
  const links = 200
  const server = SandboxServer.layerWithSandbox({
    port: 0,
    links,
    accountsPerLink: 1,
    balancesPerAccount: 1
  }).pipe(Layer.orDie)
  layer(server, { excludeTestServices: true })((it) => {
    it.effect(
      "1,000 concurrent retrieves across 200 links with an in-flight cap: all succeed, the cap holds",
      () =>
        Effect.gen(function* () {
          const url = yield* SandboxServer.url
          const sandbox = yield* Sandbox.Sandbox
          const ids = sandbox.model
            .links()
            .map((l) => l.id)
            .filter(
              (id) =>
                sandbox.model.link(id)?.owner === SandboxModel.defaultSecretId &&
                id !== SandboxModel.mfaLinkId
            )
            .filter((id) => id !== SandboxModel.largeLinkId)
            .slice(-links)
          assert.strictEqual(ids.length, links)
          yield* Sandbox.resetStats
          yield* Sandbox.setLatency({ all: "5 millis" })
          const client = BelvoClient.layer({
            baseUrl: url,
            secretId: Redacted.make(SandboxModel.defaultSecretId),
            secretPassword: Redacted.make(SandboxModel.defaultSecretPassword),
            maxConcurrentRequests: 16
          }).pipe(Layer.provide(NodeHttpClient.layerUndici), Layer.orDie)
          const results = yield* Effect.forEach(
            Array.from({ length: 1000 }, (_, n) => ids[n % links] as string),
            (id) => Balances.retrieve({ link: id, save_data: false }),
            { concurrency: "unbounded" }
          ).pipe(Effect.provide(client))
          assert.isTrue(results.every((r) => r.status === 200 && r.balances.length === 1))
          const stats = yield* Sandbox.stats
          assert.strictEqual(stats.requests, 1000)
          assert.isAtMost(stats.maxInFlight, 16)
          assert.isAbove(stats.maxInFlight, 1)
          yield* Sandbox.setLatency({ all: 0 })
        })
    )
  })
})
