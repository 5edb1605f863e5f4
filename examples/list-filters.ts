/**
 * List filters: build typed queries, see the URL params they encode to, and the `InvalidQuery`
 * errors the client raises (before sending anything) when a filter is wrong. Quoted by
 * docs/queries.md, whose quoted output test/testing/examples.test.ts compares with what this prints.
 *
 * Run: npx tsx examples/list-filters.ts
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, DateTime, Effect, Result, Schema } from "effect"
import { pathToFileURL } from "node:url"
import { BalanceQuery } from "../src/index.js"

// A query uses the wire names. Lists and ranges are arrays; dates are "YYYY-MM-DD" strings, full
// timestamps (collected_at only) or DateTime values.
const link = "8848bd0c-9c7e-4f53-a732-ec896b11d4c4"

export const januaryQuery = {
  link,
  account__in: ["85b77707-90ef-46fd-9059-5a757f24247a", "6b3dea0f-be29-49d1-aabe-1a6d588642e6"],
  page_size: 500,
  fields: ["id", "available", "collected_at"],
  collected_at__range: ["2024-01-01", "2024-01-31T23:59:59-03:00"],
  created_at__gte: DateTime.makeUnsafe("2024-05-21T23:30:00-05:00") // sent as its UTC date: 2024-05-22
} satisfies BalanceQuery.ListQuery

// `encode` returns a Result: the params, or the InvalidQuery. `Effect.fromResult` makes it an Effect.
export const printParams = (query: BalanceQuery.ListQuery) =>
  Effect.gen(function* () {
    const params = yield* Effect.fromResult(BalanceQuery.encode(query))
    for (const [name, value] of params) yield* Console.log(`${name} = ${value}`)
  })

// Queries that the client refuses, whatever the link, each with the reason it gives.
export const invalidQueries = (link: string): ReadonlyArray<BalanceQuery.ListQuery> => [
  { link, page_size: 5000 }, // Belvo would cap it at 1000; the client refuses instead
  { link, created_at: "2023-02-29" }, // not a leap year
  { link, created_at: "2024-05-21T08:00:00Z" }, // created_at filters are dates only
  { link, collected_at__range: ["2024-02-01", "2024-01-01"] }, // start after end
  { link, fields: ["id", "id"] }
]

// In synchronous code, read the Result itself: the InvalidQuery's message says what is wrong.
export const refusals = (queries: ReadonlyArray<BalanceQuery.ListQuery>): ReadonlyArray<string> =>
  queries.flatMap((query) => {
    const result = BalanceQuery.encode(query)
    return Result.isFailure(result) ? [result.failure.message] : []
  })

// `fields` also shapes the item type: this schema decodes to Pick<Balance, "id" | "available">.
export const Slim = BalanceQuery.projection({ fields: ["id", "available"] })

export const slimItem = Schema.decodeUnknownEffect(Slim)({
  id: "0b94bdf9-3719-43a9-81e7-be95d2318595",
  available: 1000.02
})

export const program = Effect.gen(function* () {
  yield* printParams(januaryQuery)
  // URLSearchParams percent-encodes "," and ":" (and "+" in offsets); the server decodes them back.
  const params = yield* Effect.fromResult(BalanceQuery.encode(januaryQuery))
  yield* Console.log(`?${new URLSearchParams(params.map(([name, value]) => [name, value])).toString()}`)

  // And back again: DateTime values return as the strings they were sent as.
  const decoded = yield* Effect.fromResult(BalanceQuery.decodeParams(params))
  yield* Console.log(decoded.created_at__gte) // "2024-05-22"

  for (const message of refusals(invalidQueries(link))) yield* Console.log(message)

  yield* Console.log(Object.keys(yield* slimItem)) // [ 'id', 'available' ]
})

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) NodeRuntime.runMain(program)
