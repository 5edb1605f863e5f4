import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as FastDecode from "../src/internal/fastDecode.js"
import { Balance } from "../src/index.js"

const encode = Schema.encodeSync(Balance.Balance)
const PageSchema = Balance.Page(Balance.Balance)
const schemaDecode = Schema.decodeUnknownEither(PageSchema)
const fastPage = FastDecode.page(Balance.fieldNames)
const equivalent = Schema.equivalence(PageSchema)

/** Wire-like values a field might hold, valid or not. */
const fieldValue = FastCheck.oneof(
  FastCheck.jsonValue(),
  FastCheck.uuid(),
  FastCheck.constantFrom(
    "2024-05-21T08:32:00Z",
    "2024-02-30T00:00:00Z",
    "yesterday",
    "",
    "1e3",
    "-0.50",
    "12.3456",
    "NaN"
  ),
  FastCheck.double(),
  FastCheck.constant(undefined)
)

/** A page of valid balances with, sometimes, one field of one item replaced or removed. */
const pageInput = FastCheck.tuple(
  FastCheck.array(Arbitrary.make(Balance.Balance), { maxLength: 5 }),
  FastCheck.option(
    FastCheck.tuple(FastCheck.nat(), FastCheck.constantFrom(...Balance.fieldNames), fieldValue)
  ),
  FastCheck.oneof(FastCheck.nat(), FastCheck.constantFrom(-1, 1.5, "3", null)),
  FastCheck.oneof(FastCheck.constant(null), FastCheck.webUrl(), FastCheck.constant(7))
).map(([balances, mutation, count, next]) => {
  const results: Array<Record<string, unknown>> = JSON.parse(JSON.stringify(balances.map((b) => encode(b))))
  if (mutation !== null && results.length > 0) {
    const [index, field, value] = mutation
    const item = results[index % results.length] as Record<string, unknown>
    if (value === undefined) delete item[field]
    else item[field] = value
  }
  return { count, next, previous: null, results }
})

describe("fast decoding", () => {
  it.prop(
    "agrees with Schema: whatever the fast path accepts, Schema accepts with an equal value",
    [pageInput],
    ([input]) => {
      const fast = fastPage(input)
      const reference = schemaDecode(input)
      if (FastDecode.isInvalid(fast)) return true
      return Either.isRight(reference) && equivalent(reference.right, fast as typeof reference.right)
    },
    { fastCheck: { numRuns: 500 } }
  )

  it.prop(
    "never gives up on a valid page (the fast path is the common path)",
    [FastCheck.array(Arbitrary.make(Balance.Balance), { maxLength: 8 })],
    ([balances]) => {
      const input = JSON.parse(
        JSON.stringify({
          count: balances.length,
          next: null,
          previous: null,
          results: balances.map((b) => encode(b))
        })
      )
      return !FastDecode.isInvalid(fastPage(input))
    }
  )

  it.prop("agrees with Schema on arbitrary JSON", [FastCheck.jsonValue()], ([input]) => {
    const fast = fastPage(input)
    return FastDecode.isInvalid(fast) || Either.isRight(schemaDecode(input))
  })

  it("falls back to Schema for the precise error", () => {
    const decode = FastDecode.withFallback(PageSchema, fastPage)
    const result = decode({ count: 1, next: null, previous: null, results: [{ id: "x" }] })
    expect(Either.isLeft(result) && result.left.message).toContain("id")
  })

  it("a projection decodes exactly the kept fields and drops the rest", () => {
    const decode = FastDecode.balance(["available", "id"])
    const value = decode({ id: "0b94bdf9-3719-43a9-81e7-be95d2318595", available: 1.5, blocked: "ignored" })
    expect(FastDecode.isInvalid(value) ? [] : Object.keys(value)).toEqual(["available", "id"])
  })
})
