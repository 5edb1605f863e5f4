import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { parseLossless } from "../src/internal/json.js"
import { Balance } from "../src/index.js"

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

const decode = Schema.decodeUnknownEither(Balance.Balance)
const encode = Schema.encodeSync(Balance.Balance)
const equivalent = Schema.equivalence(Balance.Balance)

describe("Balance", () => {
  it("decodes the documented example into exact types", () => {
    const balance = Either.getOrThrow(decode(wire))
    expect(BigDecimal.format(balance.available)).toBe("1000.02")
    expect(DateTime.formatIso(balance.collected_at)).toBe("2024-05-21T08:32:00.000Z")
    expect(balance.currency).toBe("BRL")
  })

  it("sums amounts exactly where floats would not", () => {
    const a = Either.getOrThrow(decode({ ...wire, available: 0.1 }))
    const b = Either.getOrThrow(decode({ ...wire, available: 0.2 }))
    expect(BigDecimal.format(BigDecimal.sum(a.available, b.available))).toBe("0.3")
    expect(0.1 + 0.2).not.toBe(0.3)
  })

  it("is lenient on rules that would drop real data", () => {
    const balance = Either.getOrThrow(
      decode({ ...wire, available: -15.5, blocked: "123456789012345.6789", extra_field: { nested: true } })
    )
    expect(BigDecimal.format(balance.available)).toBe("-15.5")
    expect(BigDecimal.format(balance.blocked)).toBe("123456789012345.6789")
    expect("extra_field" in balance).toBe(false)
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
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) expect(ParseResult.isParseError(result.left)).toBe(true)
    }
  })

  it("keeps amounts beyond double precision exact through the lossless parser", () => {
    const text = JSON.stringify({ ...wire, available: 0 }).replace(
      '"available":0',
      '"available":123456789012345.6789'
    )
    expect(JSON.parse(text).available).not.toBe("123456789012345.6789")
    const balance = Either.getOrThrow(decode(parseLossless(text)))
    expect(BigDecimal.format(balance.available)).toBe("123456789012345.6789")
  })

  it("leaves look-alike text inside strings untouched", () => {
    const text = '{"note":"x \\"available\\": 12.5 y","available":1234567890123.4567}'
    expect(parseLossless(text)).toEqual({ note: 'x "available": 12.5 y', available: "1234567890123.4567" })
  })

  it("parses short amounts as plain numbers: a double holds 15 significant digits exactly", () => {
    const text = JSON.stringify({ available: 123456789012.34, blocked: -0.5 })
    expect(parseLossless(text)).toEqual({ available: 123456789012.34, blocked: -0.5 })
  })

  it.prop(
    "encode -> JSON text -> decode gives an equal balance",
    [Arbitrary.make(Balance.Balance)],
    ([balance]) => {
      const text = JSON.stringify(encode(balance))
      const decoded = Either.getOrThrow(decode(parseLossless(text)))
      return equivalent(balance, decoded)
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop(
    "any JSON that is not a balance fails with a typed error, never a throw",
    [FastCheck.jsonValue()],
    ([value]) => {
      const result = decode(value)
      return Either.isLeft(result) && ParseResult.isParseError(result.left)
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop(
    "a balance with one field removed or retyped never decodes",
    [Arbitrary.make(Balance.Balance), FastCheck.constantFrom(...Balance.fieldNames), FastCheck.boolean()],
    ([balance, field, remove]) => {
      const encoded: Record<string, unknown> = { ...encode(balance) }
      if (remove) delete encoded[field]
      else encoded[field] = { wrong: true }
      return Either.isLeft(decode(encoded))
    }
  )

  it("decodes a page", () => {
    const page = Schema.decodeUnknownSync(Balance.Page(Balance.Balance))({
      count: 1,
      next: null,
      previous: null,
      results: [wire]
    })
    expect(page.results).toHaveLength(1)
  })
})
