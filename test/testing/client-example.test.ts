/** examples/testing-client.ts does what docs/testing.md says it does. */
import { expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { exactTotal, totalDespiteA503 } from "../../examples/testing-client.js"

it.effect("the seeded sandbox gives the exact total", () =>
  Effect.gen(function* () {
    expect(yield* exactTotal).toBe("0.3")
  })
)

it.effect("a scripted 503 is retried after the backoff, driven by TestClock", () =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(totalDespiteA503)
    yield* TestClock.adjust("400 millis")
    expect(fiber.unsafePoll()).toBeNull()
    yield* TestClock.adjust("1 second")
    expect(yield* Fiber.join(fiber)).toEqual({ total: "0.3", attempts: 2 })
  })
)
