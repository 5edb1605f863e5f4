// Type-level tests of the endpoints: checked by `tsc -p tsconfig.json` (test/ is included). Each
// `@ts-expect-error` is a misspelled key that must not compile; tsc fails if one compiles.
import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Effect, type Stream } from "effect"
import { Result } from "effect"
import { type Balance, Balances, type BelvoClient, MfaChallenge } from "../src/index.js"
import { clientLayer, json, mockHttp } from "./support/mockHttp.js"

const link = "8848bd0c-9c7e-4f53-a732-ec896b11d4c4"
const challenge = Result.getOrThrow(
  MfaChallenge.fromItem(
    { session: "2675b703b9d4451f8d4861a3eee54449", expiry: 600 },
    { link, save_data: true },
    0
  )
)

describe("Balances types", () => {
  it.effect(
    "a misspelled parameter or option of an object literal does not compile, and fails before sending",
    () =>
      Effect.gen(function* () {
        const http = mockHttp(() => json(200, []))
        const calls = [
          // @ts-expect-error `saveData` is the official SDK's spelling, not the API's
          Balances.retrieve({ link, saveData: false }),
          // @ts-expect-error `acount_id`
          Balances.retrieve({ link, acount_id: link }),
          // @ts-expect-error `colected_at__gte`
          Balances.listPage({ link, colected_at__gte: "2024-01-01" }),
          // @ts-expect-error `field`
          Balances.get(link, { field: ["id"] }),
          // @ts-expect-error `timeout` in call options
          Balances.get(link, {}, { timeout: "1 second" })
        ]
        // @ts-expect-error `page_sise`
        void Balances.list({ link, page_sise: 10 })
        // @ts-expect-error `concurency` in list options
        void Balances.list({ link }, { concurency: 2 })
        // @ts-expect-error `save` in resume options
        void Balances.resume(challenge, "123456", { save: false })
        for (const call of calls) {
          const error = yield* Effect.flip(
            call as unknown as Effect.Effect<unknown, { readonly _tag: string }, BelvoClient.BelvoClient>
          ).pipe(Effect.provide(clientLayer(http.layer)))
          assert.strictEqual(error._tag, "InvalidQuery")
        }
        assert.lengthOf(http.requests, 0)
      })
  )

  it("the projection shapes each endpoint's result; resume passes the challenge's own fields", () => {
    const listed = Balances.list({ link, fields: ["id", "available"] })
    expectTypeOf<Stream.Success<typeof listed>>().toEqualTypeOf<Pick<Balance.Balance, "id" | "available">>()
    const got = Balances.get(link, { omit: ["blocked"] })
    expectTypeOf<Effect.Success<typeof got>>().toEqualTypeOf<Omit<Balance.Balance, "blocked">>()
    // Under exactOptionalPropertyTypes, the challenge's possibly absent fields are accepted as they are.
    const resumed = Balances.resume(challenge, undefined, { fields: challenge.fields, omit: challenge.omit })
    expectTypeOf<Effect.Success<typeof resumed>["balances"][number]>().toEqualTypeOf<
      Partial<Balance.Balance>
    >()
    const exact = Balances.resume(challenge, "123456", { fields: ["id"] })
    expectTypeOf<Effect.Success<typeof exact>["balances"][number]>().toEqualTypeOf<
      Pick<Balance.Balance, "id">
    >()
    assert.isTrue(Effect.isEffect(exact))
  })
})
