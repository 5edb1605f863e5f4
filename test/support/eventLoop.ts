/**
 * Waiting on the real event loop, not on time: the client hands some work to `setImmediate` (the
 * list's read-ahead lets a request be written before a page is decoded), which a `TestClock`
 * adjustment does not run. These helpers let the loop turn a bounded number of times.
 */
import { assert } from "@effect/vitest"
import * as Effect from "effect/Effect"

/** One turn of the event loop: pending microtasks, then `setImmediate` callbacks. */
export const turn: Effect.Effect<void> = Effect.promise(
  () => new Promise<void>((resolve) => setImmediate(resolve))
)

/** Turns the event loop `times` times, so whatever can happen without time passing has happened. */
export const settle = (times = 20): Effect.Effect<void> => Effect.repeat(turn, { times: times - 1 })

/** Turns the event loop until `condition` holds; fails the test after `max` turns. */
export const eventually = (condition: () => boolean, what: string, max = 200): Effect.Effect<void> =>
  Effect.gen(function* () {
    for (let i = 0; i < max; i++) {
      if (condition()) return
      yield* turn
    }
    assert.fail(`never happened: ${what}`)
  })
