/**
 * A lost request re-sent once (`LinkSync.Settings.resend`): a re-run that finds its claim taken and
 * nothing stored since sends a fresh retrieve (POST), once per sync, within the person's budget,
 * never a PATCH of a stale MFA session. A crash after claiming is simulated by taking the claim in
 * the store before the sync runs; the clock is set past every seeded balance, so nothing of the
 * link was stored since. In-memory engine, in-process sandbox, TestClock.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { TestClock } from "effect/testing"
import * as WorkflowEngine from "effect/workflow/WorkflowEngine"
import { Sandbox, SandboxClient, SandboxModel } from "../../src/testing/index.js"
import { lost, waitingFor } from "./crashes.js"
import { LinkSync, PageSink, SyncError, SyncStore } from "../../src/workflow/index.js"

const NOW = Date.parse("2030-01-01T00:00:00Z")

const embedded = LinkSync.layerEmbedded().pipe(Layer.provideMerge(SandboxClient.layer()))

const withSettings = (settings: Partial<LinkSync.SettingsShape>) =>
  Effect.provideService(LinkSync.Settings, { ...LinkSync.defaultSettings, ...settings })

/**
 * The in-memory store, where Belvo stores the lost re-send's balances late: just as the re-run finds
 * the re-send's claim taken, after it found nothing since the first claim.
 */
const lagging = Layer.effect(
  SyncStore.SyncStore,
  Effect.gen(function* () {
    const inner = yield* SyncStore.SyncStore
    const sandbox = yield* Sandbox.Sandbox
    return SyncStore.SyncStore.of({
      ...inner,
      claim: (key, at) =>
        Effect.tap(inner.claim(key, at), (claim) =>
          !claim.first && key.endsWith("/resend")
            ? Sandbox.addBalances([
                { link: SandboxModel.plainLinkId, collected_at: new Date(at).toISOString() }
              ]).pipe(Effect.provideService(Sandbox.Sandbox, sandbox))
            : Effect.void
        )
    })
  })
).pipe(Layer.provide(SyncStore.layerMemory))

/** The requests that send something (POST, PATCH) in order; the recoveries' listings left out. */
const sent = Effect.map(Sandbox.requests, (log) => log.filter((r) => r.method !== "GET"))
const methods = Effect.map(sent, (log) => log.map((r) => r.method))

const resendOf = (error: SyncError.SyncError) => (error._tag === "OutcomeUnknown" ? error.resend : undefined)

