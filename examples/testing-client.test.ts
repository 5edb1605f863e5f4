/**
 * Testing a user's own code that calls Belvo, as docs/testing.md shows it: the code depends on
 * `BelvoClient`; its tests provide `SandboxClient.layer()` instead of the live layer, seed the data
 * they need, script faults, and let `TestClock` drive the retry's backoff. `npm test` runs it
 * (vitest collects examples/*.test.ts).
 *
 * Run: npx vitest run examples/testing-client.test.ts
 */
import { assert, it } from "@effect/vitest"
import { BigDecimal, Effect, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { Balances, type BelvoClient } from "../src/index.js"
import { Sandbox, SandboxClient, SandboxFault } from "../src/testing/index.js"

// The application code under test (in your project, a module of its own that the test imports):
// the exact total available over a link's stored balances.
export const totalAvailable = (
  link: string
): Effect.Effect<BigDecimal.BigDecimal, Balances.ListError, BelvoClient.BelvoClient> =>
  Balances.list({ link, fields: ["available"] }).pipe(
    Stream.runFold(
      () => BigDecimal.fromBigInt(0n),
      (total, balance) => BigDecimal.sum(total, balance.available)
    )
  )

// The sandbox client replaces the live layer: no socket, no real credentials. Each provide of it
// builds a fresh sandbox.
const TestBelvo = SandboxClient.layer({ seed: 1 })

// Seed exactly the data the test needs: a link of the default secret with two balances.
const seedTwoBalances = Effect.gen(function* () {
  const link = yield* Sandbox.addLink({ accounts: 1 })
  yield* Sandbox.addBalances([
    { link: link.id, available: "0.10" },
    { link: link.id, available: "0.20" }
  ])
  return link.id
})

it.effect("the seeded sandbox gives the exact total: 0.1 + 0.2 is 0.3", () =>
  Effect.gen(function* () {
    const link = yield* seedTwoBalances
    assert.strictEqual(BigDecimal.format(yield* totalAvailable(link)), "0.3")
  }).pipe(Effect.provide(TestBelvo))
)

it.effect("a scripted 503 is retried after the backoff, driven by TestClock", () =>
  Effect.gen(function* () {
    const link = yield* seedTwoBalances
    // A transient fault: the first GET answers 503, and the client retries after its backoff.
    yield* Sandbox.addFaults(SandboxFault.status(503, { method: "GET" }))
    const fiber = yield* Effect.forkChild(totalAvailable(link))
    yield* TestClock.adjust("400 millis")
    assert.isUndefined(fiber.pollUnsafe()) // still waiting: the first backoff is 0.4 s to 0.6 s
    yield* TestClock.adjust("1 second")
    assert.strictEqual(BigDecimal.format(yield* Fiber.join(fiber)), "0.3")
    assert.lengthOf(yield* Sandbox.requests, 2)
  }).pipe(Effect.provide(TestBelvo))
)
