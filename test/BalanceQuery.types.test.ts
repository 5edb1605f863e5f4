// Type-level tests: checked by `tsc -p tsconfig.json` (test/ is included); the runtime part only
// makes sure each call still runs.
import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import type { DateTime } from "effect"
import { Effect, Result, Schema } from "effect"
import type * as Balance from "../src/Balance.js"
import * as BalanceQuery from "../src/BalanceQuery.js"

type B = Balance.Balance
const link = "8848bd0c-9c7e-4f53-a732-ec896b11d4c4"

/** A consumer shaped like `Balances.list`: a `const` type parameter, no `as const` at call sites. */
const listItems = <const Q extends BalanceQuery.ListQuery>(
  _query: Q
): ReadonlyArray<BalanceQuery.Projected<Q>> => []

describe("BalanceQuery types", () => {
  it("projection: fields picks, omit omits, both compose, neither is Balance", () => {
    const picked = BalanceQuery.projection({ fields: ["id", "available"] })
    expectTypeOf<Schema.Schema.Type<typeof picked>>().toEqualTypeOf<Pick<B, "id" | "available">>()
    expectTypeOf<Schema.Codec.Encoded<typeof picked>>().toEqualTypeOf<
      Pick<Balance.BalanceEncoded, "id" | "available">
    >()

    const omitted = BalanceQuery.projection({ omit: ["blocked", "automatically_invested"] })
    expectTypeOf<Schema.Schema.Type<typeof omitted>>().toEqualTypeOf<
      Omit<B, "blocked" | "automatically_invested">
    >()

    const both = BalanceQuery.projection({ fields: ["id", "available"], omit: ["available"] })
    expectTypeOf<Schema.Schema.Type<typeof both>>().toEqualTypeOf<
      Omit<Pick<B, "id" | "available">, "available">
    >()

    const whole = BalanceQuery.projection({})
    expectTypeOf<Schema.Schema.Type<typeof whole>>().toEqualTypeOf<B>()

    assert.deepStrictEqual(Object.keys(Schema.decodeUnknownSync(picked)({ id: link, available: 1 })), [
      "id",
      "available"
    ])
  })

  it("Projected reads fields / omit from a query type", () => {
    expectTypeOf<
      BalanceQuery.Projected<{ link: string; fields: readonly ["id", "currency"] }>
    >().toEqualTypeOf<Pick<B, "id" | "currency">>()
    expectTypeOf<BalanceQuery.Projected<{ link: string; omit: readonly ["currency"] }>>().toEqualTypeOf<
      Omit<B, "currency">
    >()
    expectTypeOf<BalanceQuery.Projected<{ link: string }>>().toEqualTypeOf<B>()
    expectTypeOf<BalanceQuery.Projected<{}>>().toEqualTypeOf<B>()

    // const type parameters narrow literals without `as const`
    expectTypeOf(listItems({ link, fields: ["id", "available"] })).toEqualTypeOf<
      ReadonlyArray<Pick<B, "id" | "available">>
    >()
    expectTypeOf(listItems({ link, page_size: 10 })).toEqualTypeOf<ReadonlyArray<B>>()
  })

  it("wide or optional lists do not promise fields they may remove", () => {
    // a list whose contents are unknown may drop any of its fields
    expectTypeOf<BalanceQuery.ProjectedFields<ReadonlyArray<Balance.Field>, undefined>>().toEqualTypeOf<
      Partial<B>
    >()
    expectTypeOf<BalanceQuery.ProjectedFields<ReadonlyArray<"id" | "currency">, undefined>>().toEqualTypeOf<
      Partial<Pick<B, "id" | "currency">>
    >()
    // a bare ListQuery / Projection may or may not carry fields / omit
    expectTypeOf<BalanceQuery.Projected<BalanceQuery.ListQuery>>().toEqualTypeOf<Partial<B>>()
    expectTypeOf<BalanceQuery.Projected<BalanceQuery.Projection>>().toEqualTypeOf<Partial<B>>()
    type MaybeOmit = BalanceQuery.Projected<{ omit?: readonly ["currency"] }>
    expectTypeOf<MaybeOmit["currency"]>().toEqualTypeOf<string | undefined>()
    expectTypeOf<MaybeOmit["id"]>().toEqualTypeOf<string>()
    // at runtime, the fields such a list keeps are only known once it is read
    const wide: ReadonlyArray<Balance.Field> = ["currency", "id"]
    assert.deepStrictEqual(BalanceQuery.keptFields({ fields: wide }), ["id", "currency"])
  })

  it("rejects unknown field names and ranges that are not pairs", () => {
    // @ts-expect-error: "balance" is not a field of Balance
    BalanceQuery.projection({ fields: ["id", "balance"] })
    // @ts-expect-error: "amount" is not a field of Balance
    const unknownOmit = BalanceQuery.encode({ link, omit: ["amount"] })
    const threeDates = BalanceQuery.encode({
      link,
      // @ts-expect-error: a range is exactly [start, end]
      collected_at__range: ["2024-01-01", "2024-01-02", "2024-01-03"]
    })
    // @ts-expect-error: a range is exactly [start, end]
    const oneDate = BalanceQuery.encode({ link, created_at__range: ["2024-01-01"] })
    // @ts-expect-error: link is required
    const noLink = BalanceQuery.encode({ page: 1 })
    // @ts-expect-error: an unknown filter is an excess property
    const typo = BalanceQuery.encode({ link, page_sise: 10 })
    // @ts-expect-error: page_size is a number
    const text = BalanceQuery.encode({ link, page_size: "10" })

    // the same mistakes, arriving untyped, fail at runtime
    for (const result of [unknownOmit, threeDates, oneDate, noLink, typo, text]) {
      assert.isTrue(Result.isFailure(result))
    }
  })

  it("encode is a Result that lifts into an Effect; DateFilter takes strings and DateTimes", () => {
    const encoded = BalanceQuery.encode({ link })
    expectTypeOf(encoded).toEqualTypeOf<Result.Result<BalanceQuery.Params, BalanceQuery.InvalidQuery>>()
    // In Effect 4 a Result is not an Effect: Effect.fromResult lifts it, keeping the error type.
    expectTypeOf(encoded).not.toMatchTypeOf<Effect.Effect<BalanceQuery.Params, BalanceQuery.InvalidQuery>>()
    expectTypeOf(Effect.fromResult(encoded)).toEqualTypeOf<
      Effect.Effect<BalanceQuery.Params, BalanceQuery.InvalidQuery>
    >()
    expectTypeOf(BalanceQuery.decodeParams([])).toEqualTypeOf<
      Result.Result<BalanceQuery.ListQuery, BalanceQuery.InvalidQuery>
    >()
    expectTypeOf<DateTime.Utc>().toMatchTypeOf<BalanceQuery.DateFilter>()
    expectTypeOf<BalanceQuery.Params>().toMatchTypeOf<ReadonlyArray<readonly [string, string]>>()
    expectTypeOf(BalanceQuery.withPage({ link, fields: ["id"] as const }, 2)).toMatchTypeOf<{
      readonly fields: readonly ["id"]
      readonly page: number
    }>()
    assert.deepStrictEqual(Effect.runSync(Effect.fromResult(encoded)), [["link", link]])
  })
})
