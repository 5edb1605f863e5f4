/**
 * The command line's output formats: an aligned table for a person; JSON, NDJSON and CSV for
 * programs. A row is a balance as `Balance.toJson` gives it (amounts exact decimal strings,
 * timestamps UTC ISO-8601 strings), so every format writes the same values, and each format is
 * written a page at a time, in whole lines, so a listing interrupted half way leaves no half row.
 * `examples/export.ts` writes its CSV and NDJSON with the same functions.
 *
 * @since 1.1.0
 */
import * as CliOutput from "effect/cli/CliOutput"
import { Balance } from "../index.js"
import * as Csv from "../internal/csv.js"

/**
 * The formats of `--format`.
 *
 * @example
 * ```ts
 * import * as Format from "../src/cli/format.js"
 *
 * console.log(Format.formats.join("|")) // "table|json|ndjson|csv"
 * ```
 *
 * @since 1.1.0
 * @category formats
 */
export const formats = ["table", "json", "ndjson", "csv"] as const

/**
 * One of {@link formats}.
 *
 * @example
 * ```ts
 * import type * as Format from "../src/cli/format.js"
 *
 * const forPrograms: ReadonlyArray<Format.Format> = ["json", "ndjson", "csv"]
 * ```
 *
 * @since 1.1.0
 * @category formats
 */
export type Format = (typeof formats)[number]

/**
 * A balance as plain data, whole or projected: what `Balance.toJson` returns.
 *
 * @example
 * ```ts
 * import { Balance } from "effect-belvo"
 * import type * as Format from "../src/cli/format.js"
 *
 * declare const balance: Balance.Balance
 * const row: Format.Row = Balance.toJson(balance)
 * ```
 *
 * @since 1.1.0
 * @category models
 */
export type Row = Readonly<Record<string, unknown>>

/**
 * The fields a table of many balances leaves out when no `--fields` or `--omit` chooses: the link
 * (the same on every row of a listing), the institution's account number, and when Belvo created
 * and last updated the record. Every field would not fit a terminal; the other formats write them
 * all.
 *
 * @example
 * ```ts
 * import { BalanceQuery } from "effect-belvo"
 * import * as Format from "../src/cli/format.js"
 *
 * console.log(BalanceQuery.keptFields({ omit: Format.tableOmits })) // ["id", "account_id", "collected_at", …]
 * ```
 *
 * @since 1.1.0
 * @category columns
 */
export const tableOmits = [
  "link",
  "account_internal_identification",
  "created_at",
  "last_updated_at"
] as const satisfies ReadonlyArray<Balance.Field>

// Amount columns are right-aligned in a table: the fields the schema decodes as `Balance.Amount`.
const amountFields: ReadonlySet<string> = new Set(
  Balance.fieldNames.filter((name) => Balance.Balance.fields[name] === Balance.Amount)
)

/** A cell's text: strings as they are, absent values empty. */
const text = Csv.text

/**
 * Text a server sent, safe to show on a terminal: control characters (escape sequences, line
 * breaks in a table cell) written as `\xNN`, so a value cannot move the cursor, recolour the screen
 * or break a line. `keepLines` keeps `\n` and `\t`, for messages.
 *
 * @example
 * ```ts
 * import * as Format from "../src/cli/format.js"
 *
 * console.log(Format.printable("BRL\u001b[2J")) // "BRL\\x1b[2J"
 * ```
 *
 * @since 1.1.0
 * @category text
 */
