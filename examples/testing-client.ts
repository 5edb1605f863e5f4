/**
 * Testing a user's own code that calls Belvo: the code depends on `BelvoClient`; its tests provide
 * `SandboxClient.layer()` instead of the live layer, seed the data they need, script faults, and
 * let `TestClock` drive retries and MFA expiry. The test file of this example is
 * examples/testing-client.test.ts.
 *
 * Run: npx tsx examples/testing-client.ts   (on the real clock: the retry waits its backoff)
 */
import { NodeRuntime } from "@effect/platform-node"
import { BigDecimal, Console, Effect, Stream } from "effect"
import { pathToFileURL } from "node:url"
import { Balances, type BelvoClient } from "../src/index.js"
import { Sandbox, SandboxClient, SandboxFault } from "../src/testing/index.js"

// The application code under test: the exact total available over a link's stored balances.
export const totalAvailable = (
  link: string
): Effect.Effect<BigDecimal.BigDecimal, Balances.ListError, BelvoClient.BelvoClient> =>
  Balances.list({ link, fields: ["available"] }).pipe(
    Stream.runFold(
      () => BigDecimal.fromBigInt(0n),
      (total, balance) => BigDecimal.sum(total, balance.available)
    )
  )

// In a test: the sandbox client replaces the live layer (no socket, no real credentials).
export const TestBelvo = SandboxClient.layer({ seed: 1 })

// Seed exactly the data the test needs: a link of the default secret with two balances.
export const seedTwoBalances = Effect.gen(function* () {
  const link = yield* Sandbox.addLink({ accounts: 1 })
  yield* Sandbox.addBalances([
    { link: link.id, available: "0.10" },
    { link: link.id, available: "0.20" }
  ])
  return link.id
})

// The application code against the seeded sandbox: 0.1 + 0.2 is exactly 0.3 here.
export const exactTotal = Effect.gen(function* () {
  const link = yield* seedTwoBalances
  return BigDecimal.format(yield* totalAvailable(link))
}).pipe(Effect.provide(TestBelvo))

// Script a transient fault: the first GET answers 503, the client retries after its backoff.
export const totalDespiteA503 = Effect.gen(function* () {
  const link = yield* seedTwoBalances
  yield* Sandbox.addFaults(SandboxFault.status(503, { method: "GET" }))
  const total = yield* totalAvailable(link)
  const attempts = (yield* Sandbox.requests).length
  return { total: BigDecimal.format(total), attempts }
}).pipe(Effect.provide(TestBelvo))

export const main = Effect.gen(function* () {
  yield* Console.log("exact total:", yield* exactTotal) // 0.3
  yield* Console.log("despite a 503:", JSON.stringify(yield* totalDespiteA503)) // {"total":"0.3","attempts":2}
})

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) NodeRuntime.runMain(main)
