/**
 * The client's metrics after a scripted sandbox session: each count checked against what the
 * session did, and every attribute bounded (no id, query string or secret).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import { TestClock } from "effect/testing"
import { Balances, Metrics } from "../src/index.js"
import { Sandbox, SandboxClient, SandboxFault, SandboxModel } from "../src/testing/index.js"

/** Every snapshot of the session's registry for `id`, as attributes and state. */
const snapshotsOf = (snapshots: ReadonlyArray<Metric.Metric.Snapshot>, id: string) =>
  snapshots.filter((snapshot) => snapshot.id === id)

const countOf = (
  snapshots: ReadonlyArray<Metric.Metric.Snapshot>,
  id: string,
  attributes: Readonly<Record<string, string>>
): number =>
  snapshotsOf(snapshots, id)
    .filter((snapshot) =>
      Object.entries(attributes).every(([key, value]) => snapshot.attributes?.[key] === value)
    )
    .reduce((sum, snapshot) => {
      const state = snapshot.state as { readonly count: number | bigint }
      return sum + Number(state.count)
    }, 0)

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-/i

describe("Metrics", () => {
  it.effect("a scripted session: every request, retry, 429, wait and MFA outcome is counted", () =>
    Effect.gen(function* () {
      // A plain retrieve and a get.
      const retrieved = yield* Balances.retrieve({ link: SandboxModel.plainLinkId })
      yield* Balances.get(retrieved.balances[0]!.id)
      // A listing page answered 503 once, then 429 once, then served: two retries.
      yield* Sandbox.addFaults(
        SandboxFault.status(503, { method: "GET", path: "/api/br/balances/" }),
        SandboxFault.status(429, { method: "GET", path: "/api/br/balances/", nth: 2, retryAfter: 1 })
      )
      const page = yield* Effect.forkChild(
        Balances.listPage({ link: SandboxModel.plainLinkId, page_size: 5 })
      )
      yield* TestClock.adjust("30 seconds")
      yield* Fiber.join(page)
      // MFA: a challenge, a wrong token (challenged again), the right one (completed).
      const first = yield* Effect.flip(Balances.retrieve({ link: SandboxModel.mfaLinkId }))
      if (first._tag !== "TokenRequired") return assert.fail(first.message)
      const again = yield* Effect.flip(Balances.resume(first.challenge, "000000"))
      if (again._tag !== "TokenRequired") return assert.fail(again.message)
      yield* Balances.resume(again.challenge, SandboxModel.tokenFor(again.challenge))
      // And one that expired before it was resumed: nothing sent.
      const late = yield* Effect.flip(Balances.retrieve({ link: SandboxModel.mfaLinkId }))
      if (late._tag !== "TokenRequired") return assert.fail(late.message)
      yield* TestClock.adjust("1 hour")
      const expired = yield* Effect.flip(Balances.resume(late.challenge, "123456"))
      assert.strictEqual(expired._tag, "SessionExpired")

      const snapshots = yield* Metric.snapshot
      const duration = Metrics.requestDuration.id
      const post = { "http.request.method": "POST", "url.template": "/api/br/balances/" }
      const list = { "http.request.method": "GET", "url.template": "/api/br/balances/" }
      assert.strictEqual(countOf(snapshots, duration, { ...post, "http.response.status_code": "201" }), 1)
      assert.strictEqual(countOf(snapshots, duration, { ...post, "http.response.status_code": "428" }), 2)
      assert.strictEqual(
        countOf(snapshots, duration, {
          "http.request.method": "GET",
          "url.template": "/api/br/balances/{id}/",
          "http.response.status_code": "200"
        }),
        1
      )
      assert.strictEqual(
        countOf(snapshots, duration, {
          ...list,
          "http.response.status_code": "503",
          "error.type": "UnknownStatus"
        }),
        1
      )
      assert.strictEqual(
        countOf(snapshots, duration, {
          ...list,
          "http.response.status_code": "429",
          "error.type": "TooManyRequests"
        }),
        1
      )
      assert.strictEqual(countOf(snapshots, duration, { ...list, "http.response.status_code": "200" }), 1)
      // PATCHes: the wrong token (428) and the right one (201); the expired one never left.
      assert.strictEqual(countOf(snapshots, duration, { "http.request.method": "PATCH" }), 2)
      assert.strictEqual(countOf(snapshots, duration, {}), 9)
      assert.strictEqual(
        countOf(snapshots, Metrics.retries.id, { ...list, "error.type": "UnknownStatus" }),
        1
      )
      assert.strictEqual(
        countOf(snapshots, Metrics.retries.id, { ...list, "error.type": "TooManyRequests" }),
        1
      )
      assert.strictEqual(countOf(snapshots, Metrics.retries.id, {}), 2)
      assert.strictEqual(countOf(snapshots, Metrics.throttled.id, list), 1)
      assert.strictEqual(countOf(snapshots, Metrics.mfaChallenges.id, { "belvo.operation": "retrieve" }), 2)
      assert.strictEqual(countOf(snapshots, Metrics.mfaChallenges.id, { "belvo.operation": "resume" }), 1)
      assert.strictEqual(countOf(snapshots, Metrics.mfaResumes.id, { "belvo.outcome": "challenged" }), 1)
      assert.strictEqual(countOf(snapshots, Metrics.mfaResumes.id, { "belvo.outcome": "completed" }), 1)
      assert.strictEqual(countOf(snapshots, Metrics.mfaResumes.id, { "belvo.outcome": "expired" }), 1)
      assert.strictEqual(countOf(snapshots, Metrics.mfaResumes.id, { "belvo.outcome": "failed" }), 0)
      // No limits on this client: no wait is recorded.
      assert.strictEqual(countOf(snapshots, Metrics.limitWait.id, {}), 0)

      // Bounded attributes: no id, no query, no secret, in any metric.
      const values = snapshots.flatMap((snapshot) => Object.values(snapshot.attributes ?? {}))
      for (const value of values) {
        assert.notMatch(value, UUID)
        assert.notInclude(value, "?")
        assert.notInclude(value, SandboxModel.defaultSecretPassword)
      }
    }).pipe(Effect.provide(SandboxClient.layer()), Effect.provideService(Metric.MetricRegistry, new Map()))
  )

  it.effect("a client with a rate limit records how long each attempt waited for it", () =>
    Effect.gen(function* () {
      const two = yield* Effect.forkChild(
        // Two ids the sandbox does not have: 404s, each its own request.
        Effect.all(
          [Balances.get(SandboxModel.plainAccountIds[0]), Balances.get(SandboxModel.plainAccountIds[1])].map(
            Effect.exit
          ),
          {
            concurrency: 2
          }
        )
      )
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(two)
      const wait = yield* Metric.value(
        Metric.withAttributes(Metrics.limitWait, {
          "http.request.method": "GET",
          "url.template": "/api/br/balances/{id}/"
        })
      )
      assert.strictEqual(wait.count, 2)
      assert.strictEqual(wait.min, 0)
      assert.strictEqual(wait.max, 5)
    }).pipe(
      Effect.provide(SandboxClient.layer({ client: { rateLimit: { limit: 1, interval: "5 seconds" } } })),
      Effect.provideService(Metric.MetricRegistry, new Map())
    )
  )
})
