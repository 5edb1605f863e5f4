/**
 * The tests of examples/testing-client.ts, as a user would write them for their own code (and what
 * docs/testing.md quotes). `npm test` runs them: vitest also collects examples/*.test.ts.
 */
import { assert, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"
import { exactTotal, totalDespiteA503 } from "./testing-client.js"

it.effect("the seeded sandbox gives the exact total", () =>
  Effect.gen(function* () {
    assert.strictEqual(yield* exactTotal, "0.3")
  })
)

it.effect("a scripted 503 is retried after the backoff, driven by TestClock", () =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(totalDespiteA503)
    yield* TestClock.adjust("400 millis")
    assert.isUndefined(fiber.pollUnsafe())
    yield* TestClock.adjust("1 second")
    assert.deepStrictEqual(yield* Fiber.join(fiber), { total: "0.3", attempts: 2 })
  })
)
