/**
 * The counters LinkSync records (`SyncMetrics`), each test on a registry of its own: syncs by
 * outcome, re-runs, recoveries, re-sends and budget refusals each move by what the syncs did, once
 * however often the workflow replays (an MFA sync replays after its token), and no attribute names
 * a link, person, run or execution. In-memory engine, in-process sandbox, TestClock.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import { TestClock } from "effect/testing"
import { syncHealth } from "../../examples/observability-sync.js"
import { Balances } from "../../src/index.js"
import { SandboxClient, SandboxModel } from "../../src/testing/index.js"
import { lost, waitingFor } from "./crashes.js"
import { LinkSync, SyncMetrics, SyncStore } from "../../src/workflow/index.js"

const NOW = Date.parse("2030-01-01T00:00:00Z")

const embedded = LinkSync.layerEmbedded().pipe(Layer.provideMerge(SandboxClient.layer()))

/** Each test counts into a registry of its own. */
const ownRegistry = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => Effect.provideService(effect, Metric.MetricRegistry, new Map()))

/** The sum of a counter's snapshots whose attributes include `attributes`. */
const countOf = (metric: Metric.Metric<number, unknown>, attributes: Readonly<Record<string, string>> = {}) =>
  Effect.map(Metric.snapshot, (snapshots) =>
    snapshots
      .filter((snapshot) => snapshot.id === metric.id)
      .filter((snapshot) =>
        Object.entries(attributes).every(([key, value]) => snapshot.attributes?.[key] === value)
      )
      .reduce(
        (sum, snapshot) => sum + Number((snapshot.state as { readonly count: number | bigint }).count),
        0
      )
  )

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-/i

