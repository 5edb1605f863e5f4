/**
 * When a sync claims its retrieve: as the request goes out, after the client's rate limit let it
 * through, not before waiting. A process that stops while its requests wait for the limiter then
 * leaves no claims behind, and whoever runs those syncs again sends them instead of reporting
 * `OutcomeUnknown` for requests that never left (test/workflow/cluster.test.ts shows it across
 * processes; this is the same on the in-memory engine, with the TestClock).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { TestClock } from "effect/testing"
import * as WorkflowEngine from "effect/workflow/WorkflowEngine"
import { Sandbox, SandboxClient, SandboxModel } from "../../src/testing/index.js"
import { LinkSync, PageSink, SyncStore } from "../../src/workflow/index.js"

/** The in-memory store, every claim recorded with its time. */
const recording = (claims: Array<{ readonly key: string; readonly at: number }>) =>
  Layer.effect(
    SyncStore.SyncStore,
    Effect.map(SyncStore.SyncStore, (inner) =>
      SyncStore.SyncStore.of({
        ...inner,
        claim: (key, at) =>
          Effect.tap(inner.claim(key, at), () => Effect.sync(() => claims.push({ key, at })))
      })
    )
  ).pipe(Layer.provide(SyncStore.layerMemory))

/** Lets the syncs run: `times` small steps of the TestClock (the in-process sandbox needs turns). */
const steps = (times: number) => Effect.repeat(TestClock.adjust("10 millis"), { times: times - 1 })

describe("LinkSync claims", () => {
  it.effect("a retrieve waiting for the rate limit holds no claim; it claims as it goes out", () => {
    const claims: Array<{ readonly key: string; readonly at: number }> = []
    return Effect.gen(function* () {
      const first = yield* Effect.forkChild(LinkSync.start({ link: SandboxModel.plainLinkId, run: "a" }))
      const second = yield* Effect.forkChild(LinkSync.start({ link: SandboxModel.plainLinkId, run: "b" }))
      yield* steps(100)
      // One permit a minute: the first sync's retrieve went out and is claimed; the second waits, unclaimed.
      assert.strictEqual(yield* Fiber.join(first).pipe(Effect.map((s) => s.status)), 201)
      assert.lengthOf(claims, 1)
      assert.isBelow(claims[0]?.at ?? Number.NaN, 1_000)
      assert.lengthOf(
        (yield* Sandbox.requests).filter((r) => r.method === "POST"),
        1
      )
      yield* TestClock.adjust("1 minute")
      yield* steps(10)
      const summaries = [yield* Fiber.join(first), yield* Fiber.join(second)]
      assert.deepStrictEqual(
        summaries.map((s) => s.status),
        [201, 201]
      )
      assert.lengthOf(claims, 2)
      assert.isAtLeast(claims[1]?.at ?? 0, 60_000)
      assert.notStrictEqual(claims[0]?.key, claims[1]?.key)
    }).pipe(
      Effect.provide(
        LinkSync.layer.pipe(
          Layer.provide(PageSink.layerDiscard),
          Layer.provideMerge(recording(claims)),
          Layer.provideMerge(WorkflowEngine.layerMemory),
          Layer.provideMerge(
            SandboxClient.layer({ client: { rateLimit: { limit: 1, interval: "1 minute" } } })
          )
        )
      )
    )
  })
})
