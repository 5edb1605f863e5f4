/**
 * Decoding one 1000-item page: `JSON.parse` alone, the library's lossless parse, full Schema
 * decoding, and the library's fast path. Pure CPU, no I/O: the page text is fetched once.
 */
import { Result, Schema } from "effect"
import * as FastDecode from "../src/internal/fastDecode.js"
import { parseLossless } from "../src/internal/json.js"
import { Balance } from "../src/index.js"
import { fmt, median } from "./harness.js"
import { keepingAmountSource } from "./raw.js"

export interface MicroRow {
  readonly name: string
  readonly medianMs: number
  readonly minMs: number
  readonly iterations: number
}

/** Times `op` for about `budgetMs` after a warm-up; returns the median and min per call. */
const time = (name: string, op: () => unknown, budgetMs: number): MicroRow => {
  for (let i = 0; i < 10; i++) op()
  const samples: Array<number> = []
  const start = performance.now()
  while (samples.length < 15 || (performance.now() - start < budgetMs && samples.length < 2000)) {
    const t0 = performance.now()
    op()
    samples.push(performance.now() - t0)
  }
  return { name, medianMs: median(samples), minMs: Math.min(...samples), iterations: samples.length }
}

export const runMicro = (text: string, budgetMs = 1500): ReadonlyArray<MicroRow> => {
  const schemaDecode = Schema.decodeUnknownResult(Balance.Page(Balance.Balance))
  const fast = FastDecode.page(Balance.fieldNames)
  const fastDecode = FastDecode.withFallback(Balance.Page(Balance.Balance), fast)
  const plain = JSON.parse(text) as unknown
  const withReviver = keepingAmountSource(Balance.amountFieldNames)
  const lossless = parseLossless(text)
  // The fast path must vouch for this page by itself (no fallback) for the numbers to mean anything.
  if (FastDecode.isInvalid(fast(lossless))) throw new Error("micro: the fast path rejected the page")
  if (Result.isFailure(schemaDecode(plain))) throw new Error("micro: Schema rejected the page")
  const items = (plain as { results: Array<unknown> }).results.length
  if (items !== 1000) throw new Error(`micro: expected 1000 items, got ${items}`)
  return [
    time("JSON.parse", () => JSON.parse(text), budgetMs),
    time("JSON.parse with a reviver keeping amounts' source text", () => withReviver(text), budgetMs),
    time("parseLossless (pre-scan, then JSON.parse)", () => parseLossless(text), budgetMs),
    time("Schema decodeUnknownResult(Page(Balance)), decode only", () => schemaDecode(plain), budgetMs),
    time("FastDecode.withFallback(page), decode only", () => fastDecode(lossless), budgetMs),
    time("JSON.parse + Schema decodeUnknownResult", () => schemaDecode(JSON.parse(text)), budgetMs),
    time(
      "parseLossless + FastDecode.withFallback (the library)",
      () => fastDecode(parseLossless(text)),
      budgetMs
    )
  ]
}

export const microTable = (rows: ReadonlyArray<MicroRow>, bytes: number): Array<string> => {
  const base = rows[0]!.medianMs
  return [
    `One page of 1000 balances (${fmt(bytes / 1024)} KiB of JSON), per page:`,
    "",
    "| step | median ms | min ms | × JSON.parse | runs |",
    "|---|---:|---:|---:|---:|",
    ...rows.map(
      (row) =>
        `| ${row.name} | ${row.medianMs.toFixed(2)} | ${row.minMs.toFixed(2)} | ${(row.medianMs / base).toFixed(2)}x | ${row.iterations} |`
    )
  ]
}
