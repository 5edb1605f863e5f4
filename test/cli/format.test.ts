/**
 * The command line's output formats (src/cli/format.ts), over balances drawn from the schema and
 * over any text: CSV (the command's and `Balance.toCsv`) read back by an independent RFC 4180
 * reader gives every cell back; a JSON
 * listing is a whole array however it is cut into pages and wherever it stops; NDJSON is one
 * `Balance.toJson` per line; a table's columns line up.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import * as Format from "../../src/cli/format.js"
import * as Balance from "../../src/Balance.js"

/** RFC 4180, read independently of the writer: rows of cells, quotes doubled inside quoted cells. */
const readCsv = (text: string): Array<Array<string>> => {
  const rows: Array<Array<string>> = []
  let row: Array<string> = []
  let cell = ""
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ",") {
      row.push(cell)
      cell = ""
    } else if (c === "\n") {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ""
    } else cell += c
  }
  assert.strictEqual(cell, "", "the text ends with a line break")
  assert.isFalse(quoted, "every quoted cell is closed")
  return rows
}

const rowsOf = (balances: ReadonlyArray<Balance.Balance>): ReadonlyArray<Format.Row> =>
  balances.map(Balance.toJson)

/** Cuts `items` into consecutive runs at the given points, as pages. */
const cut = <A>(items: ReadonlyArray<A>, points: ReadonlyArray<number>): Array<ReadonlyArray<A>> => {
  const at = [...new Set(points.map((p) => p % (items.length + 1)))].sort((a, b) => a - b)
  const runs: Array<ReadonlyArray<A>> = []
  let from = 0
  for (const to of [...at, items.length]) {
    if (to > from) runs.push(items.slice(from, to))
    from = Math.max(from, to)
  }
  return runs
}

const writeAll = (writer: Format.Writer, runs: ReadonlyArray<ReadonlyArray<Format.Row>>): string =>
  writer.start + runs.map(writer.rows).join("") + writer.end()

describe("CSV", () => {
  it("any cells read back as written, whatever commas, quotes and line breaks they hold", () => {
    const text = fc.string({ unit: fc.constantFrom("a", ",", '"', "\n", "\r", " ", "é") })
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text, text), { maxLength: 20 }), (cells) => {
        const columns = ["a", "b", "c"]
        const rows = cells.map((row) => Object.fromEntries(columns.map((column, i) => [column, row[i]])))
        const written = writeAll(Format.writer("csv", columns), [rows])
        assert.deepStrictEqual(readCsv(written), [columns, ...cells])
      }),
      { numRuns: 300 }
    )
  })

  it.prop(
    "a balance's row is its Balance.toJson values, in column order",
    [Schema.Array(Balance.Balance)],
    ([balances]) => {
      const rows = rowsOf(balances)
      const columns = ["available", "id", "collected_at"]
      const read = readCsv(
        Format.csvHeader(columns) + rows.map((row) => Format.csvLine(columns, row)).join("")
      )
      assert.deepStrictEqual(read, [
        columns,
        ...rows.map((row) => columns.map((column) => String(row[column])))
      ])
    }
  )

  it.prop(
    "Balance.toCsv is the same line: a whole or projected balance's toJson values, in field order",
    [Schema.Array(Balance.Balance)],
    ([balances]) => {
      const fields = ["currency", "id", "available", "collected_at"] as const
      const text =
        Balance.csvHeader(fields) +
        balances
          .map((balance, i) => Balance.toCsv(fields, i % 2 === 0 ? balance : { id: balance.id }))
          .join("")
      assert.deepStrictEqual(readCsv(text), [
        [...fields],
        ...balances.map((balance, i) => {
          const row: Format.Row = Balance.toJson(i % 2 === 0 ? balance : { id: balance.id })
          return fields.map((field) => (row[field] === undefined ? "" : String(row[field])))
        })
      ])
    }
  )

  it("quotes only the cells that need it, and writes an absent field as an empty cell", () => {
    assert.strictEqual(
      Format.csvLine(["a", "b", "c", "d"], { a: "plain", b: 'say "hi"', c: "x,y" }),
      'plain,"say ""hi""","x,y",\n'
    )
  })
})

