import { assert, describe, it } from "@effect/vitest"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import { expectTypeOf } from "vitest"
import * as Balance from "../src/Balance.js"
import { decimalOfString } from "../src/internal/amount.js"
import { parseLossless } from "../src/internal/json.js"

const wire = {
  id: "0b94bdf9-3719-43a9-81e7-be95d2318595",
  link: "30cb4806-6e00-48a4-91c9-ca55968576c8",
  account_id: "c4bfecf9-4eb6-4920-9f9f-e1f1e60ef321",
  account_internal_identification: "92792126019929279212650822221989319252576",
  collected_at: "2024-05-21T08:32:00Z",
  created_at: "2024-05-21T08:32:00Z",
  last_updated_at: "2021-05-21T08:30:00Z",
  currency: "BRL",
  available: 1000.02,
  blocked: 0,
  automatically_invested: 12.5
}

const decode = Schema.decodeUnknownResult(Balance.Balance)
const encode = Schema.encodeSync(Balance.Balance)
const equivalent = Schema.toEquivalence(Balance.Balance)

describe("Balance", () => {
  it("decodes the documented example into exact types", () => {
    const balance = Result.getOrThrow(decode(wire))
    assert.strictEqual(BigDecimal.format(balance.available), "1000.02")
    assert.strictEqual(DateTime.formatIso(balance.collected_at), "2024-05-21T08:32:00.000Z")
    assert.strictEqual(balance.currency, "BRL")
  })

  it("sums amounts exactly where floats would not", () => {
    const a = Result.getOrThrow(decode({ ...wire, available: 0.1 }))
    const b = Result.getOrThrow(decode({ ...wire, available: 0.2 }))
    assert.strictEqual(BigDecimal.format(BigDecimal.sum(a.available, b.available)), "0.3")
    assert.notStrictEqual(0.1 + 0.2, 0.3)
  })

  it("is lenient on rules that would drop real data", () => {
    const balance = Result.getOrThrow(
      decode({ ...wire, available: -15.5, blocked: "123456789012345.6789", extra_field: { nested: true } })
    )
    assert.strictEqual(BigDecimal.format(balance.available), "-15.5")
    assert.strictEqual(BigDecimal.format(balance.blocked), "123456789012345.6789")
    assert.isFalse("extra_field" in balance)
  })

  it("is strict on types", () => {
    for (const broken of [
      { ...wire, id: undefined },
      { ...wire, available: "ten" },
      { ...wire, available: true },
      { ...wire, collected_at: "not a date" },
      { ...wire, link: "not-a-uuid" },
      { ...wire, currency: 3 }
    ]) {
      const result = decode(broken)
      assert.isTrue(Result.isFailure(result))
      if (Result.isFailure(result)) assert.isTrue(Schema.isSchemaError(result.failure))
    }
  })

  it("keeps amounts beyond double precision exact through the lossless parser", () => {
    const text = JSON.stringify({ ...wire, available: 0 }).replace(
      '"available":0',
      '"available":123456789012345.6789'
    )
    assert.notStrictEqual(JSON.parse(text).available, "123456789012345.6789")
    const balance = Result.getOrThrow(decode(parseLossless(text)))
    assert.strictEqual(BigDecimal.format(balance.available), "123456789012345.6789")
  })

  it("leaves look-alike text inside strings untouched", () => {
    const text = '{"note":"x \\"available\\": 12.5 y","available":1234567890123.4567}'
    assert.deepStrictEqual(parseLossless(text), {
      note: 'x "available": 12.5 y',
      available: "1234567890123.4567"
    })
  })

  it("never changes an amount token's value, whatever its length, spacing or key escapes", () => {
    // A JSON number token: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
    const token = fc
      .tuple(
        fc.constantFrom("", "-"),
        fc.oneof(fc.constant("0"), fc.stringMatching(/^[1-9]\d{0,21}$/)),
        fc.option(fc.stringMatching(/^\d{1,16}$/), { nil: undefined }),
        fc.option(
          fc.tuple(
            fc.constantFrom("e", "E"),
            fc.constantFrom("", "+", "-"),
            fc.oneof(fc.nat(40), fc.integer({ min: 300, max: 1000 }))
          ),
          {
            nil: undefined
          }
        )
      )
      .map(
        ([sign, integer, fraction, exponent]) =>
          `${sign}${integer}${fraction === undefined ? "" : `.${fraction}`}${exponent === undefined ? "" : exponent.join("")}`
      )
    const space = fc.constantFrom("", " ", "\n  ", "\t")
    fc.assert(
      fc.property(
        fc.constantFrom(...Balance.amountFieldNames),
        token,
        fc.tuple(space, space, space),
        fc.boolean(),
        (field, amount, [before, after, trailing], escaped) => {
          const key = escaped
            ? `${field.slice(0, 1)}\\u00${field.charCodeAt(1).toString(16)}${field.slice(2)}`
            : field
          const text = JSON.stringify({ ...wire, [field]: "@AMOUNT@" }).replace(
            `"${field}":"@AMOUNT@"`,
            `"${key}"${before}:${after}${amount}${trailing}`
          )
          const decoded = decode(parseLossless(text))
          // The token's exact value, read by BigDecimal itself.
          const exact = BigDecimal.normalize(BigDecimal.fromStringUnsafe(amount))
          // Never a changed value: decoded exactly, or refused...
          if (Result.isSuccess(decoded)) return BigDecimal.equals(decoded.success[field], exact)
          // ...and refused only out of range (or with an exponent past the bound on its text).
          return decimalOfString(amount) === undefined
        }
      ),
      { numRuns: 3000 }
    )
  })

  it("lists its amount fields from the schema: those decoded by Amount", () => {
    assert.deepStrictEqual(Balance.amountFieldNames, ["available", "blocked", "automatically_invested"])
    for (const field of Balance.fieldNames) {
      assert.strictEqual(
        Balance.amountFieldNames.includes(field as Balance.AmountField),
        Balance.Balance.fields[field] === Balance.Amount,
        field
      )
    }
    expectTypeOf<Balance.AmountField>().toEqualTypeOf<"available" | "blocked" | "automatically_invested">()
  })

  it("parses short amounts as plain numbers: a double holds 15 significant digits exactly", () => {
    const text = JSON.stringify({ available: 123456789012.34, blocked: -0.5 })
    assert.deepStrictEqual(parseLossless(text), { available: 123456789012.34, blocked: -0.5 })
  })

  it.prop(
    "encode -> JSON text -> decode gives an equal balance",
    [Balance.Balance],
    ([balance]) => {
      const text = JSON.stringify(encode(balance))
      const decoded = Result.getOrThrow(decode(parseLossless(text)))
      return equivalent(balance, decoded)
    },
    { arbitrary: { runs: 300 } }
  )

  it.prop(
    "any JSON that is not a balance fails with a typed error, never a throw",
    [Schema.Json],
    ([value]) => {
      const result = decode(value)
      return Result.isFailure(result) && Schema.isSchemaError(result.failure)
    },
    { arbitrary: { runs: 300 } }
  )

  it.prop(
    "a balance with one field removed or retyped never decodes",
    [Balance.Balance, Schema.Literals(Balance.fieldNames), Schema.Boolean],
    ([balance, field, remove]) => {
      const encoded: Record<string, unknown> = { ...encode(balance) }
      if (remove) delete encoded[field]
      else encoded[field] = { wrong: true }
      return Result.isFailure(decode(encoded))
    }
  )

  it.prop(
    "toJson writes every amount as exact decimal text with two decimal places at least, and reads back equal",
    [Balance.Balance],
    ([balance]) => {
      const json = JSON.parse(JSON.stringify(Balance.toJson(balance)))
      const amountsExact = Balance.amountFieldNames.every(
        (field) =>
          /^-?\d+\.\d{2,}$/.test(json[field]) &&
          BigDecimal.equals(BigDecimal.fromStringUnsafe(json[field]), balance[field])
      )
      return amountsExact && equivalent(Result.getOrThrow(decode(json)), balance)
    }
  )

  it("toJson keeps a projection's fields only, and formatAmount pads to cents without rounding", () => {
    const balance = Result.getOrThrow(decode({ ...wire, available: 1000.2, blocked: "0.00000001" }))
    const slim = { id: balance.id, available: balance.available, collected_at: balance.collected_at }
    assert.deepStrictEqual(Balance.toJson(slim), {
      id: wire.id,
      available: "1000.20",
      collected_at: "2024-05-21T08:32:00.000Z"
    })
    assert.strictEqual(Balance.formatAmount(balance.blocked), "0.00000001")
    assert.strictEqual(Balance.formatAmount(BigDecimal.fromStringUnsafe("-1200")), "-1200.00")
    assert.strictEqual(Balance.formatAmount(BigDecimal.fromStringUnsafe("-0.5")), "-0.50")
  })

  it("decodes a page", () => {
    const page = Schema.decodeUnknownSync(Balance.Page(Balance.Balance))({
      count: 1,
      next: null,
      previous: null,
      results: [wire]
    })
    assert.lengthOf(page.results, 1)
  })
})