describe("SyncMetrics", () => {
  it.effect("syncs by outcome: each counted once when it ends, an MFA sync once despite its replays", () =>
    Effect.gen(function* () {
      const person = "12345678900"
      yield* LinkSync.start({ link: SandboxModel.plainLinkId, run: "a", person })
      // The same payload again: the ended sync's summary, nothing run, nothing counted.
      yield* LinkSync.start({ link: SandboxModel.plainLinkId, run: "a", person })
      const spent = yield* Effect.flip(LinkSync.start({ link: SandboxModel.plainLinkId, run: "b", person }))
      assert.strictEqual(spent._tag, "BudgetSpent")
      // An MFA sync: suspended waiting for its token, replayed after it.
      const payload = { link: SandboxModel.mfaLinkId, run: "a" }
      const fiber = yield* Effect.forkChild(LinkSync.start(payload))
      const waiting = yield* waitingFor(payload.link, 1)
      assert.strictEqual(yield* countOf(SyncMetrics.finished), 2, "a sync waiting for a token is not counted")
      yield* LinkSync.answer(payload, SandboxModel.tokenFor(waiting.challenge))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      // No token in time.
      const late = yield* Effect.forkChild(Effect.flip(LinkSync.start({ ...payload, run: "late" })))
      yield* waitingFor(payload.link, 1)
      yield* TestClock.adjust("11 minutes")
      assert.strictEqual((yield* Fiber.join(late))._tag, "TokenTimedOut")

      assert.strictEqual(yield* countOf(SyncMetrics.finished, { "belvo.outcome": "succeeded" }), 2)
      assert.strictEqual(yield* countOf(SyncMetrics.finished, { "belvo.outcome": "BudgetSpent" }), 1)
      assert.strictEqual(yield* countOf(SyncMetrics.finished, { "belvo.outcome": "TokenTimedOut" }), 1)
      assert.strictEqual(yield* countOf(SyncMetrics.finished), 4)
      assert.strictEqual(yield* countOf(SyncMetrics.budgetRefusals, { "belvo.reservation": "retrieve" }), 1)
      assert.strictEqual(yield* countOf(SyncMetrics.budgetRefusals), 1)
      // Nothing was lost: no re-run, recovery or re-send.
      assert.strictEqual(yield* countOf(SyncMetrics.reruns), 0)
      assert.strictEqual(yield* countOf(SyncMetrics.recoveries), 0)
      assert.strictEqual(yield* countOf(SyncMetrics.resends), 0)
    }).pipe(
      Effect.provide(embedded),
      Effect.provideService(LinkSync.Settings, { ...LinkSync.defaultSettings, monthlyBudget: 1 }),
      ownRegistry
    )
  )

  it.effect("re-runs, recoveries, re-sends and budget refusals, by step", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      // 1. A lost retrieve whose balances were stored: a re-run, a recovery.
      const stored = { link: SandboxModel.plainLinkId, run: "stored" }
      yield* lost(stored, "retrieve")
      yield* Balances.retrieve({ link: stored.link })
      yield* LinkSync.start(stored)
      // 2. A lost retrieve with nothing stored: a re-run, a re-send.
      const resent = { link: SandboxModel.plainLinkId, run: "resent", save_data: false }
      yield* lost(resent, "retrieve")
      assert.strictEqual((yield* LinkSync.start(resent)).resent, 1)
      // 3. A lost retrieve, the person's budget full: a re-run, a refused re-send, OutcomeUnknown.
      const refused = {
        link: SandboxModel.plainLinkId,
        run: "refused",
        save_data: false,
        person: "12345678900"
      }
      yield* lost(refused, "retrieve")
      const unknown = yield* Effect.flip(LinkSync.start(refused))
      assert.strictEqual(unknown._tag, "OutcomeUnknown")
      // 4. A lost resume on an MFA link: a re-run of the resume, re-sent as a retrieve, a second round.
      const mfa = { link: SandboxModel.mfaLinkId, run: "resumed" }
      const fiber = yield* Effect.forkChild(LinkSync.start(mfa))
      const first = yield* waitingFor(mfa.link, 1)
      yield* lost(mfa, "resume-1")
      yield* LinkSync.answer(mfa, SandboxModel.tokenFor(first.challenge))
      const second = yield* waitingFor(mfa.link, 2)
      yield* LinkSync.answer(mfa, SandboxModel.tokenFor(second.challenge))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(fiber)).rounds, 2)

      assert.strictEqual(yield* countOf(SyncMetrics.reruns, { "belvo.step": "retrieve" }), 3)
      assert.strictEqual(yield* countOf(SyncMetrics.reruns, { "belvo.step": "resume" }), 1)
      assert.strictEqual(yield* countOf(SyncMetrics.reruns), 4)
      assert.strictEqual(yield* countOf(SyncMetrics.recoveries, { "belvo.step": "retrieve" }), 1)
      assert.strictEqual(yield* countOf(SyncMetrics.recoveries), 1)
      assert.strictEqual(yield* countOf(SyncMetrics.resends, { "belvo.step": "retrieve" }), 1)
      assert.strictEqual(yield* countOf(SyncMetrics.resends, { "belvo.step": "resume" }), 1)
      assert.strictEqual(yield* countOf(SyncMetrics.resends), 2)
      assert.strictEqual(yield* countOf(SyncMetrics.budgetRefusals, { "belvo.reservation": "resend" }), 1)
      assert.strictEqual(yield* countOf(SyncMetrics.budgetRefusals), 1)
      assert.strictEqual(yield* countOf(SyncMetrics.finished, { "belvo.outcome": "succeeded" }), 3)
      assert.strictEqual(yield* countOf(SyncMetrics.finished, { "belvo.outcome": "OutcomeUnknown" }), 1)
      const store = yield* SyncStore.SyncStore
      assert.strictEqual(yield* store.resends, 2)
      // What examples/observability-sync.ts (docs/observability.md) reads of them.
      assert.deepStrictEqual(yield* syncHealth, {
        succeeded: 3,
        outcomeUnknown: 1,
        recovered: 1,
        resent: 2,
        resendsRefused: 1
      })

      // Bounded attributes: no link, person, run or execution id in any of the sync's metrics.
      const ids = new Set(SyncMetrics.all.map((metric) => metric.id))
      const values = (yield* Metric.snapshot)
        .filter((snapshot) => ids.has(snapshot.id))
        .flatMap((snapshot) => Object.values(snapshot.attributes ?? {}))
      assert.isNotEmpty(values)
      for (const value of values) {
        assert.notMatch(value, UUID)
        assert.notInclude(value, "12345678900")
        assert.notInclude(["stored", "resent", "refused", "resumed"], value)
      }
    }).pipe(
      Effect.provide(embedded),
      Effect.provideService(LinkSync.Settings, { ...LinkSync.defaultSettings, monthlyBudget: 1 }),
      ownRegistry
    )
  )
})