export const printable = (text: string, keepLines = false): string =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters replaced
  text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) =>
    keepLines && (c === "\n" || c === "\t") ? c : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`
  )

/** A table cell: printable, and as wide as a terminal shows it. */
const cellOf = (value: unknown): { readonly text: string; readonly width: number } => {
  const shown = printable(text(value))
  return { text: shown, width: CliOutput.displayWidth(shown) }
}

/**
 * One CSV line: the row's values in `columns` order, quoted where RFC 4180 needs it.
 *
 * @example
 * ```ts
 * import * as Format from "../src/cli/format.js"
 *
 * console.log(Format.csvLine(["id", "note"], { id: "a", note: 'say "hi", twice' })) // 'a,"say ""hi"", twice"\n'
 * ```
 *
 * @since 1.1.0
 * @category csv
 */
export const csvLine: (columns: ReadonlyArray<string>, row: Row) => string = Csv.line

/**
 * The CSV header line: the column names.
 *
 * @example
 * ```ts
 * import * as Format from "../src/cli/format.js"
 *
 * console.log(Format.csvHeader(["id", "available"])) // "id,available\n"
 * ```
 *
 * @since 1.1.0
 * @category csv
 */
export const csvHeader: (columns: ReadonlyArray<string>) => string = Csv.header

/**
 * One NDJSON line: the row as JSON, then a line break.
 *
 * @example
 * ```ts
 * import * as Format from "../src/cli/format.js"
 *
 * console.log(Format.ndjsonLine({ id: "a", available: "1000.20" })) // '{"id":"a","available":"1000.20"}\n'
 * ```
 *
 * @since 1.1.0
 * @category ndjson
 */
export const ndjsonLine = (row: Row): string => `${JSON.stringify(row)}\n`

/**
 * Writes many rows, a run (a page) at a time: `start` before the first, `rows` for each run, `end`
 * after the last, also when a listing is interrupted (so a JSON array is always closed). A table
 * takes its column widths from the first run and widens for a later cell that does not fit, so
 * memory holds one run, never the whole listing.
 *
 * @example
 * ```ts
 * import * as Format from "../src/cli/format.js"
 *
 * const json = Format.writer("json", ["id"])
 * const text = json.start + json.rows([{ id: "a" }]) + json.rows([{ id: "b" }]) + json.end()
 * console.log(JSON.parse(text)) // [{ id: "a" }, { id: "b" }]
 * ```
 *
 * @since 1.1.0
 * @category writers
 */
export interface Writer {
  readonly start: string
  readonly rows: (rows: ReadonlyArray<Row>) => string
  readonly end: () => string
}

/**
 * A {@link Writer} for `format`, with the columns a table or CSV shows (JSON and NDJSON write each
 * row whole).
 *
 * @example
 * ```ts
 * import * as Format from "../src/cli/format.js"
 *
 * const csv = Format.writer("csv", ["id", "available"])
 * console.log(csv.start + csv.rows([{ id: "a", available: "1.50" }]) + csv.end()) // "id,available\na,1.50\n"
 * ```
 *
 * @since 1.1.0
 * @category writers
 */
export const writer = (format: Format, columns: ReadonlyArray<string>): Writer => {
  switch (format) {
    case "ndjson":
      return { start: "", rows: (rows) => rows.map(ndjsonLine).join(""), end: () => "" }
    case "csv":
      return {
        start: csvHeader(columns),
        rows: (rows) => rows.map((row) => csvLine(columns, row)).join(""),
        end: () => ""
      }
    case "json": {
      // One row per line; the separator goes before a row, so the text written so far plus `end`
      // is always a whole JSON array.
      let written = 0
      return {
        start: "[",
        rows: (rows) =>
          rows.map((row) => `${written++ === 0 ? "\n" : ",\n"}  ${JSON.stringify(row)}`).join(""),
        end: () => (written === 0 ? "]\n" : "\n]\n")
      }
    }
    case "table":
      return tableWriter(columns)
  }
}

// A table's widths come from its header and first run of rows, and only grow: a later cell wider
// than its column shifts its own line, never the lines already written.
const tableWriter = (columns: ReadonlyArray<string>): Writer => {
  const widths = columns.map((column) => column.length)
  let started = false
  const line = (cells: ReadonlyArray<{ readonly text: string; readonly width: number }>): string => {
    const padded = cells.map((cell, index) => {
      const padding = " ".repeat(Math.max(0, (widths[index] ?? 0) - cell.width))
      return amountFields.has(columns[index] ?? "") ? padding + cell.text : cell.text + padding
    })
    return `${padded.join("  ").trimEnd()}\n`
  }
  const header = (): string => {
    const first = !started
    started = true
    return first ? line(columns.map(cellOf)) : ""
  }
  return {
    start: "",
    rows: (rows) => {
      const cells = rows.map((row) => columns.map((column) => cellOf(row[column])))
      for (const row of cells) {
        for (const [index, cell] of row.entries()) widths[index] = Math.max(widths[index] ?? 0, cell.width)
      }
      return header() + cells.map(line).join("")
    },
    end: header
  }
}

/**
 * One balance in `format`: JSON pretty-printed, an NDJSON line, a CSV header and row, or for a
 * table one `field  value` line per column.
 *
 * @example
 * ```ts
 * import * as Format from "../src/cli/format.js"
 *
 * console.log(Format.single("table", ["id", "available"], { id: "a", available: "1.50" }))
 * // id         a
 * // available  1.50
 * ```
 *
 * @since 1.1.0
 * @category writers
 */
export const single = (format: Format, columns: ReadonlyArray<string>, row: Row): string => {
  switch (format) {
    case "json":
      return `${JSON.stringify(row, null, 2)}\n`
    case "ndjson":
      return ndjsonLine(row)
    case "csv":
      return csvHeader(columns) + csvLine(columns, row)
    case "table": {
      const width = Math.max(...columns.map((column) => column.length))
      const line = (column: string) => `${column.padEnd(width)}  ${printable(text(row[column]))}`.trimEnd()
      return `${columns.map(line).join("\n")}\n`
    }
  }
}
