/**
 * The link sync on the in-memory engine against the in-process sandbox: the steps, MFA tokens from
 * outside the workflow, the budget, claims, listing into a sink, joining a running sync.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { TestClock } from "effect/testing"
import { Balances } from "../../src/index.js"
import { Sandbox, SandboxClient, SandboxModel } from "../../src/testing/index.js"
import { LinkSync, PageSink, SyncError, SyncStore } from "../../src/workflow/index.js"
import { makeRecorder } from "../support/record.js"

const embedded = (sink: PageSink.Service = PageSink.make(() => Effect.void)) =>
  LinkSync.layerEmbedded(Layer.succeed(PageSink.PageSink, sink)).pipe(
    Layer.provideMerge(SandboxClient.layer({ largeLinkBalances: 2_500 }))
  )

/** Waits (in virtual time) until the sync has a challenge waiting for a token. */
const waitingFor = (link: string) =>
  Effect.gen(function* () {
    for (let i = 0; i < 200; i++) {
      const waiting = (yield* LinkSync.pending).find((w) => w.link === link)
      if (waiting !== undefined) return waiting
      yield* TestClock.adjust("10 millis")
    }
    return yield* Effect.die(new Error(`no challenge waiting for ${link}`))
  })

describe("LinkSync", () => {
  it.effect("a plain link: retrieved once, summary reported", () =>
    Effect.gen(function* () {
      const summary = yield* LinkSync.start({ link: SandboxModel.plainLinkId, run: "r1" })
      assert.deepStrictEqual(summary, {
        link: SandboxModel.plainLinkId,
        run: "r1",
        status: 201,
        retrieved: 2,
        rounds: 0,
        pages: 0,
        listed: 0,
        resent: 0
      })
      const posts = (yield* Sandbox.requests).filter((r) => r.method === "POST")
      assert.lengthOf(posts, 1)
    }).pipe(Effect.provide(embedded()))
  )

  it.effect("an MFA link waits for a token from outside, then resumes", () =>
    Effect.gen(function* () {
      const payload = { link: SandboxModel.mfaLinkId, run: "r1" }
      const fiber = yield* Effect.forkChild(LinkSync.start(payload))
      const waiting = yield* waitingFor(payload.link)
      assert.strictEqual(waiting.round, 1)
      assert.strictEqual(waiting.challenge.token_generation_data?.expects_user_input, true)
      yield* LinkSync.answer(payload, SandboxModel.tokenFor(waiting.challenge))
      yield* TestClock.adjust("1 second")
      const summary = yield* Fiber.join(fiber)
      assert.strictEqual(summary.rounds, 1)
      assert.strictEqual(summary.retrieved, 1)
      assert.lengthOf(yield* LinkSync.pending, 0)
      const methods = (yield* Sandbox.requests).map((r) => r.method)
      assert.deepStrictEqual(methods, ["POST", "PATCH"])
    }).pipe(Effect.provide(embedded()))
  )

  it.effect("a confirmation on another device: answered with no token", () =>
    Effect.gen(function* () {
      const payload = { link: SandboxModel.confirmLinkId, run: "r1" }
      const fiber = yield* Effect.forkChild(LinkSync.start(payload))
      const waiting = yield* waitingFor(payload.link)
      assert.strictEqual(waiting.challenge.token_generation_data?.expects_user_input, false)
      yield* LinkSync.answer({ executionId: waiting.executionId }, undefined)
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(fiber)).rounds, 1)
      const patch = (yield* Sandbox.requests).find((r) => r.method === "PATCH")
      assert.isFalse("token" in JSON.parse(patch?.body ?? "{}"))
    }).pipe(Effect.provide(embedded()))
  )

  it.effect("no token before the challenge expires: TokenTimedOut, nothing resumed", () =>
    Effect.gen(function* () {
      const payload = { link: SandboxModel.mfaLinkId, run: "r1" }
      const fiber = yield* Effect.forkChild(Effect.flip(LinkSync.start(payload)))
      yield* waitingFor(payload.link)
      yield* TestClock.adjust("11 minutes")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "TokenTimedOut")
      assert.lengthOf(yield* LinkSync.pending, 0)
      assert.isFalse((yield* Sandbox.requests).some((r) => r.method === "PATCH"))
    }).pipe(Effect.provide(embedded()))
  )

  it.effect("the same payload joins the running sync: one retrieve", () =>
    Effect.gen(function* () {
      const payload = { link: SandboxModel.mfaLinkId, run: "r2" }
      const first = yield* Effect.forkChild(LinkSync.start(payload))
      const waiting = yield* waitingFor(payload.link)
      const second = yield* Effect.forkChild(LinkSync.start(payload))
      yield* TestClock.adjust("10 millis")
      yield* LinkSync.answer(payload, SandboxModel.tokenFor(waiting.challenge))
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* Fiber.join(first), yield* Fiber.join(second))
      assert.lengthOf(
        (yield* Sandbox.requests).filter((r) => r.method === "POST"),
        1
      )
    }).pipe(Effect.provide(embedded()))
  )

  it.effect("the monthly budget per person: granted up to the limit, once per sync, then BudgetSpent", () =>
    Effect.gen(function* () {
      const person = "12345678900"
      const one = yield* LinkSync.start({ link: SandboxModel.plainLinkId, run: "a", person })
      // The same sync again spends nothing more.
      yield* LinkSync.start({ link: SandboxModel.plainLinkId, run: "a", person })
      yield* LinkSync.start({ link: SandboxModel.plainLinkId, run: "b", person })
      const error = yield* Effect.flip(LinkSync.start({ link: SandboxModel.plainLinkId, run: "c", person }))
      assert.strictEqual(one.status, 201)
      assert.strictEqual(error._tag, "BudgetSpent")
      const posts = (yield* Sandbox.requests).filter((r) => r.method === "POST")
      assert.lengthOf(posts, 2)
    }).pipe(
      Effect.provide(embedded()),
      Effect.provideService(LinkSync.Settings, { ...LinkSync.defaultSettings, monthlyBudget: 2 })
    )
  )

  it.effect(
    "a person's CPF shows in no message, log line, span or JSON of the library; the error holds it on purpose",
    () => {
      const recorder = makeRecorder()
      const person = "98765432100"
      return Effect.gen(function* () {
        yield* LinkSync.start({ link: SandboxModel.plainLinkId, run: "a", person })
        const error = yield* Effect.flip(LinkSync.start({ link: SandboxModel.plainLinkId, run: "b", person }))
        assert.strictEqual(error._tag, "BudgetSpent")
        if (error._tag !== "BudgetSpent") return
        yield* Effect.logError("sync failed", error)
        yield* Effect.logError(Cause.fail(error))
        const shown = [
          error.message,
          String(error),
          JSON.stringify(error),
          Cause.pretty(Cause.fail(error)),
          recorder.text()
        ].join("\n")
        assert.notInclude(shown, person)
        assert.notInclude(shown, "987654321")
        assert.include(error.message, "*********00")
        // Read on purpose, it is there; and the engine's encoding keeps it, so a stored failure decodes whole.
        assert.strictEqual(Redacted.value(error.person), person)
        const stored = yield* Schema.encodeEffect(SyncError.SyncError)(error)
        const back = yield* Schema.decodeUnknownEffect(SyncError.SyncError)(stored)
        assert.isTrue(back._tag === "BudgetSpent" && Redacted.value(back.person) === person)
      }).pipe(
        recorder.record,
        Effect.provide(embedded()),
        Effect.provideService(LinkSync.Settings, { ...LinkSync.defaultSettings, monthlyBudget: 1 })
      )
    }
  )

  it.effect(
    'resend "never": a retrieve claimed before, its answer lost and nothing stored since: OutcomeUnknown, not sent again',
    () =>
      Effect.gen(function* () {
        const now = Date.parse("2030-01-01T00:00:00Z")
        yield* TestClock.setTime(now)
        const payload = { link: SandboxModel.plainLinkId, run: "crashed" }
        const executionId = yield* LinkSync.LinkSync.executionId(payload)
        const store = yield* SyncStore.SyncStore
        yield* store.claim(`${executionId}/retrieve`, now)
        const unknown = yield* Effect.flip(LinkSync.start(payload))
        assert.strictEqual(unknown._tag, "OutcomeUnknown")
        assert.isFalse((yield* Sandbox.requests).some((r) => r.method === "POST"))
      }).pipe(
        Effect.provide(embedded()),
        Effect.provideService(LinkSync.Settings, { ...LinkSync.defaultSettings, resend: "never" })
      )
  )

  it.effect(
    "a retrieve claimed before whose lost answer did store: recovered from the stored balances, not sent again",
    () =>
      Effect.gen(function* () {
        const now = Date.parse("2030-01-01T00:00:00Z")
        yield* TestClock.setTime(now)
        const payload = { link: SandboxModel.plainLinkId, run: "crashed" }
        const executionId = yield* LinkSync.LinkSync.executionId(payload)
        const store = yield* SyncStore.SyncStore
        // The process that claimed it sent the POST and died before recording the answer.
        yield* store.claim(`${executionId}/retrieve`, now)
        yield* Balances.retrieve({ link: payload.link })
        const summary = yield* LinkSync.start(payload)
        assert.strictEqual(summary.status, 201)
        assert.strictEqual(summary.retrieved, 2)
        assert.lengthOf(
          (yield* Sandbox.requests).filter((r) => r.method === "POST"),
          1
        )
      }).pipe(Effect.provide(embedded()))
  )

  it.effect("listing delivers every stored balance into the sink, one page per delivery key", () =>
    Effect.gen(function* () {
      const memory = yield* PageSink.makeMemory
      const summary = yield* LinkSync.start({ link: SandboxModel.largeLinkId, run: "r1", list: {} }).pipe(
        Effect.provide(embedded(memory.sink))
      )
      assert.strictEqual(summary.pages, 3)
      assert.strictEqual(summary.listed, 2_500 + 3)
      const deliveries = memory.deliveries()
      assert.deepStrictEqual(
        deliveries.map((d) => d.page),
        [1, 2, 3]
      )
      assert.strictEqual(
        deliveries.reduce((n, d) => n + d.balances.length, 0),
        summary.listed
      )
      assert.strictEqual(memory.repeated(), 0)
    })
  )

  it.effect("answering a sync with nothing pending is a typed error", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(LinkSync.answer({ link: SandboxModel.plainLinkId, run: "none" }, "1"))
      assert.strictEqual(error._tag, "NoPendingChallenge")
    }).pipe(Effect.provide(embedded()))
  )
})

describe("LinkSync listing bound", () => {
  it.effect(
    "more pages than maxPages: the sync fails after delivering them, never ends short in silence",
    () =>
      Effect.gen(function* () {
        const memory = yield* PageSink.makeMemory
        const error = yield* Effect.flip(
          LinkSync.start({ link: SandboxModel.largeLinkId, run: "bounded", list: {} }).pipe(
            Effect.provide(embedded(memory.sink)),
            Effect.provideService(LinkSync.Settings, { ...LinkSync.defaultSettings, maxPages: 2 })
          )
        )
        assert.strictEqual(error._tag, "PaginationError")
        assert.lengthOf(memory.deliveries(), 2)
      })
  )
})