describe("JSON", () => {
  it.prop(
    "however a listing is cut into pages, the text is the array of its rows",
    [
      Schema.Array(Balance.Balance),
      Schema.Array(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 50 })))
    ],
    ([balances, points]) => {
      const rows = rowsOf(balances)
      const text = writeAll(Format.writer("json", []), cut(rows, points))
      assert.deepStrictEqual(JSON.parse(text), JSON.parse(JSON.stringify(rows)))
      assert.isTrue(text.endsWith("\n"))
    }
  )

  it.prop(
    "stopped after any page (Ctrl-C), the text written plus the end is the array of the rows written",
    [Schema.Array(Balance.Balance), Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 50 }))],
    ([balances, stop]) => {
      const rows = rowsOf(balances)
      const pages = cut(rows, [1, 2, 3, 5, 8, 13])
      const kept = pages.slice(0, stop % (pages.length + 1))
      const writer = Format.writer("json", [])
      const text = writer.start + kept.map(writer.rows).join("") + writer.end()
      assert.deepStrictEqual(JSON.parse(text), JSON.parse(JSON.stringify(kept.flat())))
    }
  )

  it("one balance is pretty-printed JSON", () => {
    const row = { id: "a", available: "1.50" }
    assert.strictEqual(Format.single("json", ["id"], row), `${JSON.stringify(row, null, 2)}\n`)
  })
})

describe("NDJSON", () => {
  it.prop(
    "one JSON.stringify(Balance.toJson(balance)) per line",
    [Schema.Array(Balance.Balance)],
    ([balances]) => {
      const rows = rowsOf(balances)
      const text = writeAll(Format.writer("ndjson", []), cut(rows, [2, 7]))
      assert.strictEqual(text, rows.map((row) => `${JSON.stringify(row)}\n`).join(""))
      assert.strictEqual(Format.single("ndjson", [], rows[0] ?? {}), `${JSON.stringify(rows[0] ?? {})}\n`)
    }
  )
})

describe("table", () => {
  const columns = ["id", "collected_at", "available"]

  /** The table as its rules say: two spaces between columns as wide as their widest cell, amounts right-aligned. */
  const expected = (rows: ReadonlyArray<Format.Row>): string => {
    const cells = [columns, ...rows.map((row) => columns.map((column) => String(row[column])))]
    const widths = columns.map((_, index) => Math.max(...cells.map((line) => line[index]?.length ?? 0)))
    return cells
      .map(([id = "", collected = "", available = ""]) =>
        [
          id.padEnd(widths[0] ?? 0),
          collected.padEnd(widths[1] ?? 0),
          available.padStart(widths[2] ?? 0)
        ].join("  ")
      )
      .map((line) => `${line.trimEnd()}\n`)
      .join("")
  }

  it.prop(
    "a page is aligned: text left, amounts right, two spaces apart",
    [Schema.Array(Balance.Balance)],
    ([balances]) => {
      const rows = rowsOf(balances)
      assert.strictEqual(writeAll(Format.writer("table", columns), [rows]), expected(rows))
    }
  )

  it("an empty listing is its header; widths grow for a later page with wider cells", () => {
    assert.strictEqual(
      writeAll(Format.writer("table", ["id", "currency", "available"]), []),
      "id  currency  available\n"
    )
    const writer = Format.writer("table", ["id", "available"])
    const text =
      writer.start +
      writer.rows([{ id: "a", available: "1.00" }]) +
      writer.rows([{ id: "bbbbbbbbbbbb", available: "1000000.00" }]) +
      writer.end()
    assert.strictEqual(text, "id  available\na        1.00\nbbbbbbbbbbbb  1000000.00\n")
  })

  it("a server's control characters are shown, not sent to the terminal; wide characters count double", () => {
    const writer = Format.writer("table", ["currency", "account_internal_identification"])
    const text = writer.rows([
      { currency: "BRL\u001b[2J\nX", account_internal_identification: "口座" },
      { currency: "USD", account_internal_identification: "1234" }
    ])
    assert.strictEqual(
      text,
      "currency         account_internal_identification\nBRL\\x1b[2J\\x0aX  口座\nUSD              1234\n"
    )
    assert.notInclude(Format.single("table", ["currency"], { currency: "\u001b]0;owned\u0007" }), "\u001b")
    const wide = Format.writer("table", ["currency", "id"]).rows([
      { currency: "口座口座口座", id: "1" },
      { currency: "USD", id: "2" }
    ])
    assert.strictEqual(wide, "currency      id\n口座口座口座  1\nUSD           2\n")
  })

  it("one balance is a field and value per line", () => {
    assert.strictEqual(
      Format.single("table", ["id", "available"], { id: "a", available: "1.50" }),
      "id         a\navailable  1.50\n"
    )
  })
})
