/**
 * What the in-memory tests of LinkSync use to play a crash and a person answering: a step claimed by
 * a process that stopped before recording its answer, and a wait (in virtual time) for a challenge.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { TestClock } from "effect/testing"
import { LinkSync, SyncStore } from "../../src/workflow/index.js"

/** The process that ran `step` of the sync claimed it and stopped before recording its answer. */
export const lost = (payload: LinkSync.Payload, step: string) =>
  Effect.gen(function* () {
    const executionId = yield* LinkSync.LinkSync.executionId(payload)
    const store = yield* SyncStore.SyncStore
    yield* store.claim(`${executionId}/${step}`, yield* Clock.currentTimeMillis)
    return executionId
  })

/** A turn of the real event loop, for work the in-process sandbox does outside the fiber runtime. */
const turn = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/**
 * Waits (in virtual time, giving the event loop a turn at each step, which a busy machine needs)
 * until the sync has a challenge of `round` waiting for a token.
 */
export const waitingFor = (link: string, round: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < 1_000; i++) {
      const waiting = (yield* LinkSync.pending).find((w) => w.link === link && w.round === round)
      if (waiting !== undefined) return waiting
      yield* TestClock.adjust("10 millis")
      yield* turn
    }
    return yield* Effect.die(new Error(`no challenge of round ${round} waiting for ${link}`))
  })