describe("LinkSync re-send", () => {
  it.effect("a lost retrieve with nothing stored (save_data false): one fresh POST, resent 1, recorded", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const payload = { link: SandboxModel.plainLinkId, run: "crashed", save_data: false }
      yield* lost(payload, "retrieve")
      const summary = yield* LinkSync.start(payload)
      assert.strictEqual(summary.status, 200)
      assert.strictEqual(summary.retrieved, 2)
      assert.strictEqual(summary.resent, 1)
      assert.deepStrictEqual(yield* methods, ["POST"])
      assert.strictEqual(JSON.parse((yield* sent)[0]?.body ?? "{}").save_data, false)
      const store = yield* SyncStore.SyncStore
      assert.strictEqual(yield* store.resends, 1)
    }).pipe(Effect.provide(embedded))
  )

  it.effect("a lost retrieve with a person: the re-send reserves one more retrieval of the budget", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const person = "12345678900"
      const payload = { link: SandboxModel.plainLinkId, run: "crashed", person }
      const executionId = yield* lost(payload, "retrieve")
      assert.strictEqual((yield* LinkSync.start(payload)).resent, 1)
      assert.deepStrictEqual(yield* methods, ["POST"])
      const store = yield* SyncStore.SyncStore
      // The sync's own retrieval and its re-send: two of the month's, a third sync is refused.
      const month = "2030-01"
      assert.deepStrictEqual(yield* store.reserve({ person, month, key: executionId, limit: 2 }), {
        granted: true,
        used: 2
      })
      const third = yield* Effect.flip(LinkSync.start({ ...payload, run: "next" }))
      assert.strictEqual(third._tag, "BudgetSpent")
    }).pipe(Effect.provide(embedded), withSettings({ monthlyBudget: 2 }))
  )

  it.effect("the budget is full: no re-send, OutcomeUnknown saying the budget refused it", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const payload = { link: SandboxModel.plainLinkId, run: "crashed", person: "12345678900" }
      yield* lost(payload, "retrieve")
      const error = yield* Effect.flip(LinkSync.start(payload))
      assert.strictEqual(error._tag, "OutcomeUnknown")
      assert.strictEqual(resendOf(error), "budget")
      assert.include(error.message, "refused by the person's monthly retrieval budget")
      assert.deepStrictEqual(yield* methods, [])
      const store = yield* SyncStore.SyncStore
      assert.strictEqual(yield* store.resends, 0)
    }).pipe(Effect.provide(embedded), withSettings({ monthlyBudget: 1 }))
  )

  it.effect('resend "never": OutcomeUnknown as in 1.0, nothing sent', () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const payload = { link: SandboxModel.plainLinkId, run: "crashed", save_data: false }
      yield* lost(payload, "retrieve")
      const error = yield* Effect.flip(LinkSync.start(payload))
      assert.strictEqual(error._tag, "OutcomeUnknown")
      assert.strictEqual(resendOf(error), "never")
      assert.deepStrictEqual(yield* methods, [])
    }).pipe(Effect.provide(embedded), withSettings({ resend: "never" }))
  )

  it.effect(
    "the re-send's own claim taken too (its process stopped as well): OutcomeUnknown, nothing sent",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(NOW)
        const payload = { link: SandboxModel.plainLinkId, run: "crashed", save_data: false }
        yield* lost(payload, "retrieve")
        yield* lost(payload, "resend")
        const error = yield* Effect.flip(LinkSync.start(payload))
        assert.strictEqual(error._tag, "OutcomeUnknown")
        assert.strictEqual(resendOf(error), "spent")
        assert.deepStrictEqual(yield* methods, [])
      }).pipe(Effect.provide(embedded))
  )

  it.effect("the re-send's own claim taken, its balances stored meanwhile: recovered, nothing sent", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const payload = { link: SandboxModel.plainLinkId, run: "crashed" }
      yield* lost(payload, "retrieve")
      yield* TestClock.adjust("1 hour")
      yield* lost(payload, "resend")
      const summary = yield* LinkSync.start(payload)
      assert.strictEqual(summary.status, 201)
      assert.strictEqual(summary.retrieved, 1)
      assert.strictEqual(summary.resent, 1)
      assert.deepStrictEqual(yield* methods, [])
    }).pipe(
      Effect.provide(
        LinkSync.layer.pipe(
          Layer.provide(PageSink.layerDiscard),
          Layer.provideMerge(lagging),
          Layer.provideMerge(WorkflowEngine.layerMemory),
          Layer.provideMerge(SandboxClient.layer())
        )
      )
    )
  )

  it.effect(
    "a lost resume on an MFA link: a fresh POST opens a new session, the next round; the old one is never PATCHed",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(NOW)
        const payload = { link: SandboxModel.mfaLinkId, run: "crashed" }
        const fiber = yield* Effect.forkChild(LinkSync.start(payload))
        const first = yield* waitingFor(payload.link, 1)
        // The process that resumed round 1 claimed its PATCH and died before recording the answer.
        yield* lost(payload, "resume-1")
        yield* LinkSync.answer(payload, SandboxModel.tokenFor(first.challenge))
        const second = yield* waitingFor(payload.link, 2)
        assert.notStrictEqual(second.challenge.session, first.challenge.session)
        yield* LinkSync.answer(payload, SandboxModel.tokenFor(second.challenge))
        yield* TestClock.adjust("1 second")
        const summary = yield* Fiber.join(fiber)
        assert.strictEqual(summary.rounds, 2)
        assert.strictEqual(summary.resent, 1)
        assert.strictEqual(summary.status, 201)
        const log = yield* sent
        assert.deepStrictEqual(
          log.map((r) => r.method),
          ["POST", "POST", "PATCH"]
        )
        const patched = log.filter((r) => r.method === "PATCH").map((r) => JSON.parse(r.body).session)
        assert.deepStrictEqual(patched, [second.challenge.session])
        const store = yield* SyncStore.SyncStore
        assert.strictEqual(yield* store.resends, 1)
      }).pipe(Effect.provide(embedded))
  )

  it.effect("the re-send's challenge counts against maxRounds", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const payload = { link: SandboxModel.mfaLinkId, run: "crashed" }
      const fiber = yield* Effect.forkChild(Effect.flip(LinkSync.start(payload)))
      const first = yield* waitingFor(payload.link, 1)
      yield* lost(payload, "resume-1")
      yield* LinkSync.answer(payload, SandboxModel.tokenFor(first.challenge))
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "TokenRequired")
      assert.deepStrictEqual(yield* methods, ["POST", "POST"])
    }).pipe(Effect.provide(embedded), withSettings({ maxRounds: 1 }))
  )

  it.effect(
    "one re-send per sync: a second lost step after a re-send ends OutcomeUnknown, nothing more sent",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(NOW)
        const payload = { link: SandboxModel.mfaLinkId, run: "crashed" }
        yield* lost(payload, "retrieve")
        const fiber = yield* Effect.forkChild(Effect.flip(LinkSync.start(payload)))
        // The re-send of the lost retrieve was challenged: round 1.
        const first = yield* waitingFor(payload.link, 1)
        yield* lost(payload, "resume-1")
        yield* LinkSync.answer(payload, SandboxModel.tokenFor(first.challenge))
        yield* TestClock.adjust("1 second")
        const error = yield* Fiber.join(fiber)
        assert.strictEqual(error._tag, "OutcomeUnknown")
        assert.strictEqual(resendOf(error), "spent")
        assert.deepStrictEqual(yield* methods, ["POST"])
      }).pipe(Effect.provide(embedded))
  )

  it.effect(
    "stored by 1.0: a summary without resent decodes with 0, an OutcomeUnknown without resend decodes",
    () =>
      Effect.gen(function* () {
        const summary = yield* Schema.decodeUnknownEffect(LinkSync.Summary)({
          link: SandboxModel.plainLinkId,
          run: "r",
          status: 201,
          retrieved: 2,
          rounds: 0,
          pages: 0,
          listed: 0
        })
        assert.strictEqual(summary.resent, 0)
        const error = yield* Schema.decodeUnknownEffect(SyncError.SyncError)({
          _tag: "OutcomeUnknown",
          link: "l",
          step: "retrieve"
        })
        assert.strictEqual(error._tag, "OutcomeUnknown")
        assert.strictEqual(resendOf(error), undefined)
        assert.strictEqual(
          error.message,
          "The retrieve of link l may have reached Belvo before its process stopped; it is not sent again"
        )
      })
  )
})
