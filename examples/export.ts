/**
 * Data out: balances as plain JSON data with exact amounts (`Balance.toJson`, `Balance.formatAmount`),
 * streamed from `Balances.list` into an NDJSON file and a CSV file, and exact totals per currency.
 * CSV lines come from the command line's own writer (src/cli/format.ts), so `effect-belvo balances
 * list --format csv` writes the same bytes for the same columns.
 * Quoted by docs/data.md; tested in test/testing/examples.test.ts.
 *
 * Run: npx tsx examples/export.ts                 (the in-process sandbox; files in a new temp directory)
 *      EXPORT_DIR=out npx tsx examples/export.ts  (files in ./out, created if missing)
 *      BELVO_SECRET_ID=… BELVO_SECRET_PASSWORD=… BELVO_LINK_ID=… npx tsx examples/export.ts --live
 */
import { NodeFileSystem, NodeRuntime } from "@effect/platform-node"
import { BigDecimal, Config, Console, Effect, FileSystem, Layer, Option, Stream } from "effect"
import { FetchHttpClient } from "effect/http"
import { pathToFileURL } from "node:url"
import { Balance, Balances, BelvoClient } from "../src/index.js"
import { Sandbox, SandboxClient, SandboxModel } from "../src/testing/index.js"

// NDJSON: every stored balance of a link, one JSON object per line. `Balance.toJson` writes each
// amount as an exact decimal string with two decimals at least ("1000.20", "12.3456") and each
// timestamp as a UTC ISO string, so no number is ever rounded on the way out.
export const ndjson = (link: string) =>
  Balances.list({ link }).pipe(Stream.map((balance) => `${JSON.stringify(Balance.toJson(balance))}\n`))

// Streamed into the file page by page: memory holds a few pages, whatever the size of the link.
export const writeNdjson = (link: string, path: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    yield* ndjson(link).pipe(Stream.encodeText, Stream.run(fs.sink(path)))
  })

// CSV: a header, then one row per balance. `fields` asks Belvo for these columns only, and the
// item type follows: a row can only read what was asked for.
export const csvColumns = [
  "id",
  "account_id",
  "currency",
  "available",
  "blocked",
  "automatically_invested",
  "collected_at"
] as const

// A cell is quoted when it holds a comma, a quote or a line break (RFC 4180), by the same writer
// as `effect-belvo balances list --format csv`; values as `Balance.toJson` writes them (amounts
// "1000.20", collected_at "2024-05-21T08:32:00.000Z").
export const csv = (link: string) =>
  Stream.concat(
    Stream.make(Balance.csvHeader(csvColumns)),
    Balances.list({ link, fields: csvColumns }).pipe(
      Stream.map((balance) => Balance.toCsv(csvColumns, balance))
    )
  )

export const writeCsv = (link: string, path: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    yield* csv(link).pipe(Stream.encodeText, Stream.run(fs.sink(path)))
  })

// Totals per currency, exact: BigDecimal sums never round, however many balances there are.
export interface Totals {
  readonly available: BigDecimal.BigDecimal
  readonly blocked: BigDecimal.BigDecimal
  readonly automatically_invested: BigDecimal.BigDecimal
}

const zero = BigDecimal.fromBigInt(0n)
const noTotals: Totals = { available: zero, blocked: zero, automatically_invested: zero }

export const totalsPerCurrency = (link: string) =>
  Balances.list({ link, fields: ["currency", "available", "blocked", "automatically_invested"] }).pipe(
    Stream.runFold(
      () => new Map<string, Totals>(),
      (totals, balance) => {
        const sum = totals.get(balance.currency) ?? noTotals
        return totals.set(balance.currency, {
          available: BigDecimal.sum(sum.available, balance.available),
          blocked: BigDecimal.sum(sum.blocked, balance.blocked),
          automatically_invested: BigDecimal.sum(sum.automatically_invested, balance.automatically_invested)
        })
      }
    )
  )

// For people: `Balance.formatAmount` writes money with two decimals at least, never an exponent.
export const formatTotals = (totals: ReadonlyMap<string, Totals>): ReadonlyArray<string> =>
  Array.from(
    totals,
    ([currency, sum]) =>
      `${currency}: available ${Balance.formatAmount(sum.available)}, blocked ${Balance.formatAmount(sum.blocked)}, automatically invested ${Balance.formatAmount(sum.automatically_invested)}`
  )

// Both files of one link in `directory`, and its totals.
export const exportLink = (link: string, directory: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    yield* fs.makeDirectory(directory, { recursive: true })
    const files = { ndjson: `${directory}/balances.ndjson`, csv: `${directory}/balances.csv` }
    yield* writeNdjson(link, files.ndjson)
    yield* writeCsv(link, files.csv)
    return { files, totals: yield* totalsPerCurrency(link) }
  })

const report = (link: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const chosen = yield* Config.option(Config.String("EXPORT_DIR"))
    const directory = Option.isSome(chosen)
      ? chosen.value
      : yield* fs.makeTempDirectory({ prefix: "effect-belvo-export-" })
    const { files, totals } = yield* exportLink(link, directory)
    yield* Console.log(`wrote ${files.ndjson}\nwrote ${files.csv}`)
    for (const line of formatTotals(totals)) yield* Console.log(line)
  })

// The in-process sandbox, with one balance in a second currency so the totals have two lines.
export const sandboxExport = Effect.gen(function* () {
  yield* Sandbox.addBalances([
    {
      link: SandboxModel.plainLinkId,
      currency: "USD",
      available: "1000.20",
      blocked: "0.00",
      automatically_invested: "12.3456"
    }
  ])
  yield* report(SandboxModel.plainLinkId)
}).pipe(Effect.provide(SandboxClient.layer()))

// --live: a real Belvo account (listing reads stored balances; nothing is stored).
export const liveExport = Effect.flatMap(Config.String("BELVO_LINK_ID"), report).pipe(
  Effect.provide(BelvoClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer)))
)

// runMain reports an unhandled error (a ConfigError, a Belvo error, a file system error) and exits with 1.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const live = process.argv.slice(2).includes("--live")
  NodeRuntime.runMain((live ? liveExport : sandboxExport).pipe(Effect.provide(NodeFileSystem.layer)))
}
