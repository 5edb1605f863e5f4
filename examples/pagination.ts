/**
 * Reading many balances: `Balances.list` streams every page; `Balances.listPage` fetches one.
 *
 * Run: BELVO_SECRET_ID=… BELVO_SECRET_PASSWORD=… BELVO_LINK_ID=… npx tsx examples/pagination.ts
 */
import { NodeRuntime } from "@effect/platform-node"
import { BigDecimal, Config, Console, Effect, Layer, Stream } from "effect"
import { FetchHttpClient } from "effect/http"
import { pathToFileURL } from "node:url"
import { Balances, BelvoClient } from "../src/index.js"

export const BelvoLive = BelvoClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))

// Every balance collected in January 2024, summed per currency, without holding the list in memory.
export const totalsPerCurrency = (link: string) =>
  Balances.list(
    {
      link,
      collected_at__range: ["2024-01-01", "2024-01-31T23:59:59Z"],
      fields: ["currency", "available"]
    },
    { concurrency: 8 }
  ).pipe(
    Stream.runFold(
      () => new Map<string, BigDecimal.BigDecimal>(),
      (totals, balance) =>
        totals.set(
          balance.currency,
          BigDecimal.sum(totals.get(balance.currency) ?? BigDecimal.fromBigInt(0n), balance.available)
        )
    )
  )

// One page at a time, e.g. to back a paginated table in a UI.
export const pageOf = (link: string, page: number) =>
  Balances.listPage({ link, page, page_size: 50, fields: ["id", "account_id", "available"] })

// The first 10 balances only: the stream stops fetching once it has them.
export const firstTen = (link: string) => Balances.list({ link }).pipe(Stream.take(10), Stream.runCollect)

// How many balances the link has stored, and what went wrong with the paging if it did: the
// program still fails with the error.
export const countAll = (link: string) =>
  Balances.list({ link }).pipe(
    Stream.runCount,
    Effect.tapErrorTag("PaginationError", (error) =>
      Console.error(`The server sent an unsafe or endless page link (${error.reason}): ${error.url}`)
    )
  )

export const program = Effect.gen(function* () {
  const link = yield* Config.String("BELVO_LINK_ID")

  const totals = yield* totalsPerCurrency(link)
  for (const [currency, total] of totals) yield* Console.log(currency, BigDecimal.format(total))

  const first = yield* pageOf(link, 1)
  yield* Console.log(`${first.count} balances in all; next page: ${first.next ?? "none"}`)

  yield* Console.log(`${(yield* firstTen(link)).length} balances taken`)
  yield* Console.log(`${yield* countAll(link)} balances stored`)
})

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  NodeRuntime.runMain(program.pipe(Effect.provide(BelvoLive)))
}
