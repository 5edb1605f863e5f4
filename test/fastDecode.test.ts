import { assert, describe, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Balance from "../src/Balance.js"
import * as FastDecode from "../src/internal/fastDecode.js"

const encode = Schema.encodeSync(Balance.Balance)
const PageSchema = Balance.Page(Balance.Balance)
const schemaDecode = Schema.decodeUnknownResult(PageSchema)
const fastPage = FastDecode.page(Balance.fieldNames)
const equivalent = Schema.toEquivalence(PageSchema)

/** Wire-like values a field might hold, valid or not. */
const FieldValue = Schema.Union([
  Schema.Json,
  Schema.String.check(Schema.isGUID()),
  Schema.Literals([
    "2024-05-21T08:32:00Z",
    "2024-02-30T00:00:00Z",
    "yesterday",
    "",
    "1e3",
    "-0.50",
    "12.3456",
    "NaN"
  ]),
  Schema.Number,
  Schema.Undefined
])

/** A page of valid balances with, sometimes, one field of one item replaced or removed. */
const pageInput = Arbitrary.all([
  Arbitrary.array(Arbitrary.schema(Balance.Balance), { maxLength: 5 }),
  Arbitrary.schema(
    Schema.NullOr(Schema.Tuple([Schema.Natural, Schema.Literals(Balance.fieldNames), FieldValue]))
  ),
  Arbitrary.schema(Schema.Union([Schema.Natural, Schema.Literals([-1, 1.5, "3"]), Schema.Null])),
  Arbitrary.schema(Schema.Union([Schema.Null, Schema.String, Schema.Literal(7)]))
]).pipe(
  Arbitrary.map(([balances, mutation, count, next]) => {
    const results: Array<Record<string, unknown>> = JSON.parse(JSON.stringify(balances.map((b) => encode(b))))
    if (mutation !== null && results.length > 0) {
      const [index, field, value] = mutation
      const item = results[index % results.length] as Record<string, unknown>
      if (value === undefined) delete item[field]
      else item[field] = value
    }
    return { count, next, previous: null, results }
  })
)

/**
 * A page whose items share values down a column, as one retrieval's do (the same `link`, one
 * `collected_at`, a few accounts), with one field of one item sometimes broken: what the fast
 * path remembers from an item must never vouch for another.
 */
const sharedPageInput = Arbitrary.all([
  Arbitrary.array(Arbitrary.schema(Balance.Balance), { minLength: 2, maxLength: 6 }),
  Arbitrary.array(Arbitrary.schema(Schema.Literals(Balance.fieldNames)), { maxLength: 4 }),
  Arbitrary.schema(
    Schema.NullOr(Schema.Tuple([Schema.Natural, Schema.Literals(Balance.fieldNames), FieldValue]))
  )
]).pipe(
  Arbitrary.map(([balances, shared, mutation]) => {
    const results: Array<Record<string, unknown>> = JSON.parse(JSON.stringify(balances.map((b) => encode(b))))
    for (const item of results.slice(1)) for (const field of shared) item[field] = results[0]![field]
    if (mutation !== null) {
      const [index, field, value] = mutation
      const item = results[index % results.length] as Record<string, unknown>
      if (value === undefined) delete item[field]
      else item[field] = value
    }
    return { count: results.length, next: null, previous: null, results }
  })
)

/**
 * Whatever the fast path accepts, Schema accepts with an equal value. One decoder for every run,
 * as a listing uses one for all its pages: what it remembers carries over.
 */
const agreesWithSchema = (input: unknown) => {
  const fast = fastPage(input)
  const reference = schemaDecode(input)
  if (FastDecode.isInvalid(fast)) return true
  return Result.isSuccess(reference) && equivalent(reference.success, fast as typeof reference.success)
}

describe("fast decoding", () => {
  it.prop(
    "agrees with Schema: whatever the fast path accepts, Schema accepts with an equal value",
    [pageInput],
    ([input]) => agreesWithSchema(input),
    { arbitrary: { runs: 500 } }
  )

  it.prop(
    "agrees with Schema on pages whose items share values, one sometimes broken",
    [sharedPageInput],
    ([input]) => agreesWithSchema(input),
    { arbitrary: { runs: 500 } }
  )

  it.prop(
    "decodes the same page the same, the first time and again (nothing kept from one page to the next)",
    [sharedPageInput],
    ([input]) => {
      const decode = FastDecode.page(Balance.fieldNames)
      const first = decode(input)
      const second = decode(input)
      if (FastDecode.isInvalid(first)) return FastDecode.isInvalid(second)
      return !FastDecode.isInvalid(second) && equivalent(first as never, second as never)
    }
  )

  it.prop(
    "never gives up on a valid page (the fast path is the common path)",
    [Arbitrary.array(Arbitrary.schema(Balance.Balance), { maxLength: 8 })],
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

  it.prop("agrees with Schema on arbitrary JSON", [Schema.Json], ([input]) => {
    const fast = fastPage(input)
    return FastDecode.isInvalid(fast) || Result.isSuccess(schemaDecode(input))
  })

  it("falls back to Schema for the precise error, which names the field and the value", () => {
    const decode = FastDecode.withFallback(PageSchema, fastPage)
    const result = decode({ count: 1, next: null, previous: null, results: [{ id: "x" }] })
    assert.isTrue(Result.isFailure(result))
    if (Result.isFailure(result)) {
      const message = FastDecode.errorMessage(result.failure)
      assert.include(message, '["id"]')
      assert.include(message, '"x"')
    }
  })

  it.prop("decodes every field of the schema, in its order", [Balance.Balance], ([balance]) => {
    const value = FastDecode.balance(Balance.fieldNames)(JSON.parse(JSON.stringify(encode(balance))))
    assert.deepStrictEqual(FastDecode.isInvalid(value) ? [] : Object.keys(value), [...Balance.fieldNames])
  })

  it("a projection decodes exactly the kept fields and drops the rest", () => {
    const decode = FastDecode.balance(["available", "id"])
    const value = decode({ id: "0b94bdf9-3719-43a9-81e7-be95d2318595", available: 1.5, blocked: "ignored" })
    assert.deepStrictEqual(FastDecode.isInvalid(value) ? [] : Object.keys(value), ["available", "id"])
  })
})
