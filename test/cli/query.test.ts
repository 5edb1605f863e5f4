/**
 * What the flags ask for (src/cli/query.ts) and where the output goes (src/cli/output.ts's
 * choices): every list filter has a flag the library knows by that wire name, the query is built
 * from exactly the flags given, and the format and columns follow --format, --out and --fields.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Format from "../../src/cli/format.js"
import * as Output from "../../src/cli/output.js"
import * as Query from "../../src/cli/query.js"
import * as Balance from "../../src/Balance.js"
import * as BalanceQuery from "../../src/BalanceQuery.js"

const link = "8848bd0c-9c7e-4f53-a732-ec896b11d4c4"
const none = <K extends string>(keys: ReadonlyArray<K>) =>
  Object.fromEntries(keys.map((key) => [key, Option.none()])) as Record<K, Option.Option<never>>
const wires = Object.keys(Query.filterFlags) as ReadonlyArray<keyof Query.FilterValues>
const noFilters = none(wires) as Query.FilterValues
const noProjection: Query.ProjectionValues = { fields: Option.none(), omit: Option.none() }

describe("list filters", () => {
  it("every filter's wire name is one the library accepts, and its flag is the wire name in kebab case", () => {
    for (const wire of wires) {
      // decodeParams refuses a name it does not know, before looking at the value.
      const decoded = BalanceQuery.decodeParams([
        ["link", link],
        [wire, "x"]
      ])
      if (Result.isFailure(decoded)) assert.notInclude(decoded.failure.reason, "not a known parameter", wire)
    }
    const flags = wires.map((wire) => wire.replace(/_+/g, "-"))
    assert.include(flags, "collected-at-gte")
    assert.include(flags, "page-size")
    assert.strictEqual(new Set(flags).size, wires.length)
  })

  it("the query holds the link, exactly the filters given, lists split on commas, and the projection", () => {
    assert.deepStrictEqual(Query.listQuery(link, noFilters, noProjection), { link })
    const query = Query.listQuery(
      link,
      {
        ...noFilters,
        collected_at__gte: Option.some("2024-01-01"),
        collected_at__range: Option.some("2024-01-01,2024-01-31"),
        id__in: Option.some("a,b"),
        page_size: Option.some(50)
      },
      { fields: Option.some("id,available"), omit: Option.none() }
    )
    assert.deepStrictEqual(query, {
      link,
      collected_at__gte: "2024-01-01",
      collected_at__range: ["2024-01-01", "2024-01-31"],
      id__in: ["a", "b"],
      page_size: 50,
      fields: ["id", "available"]
    })
    // What the library then sends, or refuses.
    assert.isTrue(Result.isFailure(BalanceQuery.encode(query)), "a and b are not UUIDs")
    const valid = { ...query, id__in: ["0966835c-a2f3-4414-9774-126f0ec9a4dd"] }
    assert.isTrue(Result.isSuccess(BalanceQuery.encode(valid)))
  })

  it("the projection is what --fields and --omit list", () => {
    assert.deepStrictEqual(Query.projection(noProjection), {})
    assert.deepStrictEqual(
      Query.projection({ fields: Option.none(), omit: Option.some("link,created_at") }),
      {
        omit: ["link", "created_at"]
      }
    )
  })
})

describe("output", () => {
  const flags = (format: Option.Option<"table" | "json" | "ndjson" | "csv">, out: Option.Option<string>) => ({
    format,
    out
  })

  it("the format: --format, else --out's extension, else a table on a terminal and NDJSON elsewhere", () => {
    assert.strictEqual(Output.formatOf(flags(Option.some("csv"), Option.some("b.json")), true), "csv")
    assert.strictEqual(Output.formatOf(flags(Option.none(), Option.some("out/b.CSV")), true), "csv")
    assert.strictEqual(Output.formatOf(flags(Option.none(), Option.some("b.jsonl")), false), "ndjson")
    assert.strictEqual(Output.formatOf(flags(Option.none(), Option.some("b.json")), false), "json")
    assert.strictEqual(Output.formatOf(flags(Option.none(), Option.some("b.txt")), true), "ndjson")
    assert.strictEqual(Output.formatOf(flags(Option.none(), Option.some("archive.d/b")), true), "ndjson")
    assert.strictEqual(Output.formatOf(flags(Option.none(), Option.none()), true), "table")
    assert.strictEqual(Output.formatOf(flags(Option.none(), Option.none()), false), "ndjson")
  })

  it("the columns: --fields as given, else what --omit leaves, else every field (a listing's table: the summary)", () => {
    assert.deepStrictEqual(Output.columnsOf({ fields: ["available", "id"] }, "csv", "many"), [
      "available",
      "id"
    ])
    assert.deepStrictEqual(
      Output.columnsOf({ omit: ["link"] }, "table", "many"),
      Balance.fieldNames.filter((name) => name !== "link")
    )
    assert.deepStrictEqual(Output.columnsOf({}, "csv", "many"), Balance.fieldNames)
    assert.deepStrictEqual(Output.columnsOf({}, "table", "single"), Balance.fieldNames)
    assert.deepStrictEqual(
      Output.columnsOf({}, "table", "many"),
      Balance.fieldNames.filter((name) => !(Format.tableOmits as ReadonlyArray<string>).includes(name))
    )
  })
})
