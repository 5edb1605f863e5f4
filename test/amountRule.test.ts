/**
 * One rule for amounts, from one definition (src/internal/amount.ts): the sandbox seeds exactly
 * the amounts the client reads, the client reads them to the same value, and both refuse the rest
 * with a message that states the rule (18 integer digits, 8 decimal places).
 */
import { assert, describe, it } from "@effect/vitest"
import * as BigDecimal from "effect/BigDecimal"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import { Balance, Balances } from "../src/index.js"
import { AMOUNT_RULE, decimalOf } from "../src/internal/amount.js"
import { Sandbox, SandboxClient } from "../src/testing/index.js"
import { propertyInContext } from "./support/property.js"

/** Amounts as a test might seed them: cents, long decimals, past either bound, exponents, doubles, junk. */
const amountInput: fc.Arbitrary<number | string> = fc.oneof(
  fc.integer({ min: -1e12, max: 1e12 }).map((cents) => (cents / 100).toFixed(2)),
  fc
    .tuple(fc.stringMatching(/^-?\d{1,22}$/), fc.stringMatching(/^\d{0,12}$/))
    .map(([integer, fraction]) => (fraction === "" ? integer : `${integer}.${fraction}`)),
  fc.stringMatching(/^-?\d{1,3}(\.\d{1,3})?[eE][+-]?\d{1,2}$/),
  fc.constantFrom(
    "0.30000000000000004",
    "0.123456789",
    "1234567890123456789.5",
    "999999999999999999.99999999",
    "1e999999999",
    "",
    "abc",
    "1.",
    ".5",
    "+1",
    "NaN",
    "-0",
    "00012.50"
  ),
  fc.integer({ min: -1e12, max: 1e12 }).map((cents) => cents / 100),
  fc.double(),
  fc.constantFrom(0.1 + 0.2, 1e21, 1e-9, 123456789012345.67, Number.NaN, Number.POSITIVE_INFINITY)
)

const decodeAmount = Schema.decodeUnknownResult(Balance.Amount)

/** The message of a defect, or of a typed failure. */
const messageOf = (cause: Cause.Cause<unknown>) => {
  const error = Cause.squash(cause)
  return error instanceof Error ? error.message : String(error)
}

/** Seeds one balance whose `available` is `amount` on a fresh link, then lists it with the client. */
const seedThenList = (amount: number | string) =>
  Effect.gen(function* () {
    const link = yield* Sandbox.addLink()
    const seeded = yield* Effect.exit(Sandbox.addBalances([{ link: link.id, available: amount }]))
    const expected = decimalOf(amount)
    const client = decodeAmount(amount)
    if (expected === undefined) {
      // The client refuses it: so does seeding, naming the same rule.
      assert.isTrue(Result.isFailure(client), `the client reads ${String(amount)}`)
      if (Result.isFailure(client)) assert.include(client.failure.message, `Expected ${AMOUNT_RULE}`)
      assert.isTrue(Exit.isFailure(seeded), `the sandbox seeded ${String(amount)}`)
      if (Exit.isFailure(seeded)) assert.include(messageOf(seeded.cause), `available must be ${AMOUNT_RULE}`)
      return
    }
    // Seeded: the client lists it back as the same value, whatever the wire form.
    assert.isTrue(Exit.isSuccess(seeded), Exit.isFailure(seeded) ? messageOf(seeded.cause) : "")
    const listed = yield* Stream.runCollect(Balances.list({ link: link.id }))
    assert.strictEqual(listed.length, 1)
    const available = listed[0]!.available
    assert.isTrue(
      BigDecimal.equals(available, expected),
      `${String(amount)} listed as ${BigDecimal.format(available)}, expected ${BigDecimal.format(expected)}`
    )
  })

describe("amounts: the sandbox seeds what the client reads, by the same rule", () => {
  for (const quoteAmounts of [false, true]) {
    it.effect(
      `whatever seeding accepts lists back equal; whatever the client refuses, seeding refuses (quoteAmounts: ${quoteAmounts})`,
      () =>
        propertyInContext(amountInput, seedThenList, { numRuns: 200 }).pipe(
          Effect.provide(SandboxClient.layer({ quoteAmounts }))
        )
    )
  }

  it.effect("the cases a user met: seeding refuses them, stating the rule", () =>
    Effect.gen(function* () {
      const link = yield* Sandbox.addLink()
      for (const amount of ["0.30000000000000004", "0.123456789", "1234567890123456789.5", 0.1 + 0.2]) {
        const seeded = yield* Effect.exit(Sandbox.addBalances([{ link: link.id, blocked: amount }]))
        assert.isTrue(Exit.isFailure(seeded), String(amount))
        if (Exit.isFailure(seeded)) {
          assert.include(
            messageOf(seeded.cause),
            "blocked must be a decimal amount with at most 18 integer digits and 8 decimal places"
          )
        }
      }
    }).pipe(Effect.provide(SandboxClient.layer()))
  )
})
