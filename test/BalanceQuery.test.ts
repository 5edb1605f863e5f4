import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Result, Schema } from "effect"
import * as fc from "fast-check"
import { invalidQueries, januaryQuery } from "../examples/list-filters.js"
import * as Balance from "../src/Balance.js"
import * as BalanceQuery from "../src/BalanceQuery.js"

// ---------------------------------------------------------------------------------------------
// Oracles, written independently of the module under test
// ---------------------------------------------------------------------------------------------

/** The documented param order (the OpenAPI parameter order). */
const ORDER = [
  "link",
  "account",
  "id",
  "link__in",
  "account__in",
  "id__in",
  "page_size",
  "page",
  "omit",
  "fields",
  "collected_at",
  "collected_at__gt",
  "collected_at__gte",
  "collected_at__lt",
  "collected_at__lte",
  "collected_at__range",
  "created_at",
  "created_at__gt",
  "created_at__gte",
  "created_at__lt",
  "created_at__lte",
  "created_at__range"
] as const

const COLLECTED = [
  "collected_at",
  "collected_at__gt",
  "collected_at__gte",
  "collected_at__lt",
  "collected_at__lte"
]
const CREATED = ["created_at", "created_at__gt", "created_at__gte", "created_at__lt", "created_at__lte"]
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const LINK = "8848bd0c-9c7e-4f53-a732-ec896b11d4c4"

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/** Days in a month, by asking the platform for day 0 of the next month. */
const monthLength = (year: number, month: number): number => {
  const date = new Date(0)
  date.setUTCFullYear(year, month, 0)
  return date.getUTCDate()
}

/** What a DateTime filter is documented to encode to. */
const normaliseDate = (value: BalanceQuery.DateFilter, withTime: boolean): string =>
  typeof value === "string" ? value : withTime ? DateTime.formatIso(value) : DateTime.formatIsoDateUtc(value)

/** The query as decodeParams gives it back: DateTime values replaced by their encoded strings. */
const normalise = (query: BalanceQuery.ListQuery): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(query).map(([key, value]) => {
      const withTime = key.startsWith("collected_at")
      if (key.endsWith("__range")) {
        return [key, (value as BalanceQuery.DateRange).map((item) => normaliseDate(item, withTime))]
      }
      if (key.startsWith("collected_at") || key.startsWith("created_at")) {
        return [key, normaliseDate(value as BalanceQuery.DateFilter, withTime)]
      }
      return [key, value]
    })
  )

/** The instant a filter denotes, via the platform's own ISO parser (a date is UTC midnight). */
const instantOf = (value: BalanceQuery.DateFilter, withTime: boolean): number =>
  Date.parse(normaliseDate(value, withTime))

const expectInvalid = (
  result: Result.Result<unknown, BalanceQuery.InvalidQuery>,
  field: string,
  reason?: string | RegExp
): BalanceQuery.InvalidQuery => {
  if (Result.isSuccess(result)) {
    return assert.fail(`expected InvalidQuery for "${field}", got ${JSON.stringify(result.success)}`)
  }
  const error = result.failure
  assert.instanceOf(error, BalanceQuery.InvalidQuery)
  assert.strictEqual(error._tag, "InvalidQuery")
  assert.strictEqual(error.field, field)
  if (typeof reason === "string") assert.include(error.reason, reason)
  else if (reason !== undefined) assert.match(error.reason, reason)
  assert.include(error.message, `"${field}"`)
  return error
}

const encodeOk = (query: BalanceQuery.ListQuery) => Result.getOrThrow(BalanceQuery.encode(query))

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

const uuid = fc.oneof(
  fc.uuid(),
  fc.uuid().map((s) => s.toUpperCase())
)
const uuids = fc.array(uuid, { minLength: 1, maxLength: 4 })

const calendarDate = fc
  .record({ year: fc.integer({ min: 1, max: 9999 }), month: fc.integer({ min: 1, max: 12 }) })
  .chain(({ year, month }) =>
    fc
      .integer({ min: 1, max: monthLength(year, month) })
      .map((day) => `${pad(year, 4)}-${pad(month)}-${pad(day)}`)
  )
const leapDay = fc
  .integer({ min: 1, max: 2499 })
  .map((n) => n * 4)
  .filter((year) => year % 100 !== 0 || year % 400 === 0)
  .map((year) => `${pad(year, 4)}-02-29`)
const dateString = fc.oneof(calendarDate, leapDay)

const instant = fc.date({
  min: new Date("0002-01-01T00:00:00.000Z"),
  max: new Date("9998-12-31T23:59:59.999Z"),
  noInvalidDate: true
})

/** A timestamp in a random offset, with 0 to 3 fraction digits. */
const timestamp = fc
  .record({
    at: instant,
    offsetMinutes: fc.oneof(
      fc.constant(0),
      fc.integer({ min: -14 * 4, max: 14 * 4 }).map((q) => q * 15)
    ),
    zulu: fc.boolean(),
    digits: fc.integer({ min: 0, max: 3 })
  })
  .map(({ at, offsetMinutes, zulu, digits }) => {
    const local = new Date(at.getTime() + offsetMinutes * 60_000)
    const fraction = digits === 0 ? "" : `.${pad(local.getUTCMilliseconds(), 3).slice(0, digits)}`
    const abs = Math.abs(offsetMinutes)
    const offset =
      offsetMinutes === 0 && zulu
        ? "Z"
        : `${offsetMinutes < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
    return (
      `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
      `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${fraction}${offset}`
    )
  })

const dateTime = fc.oneof(
  instant.map((at): DateTime.DateTime => DateTime.fromDateUnsafe(at)),
  fc
    .tuple(instant, fc.integer({ min: -12 * 60, max: 14 * 60 }))
    .map(([at, minutes]): DateTime.DateTime => DateTime.makeZonedUnsafe(at, { timeZone: minutes * 60_000 }))
)

const createdAtFilter: fc.Arbitrary<BalanceQuery.DateFilter> = fc.oneof(dateString, dateTime)
const collectedAtFilter: fc.Arbitrary<BalanceQuery.DateFilter> = fc.oneof(dateString, timestamp, dateTime)

/** Two filters, swapped when needed so start ≤ end (by the platform's parser). */
const rangeOf = (item: fc.Arbitrary<BalanceQuery.DateFilter>, withTime: boolean) =>
  fc
    .tuple(item, item)
    .map(
      ([a, b]): BalanceQuery.DateRange => (instantOf(a, withTime) <= instantOf(b, withTime) ? [a, b] : [b, a])
    )

const fieldSubset = fc.shuffledSubarray([...Balance.fieldNames], { minLength: 1 })

const validQuery: fc.Arbitrary<BalanceQuery.ListQuery> = fc.record(
  {
    link: uuid,
    account: uuid,
    id: uuid,
    link__in: uuids,
    account__in: uuids,
    id__in: uuids,
    page_size: fc.integer({ min: 1, max: 1000 }),
    page: fc.integer({ min: 1, max: 2_147_483_647 }),
    omit: fieldSubset,
    fields: fieldSubset,
    collected_at: collectedAtFilter,
    collected_at__gt: collectedAtFilter,
    collected_at__gte: collectedAtFilter,
    collected_at__lt: collectedAtFilter,
    collected_at__lte: collectedAtFilter,
    collected_at__range: rangeOf(collectedAtFilter, true),
    created_at: createdAtFilter,
    created_at__gt: createdAtFilter,
    created_at__gte: createdAtFilter,
    created_at__lt: createdAtFilter,
    created_at__lte: createdAtFilter,
    created_at__range: rangeOf(createdAtFilter, false)
  },
  { requiredKeys: ["link"] }
) as fc.Arbitrary<BalanceQuery.ListQuery>

/** A well-formed "YYYY-MM-DD" that names no calendar day. */
const impossibleDate = fc.oneof(
  fc
    .record({ year: fc.integer({ min: 1, max: 9999 }), month: fc.integer({ min: 1, max: 12 }) })
    .filter(({ year, month }) => monthLength(year, month) < 31)
    .chain(({ year, month }) =>
      fc
        .integer({ min: monthLength(year, month) + 1, max: 31 })
        .map((day) => `${pad(year, 4)}-${pad(month)}-${pad(day)}`)
    ),
  fc
    .tuple(
      fc.integer({ min: 1, max: 9999 }),
      fc.integer({ min: 13, max: 99 }),
      fc.integer({ min: 1, max: 28 })
    )
    .map(([y, m, d]) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`),
  fc
    .tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }))
    .map(([y, m]) => `${pad(y, 4)}-${pad(m)}-00`),
  fc.integer({ min: 1, max: 12 }).map((m) => `0000-${pad(m)}-01`)
)

const dateKey = fc.constantFrom(...COLLECTED, ...CREATED)

const withKey = (query: BalanceQuery.ListQuery, key: string, value: unknown): BalanceQuery.ListQuery =>
  ({ ...query, [key]: value }) as BalanceQuery.ListQuery

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/** A property over fast-check arbitraries, run as one test (100 runs unless told). */
const property =
  <Ts extends [unknown, ...Array<unknown>]>(
    arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
    predicate: (...values: Ts) => void,
    runs?: number
  ) =>
  () =>
    fc.assert(fc.property(...arbitraries, predicate), runs === undefined ? {} : { numRuns: runs })

describe("BalanceQuery properties", () => {
  it(
    "valid queries round-trip through URL params",
    property([validQuery], (query) => {
      const params = encodeOk(query)
      assert.deepStrictEqual<unknown>(Result.getOrThrow(BalanceQuery.decodeParams(params)), normalise(query))
      // and through a real query string, where "+" in offsets and "," must survive escaping
      const search = new URLSearchParams(params.map(([k, v]) => [k, v])).toString()
      assert.deepStrictEqual<unknown>(
        Result.getOrThrow(BalanceQuery.decodeParams(new URLSearchParams(search))),
        normalise(query)
      )
    })
  )

  it(
    "one param per present filter, in the documented order",
    property([validQuery], (query) => {
      const params = encodeOk(query)
      assert.deepStrictEqual(
        params.map(([key]) => key),
        ORDER.filter((key) => key in query)
      )
    })
  )

  it(
    "lists and ranges are comma-separated without spaces",
    property([validQuery], (query) => {
      for (const [key, text] of encodeOk(query)) {
        assert.notMatch(text, /\s/)
        const value = normalise(query)[key]
        if (Array.isArray(value)) assert.strictEqual(text, value.join(","))
        else if (typeof value === "number") assert.strictEqual(text, String(value))
        else assert.strictEqual(text, value)
      }
    })
  )

  it(
    "encoding is stable: encode ∘ decode ∘ encode = encode",
    property([validQuery], (query) => {
      const params = encodeOk(query)
      const again = Result.getOrThrow(BalanceQuery.decodeParams(params))
      assert.deepStrictEqual(encodeOk(again), params)
    })
  )

  it(
    "the ListQuery schema accepts exactly what encode accepts",
    property([validQuery], (query) => {
      assert.isTrue(Schema.is(BalanceQuery.ListQuery)(query))
    })
  )

  it(
    "a link that is not a UUID is rejected on link",
    property(
      [
        fc.oneof(fc.string(), fc.anything()).filter((s) => typeof s !== "string" || !UUID.test(s)),
        validQuery
      ],
      (link, query) => {
        expectInvalid(BalanceQuery.encode(withKey(query, "link", link)), "link", /UUID|required/)
      }
    )
  )

  it(
    "page_size outside 1..1000 or not an integer is rejected, never capped",
    property(
      [
        fc.oneof(
          fc.integer({ max: 0 }),
          fc.integer({ min: 1001 }),
          fc.double().filter((n) => !Number.isInteger(n)),
          fc.string()
        ),
        validQuery
      ],
      (size, query) => {
        expectInvalid(
          BalanceQuery.encode(withKey(query, "page_size", size)),
          "page_size",
          "must be an integer from 1 to 1000"
        )
      }
    )
  )

  it(
    "page below 1 or not an integer is rejected",
    property(
      [
        fc.oneof(
          fc.integer({ max: 0 }),
          fc.double().filter((n) => !Number.isInteger(n))
        ),
        validQuery
      ],
      (page, query) => {
        expectInvalid(BalanceQuery.encode(withKey(query, "page", page)), "page", /integer/)
      }
    )
  )

  it(
    "ranges of any length but 2 are rejected",
    property(
      [
        fc.constantFrom("collected_at__range", "created_at__range"),
        fc.array(dateString, { maxLength: 6 }).filter((a) => a.length !== 2),
        validQuery
      ],
      (key, range, query) => {
        expectInvalid(BalanceQuery.encode(withKey(query, key, range)), key, "exactly two dates")
      }
    )
  )

  it(
    "ranges whose start is after their end are rejected",
    property([fc.tuple(collectedAtFilter, collectedAtFilter), validQuery], ([a, b], query) => {
      fc.pre(instantOf(a, true) !== instantOf(b, true))
      const range = instantOf(a, true) > instantOf(b, true) ? [a, b] : [b, a]
      expectInvalid(
        BalanceQuery.encode(withKey(query, "collected_at__range", range)),
        "collected_at__range",
        "start must not be after end"
      )
    })
  )

  it(
    "impossible dates are rejected on their filter",
    property([dateKey, impossibleDate, validQuery], (key, date, q) => {
      expectInvalid(BalanceQuery.encode(withKey(q, key, date)), key, "must be a real calendar date")
    })
  )

  it(
    "impossible dates inside a range are rejected on the range",
    property(
      [fc.constantFrom("collected_at__range", "created_at__range"), impossibleDate, fc.boolean(), validQuery],
      (key, date, first, query) => {
        const range = first ? [date, "2024-01-01"] : ["0001-01-01", date]
        expectInvalid(
          BalanceQuery.encode(withKey(query, key, range)),
          key,
          /(start|end) must be a real calendar date/
        )
      }
    )
  )

  it(
    "created_at filters refuse timestamps",
    property([fc.constantFrom(...CREATED), timestamp, validQuery], (key, time, query) => {
      expectInvalid(BalanceQuery.encode(withKey(query, key, time)), key, "take no time of day")
    })
  )

  it(
    "unknown names in fields / omit are rejected",
    property(
      [
        fc.constantFrom("fields", "omit"),
        fieldSubset,
        fc.string().filter((s) => !(Balance.fieldNames as ReadonlyArray<string>).includes(s)),
        fc.nat(),
        validQuery
      ],
      (key, names, unknown, at, query) => {
        const list: Array<string> = [...names]
        list.splice(at % (list.length + 1), 0, unknown)
        expectInvalid(BalanceQuery.encode(withKey(query, key, list)), key, "is not a balance field")
      }
    )
  )

  it(
    "duplicate names in fields / omit are rejected",
    property(
      [fc.constantFrom("fields", "omit"), fieldSubset, fc.nat(), validQuery],
      (key, names, at, query) => {
        const duplicate = names[at % names.length]!
        expectInvalid(
          BalanceQuery.encode(withKey(query, key, [...names, duplicate])),
          key,
          `must not list "${duplicate}" twice`
        )
      }
    )
  )

  it(
    "unknown keys are rejected on the key",
    property(
      [
        fc.string().filter((k) => !(ORDER as ReadonlyArray<string>).includes(k) && k !== "__proto__"),
        validQuery
      ],
      (key, query) => {
        expectInvalid(BalanceQuery.encode(withKey(query, key, "x")), key, "is not a known parameter")
        expectInvalid(
          BalanceQuery.decodeParams([...encodeOk(query), [key, "x"]]),
          key,
          "is not a known parameter"
        )
      }
    )
  )

  it(
    "a repeated URL param is rejected",
    property([validQuery, fc.nat()], (query, at) => {
      const params = encodeOk(query)
      const repeated = params[at % params.length]!
      expectInvalid(BalanceQuery.decodeParams([...params, repeated]), repeated[0], "must appear only once")
    })
  )
})

// ---------------------------------------------------------------------------------------------
// Examples
// ---------------------------------------------------------------------------------------------

describe("BalanceQuery.encode examples", () => {
  // the query docs/queries.md quotes from examples/list-filters.ts
  const documented: BalanceQuery.ListQuery = januaryQuery

  it("encodes the documented example exactly", () => {
    const params = encodeOk(documented)
    assert.deepStrictEqual(params, [
      ["link", LINK],
      ["account__in", "85b77707-90ef-46fd-9059-5a757f24247a,6b3dea0f-be29-49d1-aabe-1a6d588642e6"],
      ["page_size", "500"],
      ["fields", "id,available,collected_at"],
      ["collected_at__range", "2024-01-01,2024-01-31T23:59:59-03:00"],
      ["created_at__gte", "2024-05-22"] // 23:30 at -05:00 is already the 22nd in UTC
    ])
    assert.strictEqual(
      new URLSearchParams(params.map(([k, v]) => [k, v])).toString(),
      "link=8848bd0c-9c7e-4f53-a732-ec896b11d4c4" +
        "&account__in=85b77707-90ef-46fd-9059-5a757f24247a%2C6b3dea0f-be29-49d1-aabe-1a6d588642e6" +
        "&page_size=500&fields=id%2Cavailable%2Ccollected_at" +
        "&collected_at__range=2024-01-01%2C2024-01-31T23%3A59%3A59-03%3A00&created_at__gte=2024-05-22"
    )
  })

  it.effect("lifts into an Effect with Effect.fromResult", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* Effect.fromResult(BalanceQuery.encode({ link: LINK, page: 2 })), [
        ["link", LINK],
        ["page", "2"]
      ])
      const error = yield* Effect.flip(Effect.fromResult(BalanceQuery.encode({ link: LINK, page_size: 0 })))
      assert.strictEqual(
        error.message,
        'Invalid query parameter "page_size": must be an integer from 1 to 1000, got 0'
      )
    })
  )

  it("page_size: 1 and 1000 pass; 0, 1001 and 2.5 fail (no silent cap)", () => {
    assert.deepInclude(encodeOk({ link: LINK, page_size: 1 }), ["page_size", "1"])
    assert.deepInclude(encodeOk({ link: LINK, page_size: 1000 }), ["page_size", "1000"])
    for (const size of [0, 1001, 2.5, Number.NaN]) {
      expectInvalid(BalanceQuery.encode({ link: LINK, page_size: size }), "page_size")
    }
  })

  it("page: from 1 up to the int32 maximum", () => {
    assert.deepInclude(encodeOk({ link: LINK, page: 2_147_483_647 }), ["page", "2147483647"])
    expectInvalid(BalanceQuery.encode({ link: LINK, page: 0 }), "page")
    expectInvalid(BalanceQuery.encode({ link: LINK, page: 2_147_483_648 }), "page")
  })

  it("link is required and must be a UUID; ids in lists too", () => {
    expectInvalid(BalanceQuery.encode({} as BalanceQuery.ListQuery), "link", "is required")
    expectInvalid(BalanceQuery.encode({ link: "not-a-uuid" }), "link", "must be a UUID")
    expectInvalid(BalanceQuery.encode({ link: LINK, account: "1234" }), "account", "must be a UUID")
    const error = expectInvalid(BalanceQuery.encode({ link: LINK, id__in: [LINK, "x"] }), "id__in")
    assert.strictEqual(
      error.message,
      `Invalid query parameter "id__in": "x" is not a UUID, got ["${LINK}", "x"]`
    )
    expectInvalid(BalanceQuery.encode({ link: LINK, link__in: [] }), "link__in", "must not be empty")
  })

  it("a query that is not an object is rejected", () => {
    for (const value of [null, "link=x", [LINK], 42]) {
      expectInvalid(
        BalanceQuery.encode(value as unknown as BalanceQuery.ListQuery),
        "query",
        "must be an object"
      )
    }
  })

  it("undefined values count as absent (plain JavaScript spreads)", () => {
    const query = { link: LINK, page: undefined } as unknown as BalanceQuery.ListQuery
    assert.deepStrictEqual(encodeOk(query), [["link", LINK]])
  })

  it("dates: leap days and real calendar dates only", () => {
    assert.deepInclude(encodeOk({ link: LINK, created_at: "2024-02-29" }), ["created_at", "2024-02-29"])
    assert.deepInclude(encodeOk({ link: LINK, created_at: "2000-02-29" }), ["created_at", "2000-02-29"])
    for (const date of ["2023-02-29", "1900-02-29", "2024-02-30", "2023-13-01", "2024-04-31", "0000-01-01"]) {
      expectInvalid(BalanceQuery.encode({ link: LINK, created_at: date }), "created_at", "real calendar date")
    }
    for (const text of ["2024-1-01", "20240101", "2024-01-01 ", "01/02/2024", ""]) {
      expectInvalid(
        BalanceQuery.encode({ link: LINK, created_at__lt: text }),
        "created_at__lt",
        'must be a date "YYYY-MM-DD"'
      )
    }
  })

  it("collected_at: dates or full timestamps with Z or an offset", () => {
    for (const text of [
      "2024-05-21",
      "2024-05-21T08:32:00Z",
      "2024-05-21T08:32:00.123456789Z",
      "2024-05-21T05:32:00-03:00",
      "2024-05-21T13:32:00+05:00"
    ]) {
      assert.deepInclude(encodeOk({ link: LINK, collected_at__gte: text }), ["collected_at__gte", text])
    }
    for (const text of [
      "2024-05-21T08:32:00",
      "2024-05-21T08:32Z",
      "2024-05-21t08:32:00z",
      "2024-05-21T08:32:00+0300"
    ]) {
      expectInvalid(
        BalanceQuery.encode({ link: LINK, collected_at: text }),
        "collected_at",
        "ISO-8601 timestamp"
      )
    }
    for (const text of [
      "2024-05-21T24:00:00Z",
      "2024-05-21T23:60:00Z",
      "2024-05-21T23:00:60Z",
      "2024-05-21T08:00:00+24:00"
    ]) {
      expectInvalid(
        BalanceQuery.encode({ link: LINK, collected_at: text }),
        "collected_at",
        "real time of day"
      )
    }
    expectInvalid(
      BalanceQuery.encode({ link: LINK, collected_at: "2024-02-30T00:00:00Z" }),
      "collected_at",
      "real calendar date"
    )
  })

  it("DateTime values: a UTC date for created_at, a UTC ISO timestamp for collected_at", () => {
    const at = DateTime.makeUnsafe("2024-05-21T23:30:00-05:00")
    assert.deepStrictEqual(encodeOk({ link: LINK, created_at: at, collected_at: at }), [
      ["link", LINK],
      ["collected_at", "2024-05-22T04:30:00.000Z"],
      ["created_at", "2024-05-22"]
    ])
    const zoned = DateTime.makeZonedUnsafe("2024-05-21T02:00:00Z", { timeZone: "America/Sao_Paulo" })
    assert.deepInclude(encodeOk({ link: LINK, created_at: zoned }), ["created_at", "2024-05-21"])
    const tooLate = DateTime.makeUnsafe(Date.UTC(10000, 0, 1))
    expectInvalid(
      BalanceQuery.encode({ link: LINK, created_at: tooLate }),
      "created_at",
      "years 0001 to 9999"
    )
    expectInvalid(
      BalanceQuery.encode({ link: LINK, created_at: 20240101 as never }),
      "created_at",
      "date string or a DateTime"
    )
  })

  it("ranges: exactly two dates, start not after end, compared as instants", () => {
    assert.deepInclude(encodeOk({ link: LINK, created_at__range: ["2024-01-01", "2024-01-01"] }), [
      "created_at__range",
      "2024-01-01,2024-01-01"
    ])
    // 2024-01-01T00:30:00+01:00 is 2023-12-31T23:30Z: before the bare date's UTC midnight
    expectInvalid(
      BalanceQuery.encode({ link: LINK, collected_at__range: ["2024-01-01", "2024-01-01T00:30:00+01:00"] }),
      "collected_at__range",
      "start must not be after end"
    )
    assert.lengthOf(
      encodeOk({
        link: LINK,
        collected_at__range: ["2024-01-01T00:00:00.000000001Z", "2024-01-01T00:00:00.000000002Z"]
      }),
      2
    )
    expectInvalid(
      BalanceQuery.encode({
        link: LINK,
        collected_at__range: ["2024-01-01T00:00:00.000000002Z", "2024-01-01T00:00:00.000000001Z"]
      }),
      "collected_at__range",
      "start must not be after end"
    )
    const three = ["2024-01-01", "2024-01-02", "2024-01-03"] as unknown as BalanceQuery.DateRange
    const error = expectInvalid(
      BalanceQuery.encode({ link: LINK, created_at__range: three }),
      "created_at__range"
    )
    assert.strictEqual(
      error.message,
      'Invalid query parameter "created_at__range": must be exactly two dates [start, end] (3 given), got ["2024-01-01", "2024-01-02", "2024-01-03"]'
    )
    expectInvalid(
      BalanceQuery.encode({ link: LINK, created_at__range: ["2024-01-01", "2024-01-02T00:00:00Z"] }),
      "created_at__range",
      'end must be a date "YYYY-MM-DD"'
    )
  })

  it("fields / omit: known names, non-empty, no duplicates; both may be given", () => {
    assert.deepStrictEqual(encodeOk({ link: LINK, fields: ["id", "available"], omit: ["available"] }), [
      ["link", LINK],
      ["omit", "available"],
      ["fields", "id,available"]
    ])
    expectInvalid(BalanceQuery.encode({ link: LINK, fields: [] }), "fields", "must not be empty")
    expectInvalid(BalanceQuery.encode({ link: LINK, omit: ["id", "id"] }), "omit", 'must not list "id" twice')
    expectInvalid(
      BalanceQuery.encode({ link: LINK, fields: ["balance" as Balance.Field] }),
      "fields",
      '"balance" is not a balance field'
    )
  })

  it("the documented invalid queries fail with the documented messages", () => {
    assert.deepStrictEqual(
      invalidQueries(januaryQuery.link).map(
        (query) => Result.flip(BalanceQuery.encode(query)).pipe(Result.getOrThrow).message
      ),
      [
        'Invalid query parameter "page_size": must be an integer from 1 to 1000, got 5000',
        'Invalid query parameter "created_at": must be a real calendar date, got "2023-02-29"',
        'Invalid query parameter "created_at": must be a date "YYYY-MM-DD" (created_at filters take no time of day), got "2024-05-21T08:00:00Z"',
        'Invalid query parameter "collected_at__range": start must not be after end, got ["2024-02-01", "2024-01-01"]',
        'Invalid query parameter "fields": must not list "id" twice, got ["id", "id"]'
      ]
    )
  })

  it("unknown parameters are rejected", () => {
    const error = expectInvalid(
      BalanceQuery.encode({ link: LINK, page_sise: 10 } as BalanceQuery.ListQuery),
      "page_sise"
    )
    assert.include(error.reason, "page_size")
  })
})

describe("BalanceQuery.decodeParams", () => {
  it("parses URLSearchParams, splitting lists and reading integers", () => {
    const search = new URLSearchParams(
      `link=${LINK}&page=2&page_size=50&fields=id,available&collected_at__range=2024-01-01T00:00:00%2B05:00,2024-01-02`
    )
    assert.deepStrictEqual(Result.getOrThrow(BalanceQuery.decodeParams(search)), {
      link: LINK,
      page: 2,
      page_size: 50,
      fields: ["id", "available"],
      collected_at__range: ["2024-01-01T00:00:00+05:00", "2024-01-02"]
    })
  })

  it("validates what it parses", () => {
    expectInvalid(BalanceQuery.decodeParams([["page", "1"]]), "link", "is required")
    expectInvalid(
      BalanceQuery.decodeParams([
        ["link", LINK],
        ["page_size", "abc"]
      ]),
      "page_size"
    )
    expectInvalid(
      BalanceQuery.decodeParams([
        ["link", LINK],
        ["page_size", "1e3"]
      ]),
      "page_size"
    )
    expectInvalid(
      BalanceQuery.decodeParams([
        ["link", LINK],
        ["id__in", ""]
      ]),
      "id__in",
      '"" is not a UUID'
    )
    expectInvalid(
      BalanceQuery.decodeParams([
        ["link", LINK],
        ["created_at__range", "2024-01-01"]
      ]),
      "created_at__range",
      "(1 given)"
    )
    // an unescaped "+" in a query string reads as a space
    expectInvalid(
      BalanceQuery.decodeParams(new URLSearchParams(`link=${LINK}&collected_at=2024-01-01T00:00:00+05:00`)),
      "collected_at"
    )
  })
})

describe("BalanceQuery projection", () => {
  const wire = {
    id: "0b94bdf9-3719-43a9-81e7-be95d2318595",
    link: LINK,
    account_id: "c4bfecf9-4eb6-4920-9f9f-e1f1e60ef321",
    account_internal_identification: "92792126019929279212650822221989319252576",
    collected_at: "2024-05-21T08:32:00Z",
    created_at: "2024-05-21T08:32:00Z",
    last_updated_at: "2021-05-21T08:30:00Z",
    currency: "BRL",
    available: 1000.02,
    blocked: 0.5,
    automatically_invested: 0
  }
  const { id, available } = wire

  it("fields: decodes exactly the listed fields and requires them", () => {
    const schema = BalanceQuery.projection({ fields: ["id", "available"] })
    assert.deepStrictEqual(Object.keys(Schema.decodeUnknownSync(schema)({ id, available })), [
      "id",
      "available"
    ])
    assert.deepStrictEqual(Object.keys(Schema.decodeUnknownSync(schema)(wire)).sort(), ["available", "id"])
    assert.isTrue(Result.isFailure(Schema.decodeUnknownResult(schema)({ id })))
  })

  it("omit: decodes everything else; both: fields minus omit; neither: the Balance schema", () => {
    const { available: _, ...withoutAvailable } = wire
    const omitted = Schema.decodeUnknownSync(BalanceQuery.projection({ omit: ["available"] }))(
      withoutAvailable
    )
    assert.notInclude(Object.keys(omitted), "available")
    assert.lengthOf(Object.keys(omitted), 10)
    const both = BalanceQuery.projection({ fields: ["id", "available"], omit: ["available"] })
    assert.deepStrictEqual(Object.keys(Schema.decodeUnknownSync(both)({ id })), ["id"])
    assert.strictEqual(BalanceQuery.projection({}), Balance.Balance)
  })

  it("encodeProjection: omit then fields, validated", () => {
    assert.deepStrictEqual(
      Result.getOrThrow(BalanceQuery.encodeProjection({ fields: ["id", "available"] })),
      [["fields", "id,available"]]
    )
    assert.deepStrictEqual(
      Result.getOrThrow(BalanceQuery.encodeProjection({ fields: ["id"], omit: ["blocked"] })),
      [
        ["omit", "blocked"],
        ["fields", "id"]
      ]
    )
    assert.deepStrictEqual(Result.getOrThrow(BalanceQuery.encodeProjection({})), [])
    expectInvalid(BalanceQuery.encodeProjection({ omit: [] }), "omit", "must not be empty")
    expectInvalid(
      BalanceQuery.encodeProjection({ link: LINK } as BalanceQuery.Projection),
      "link",
      "is not a known parameter"
    )
  })

  it("the Projection and ListQuery schemas report the InvalidQuery message", () => {
    assert.isTrue(Schema.is(BalanceQuery.Projection)({ fields: ["id"] }))
    assert.isFalse(Schema.is(BalanceQuery.Projection)({ fields: ["id", "id"] }))
    const result = Schema.decodeUnknownResult(BalanceQuery.ListQuery)({ link: LINK, page: 0 })
    assert.isTrue(Result.isFailure(result))
    if (Result.isFailure(result))
      assert.include(
        result.failure.message,
        'Invalid query parameter "page": must be an integer from 1 to 2147483647, got 0'
      )
  })
})

describe("BalanceQuery.withPage", () => {
  it("sets the page, data-first and data-last, keeping other filters", () => {
    const query = { link: LINK, page_size: 1000, page: 1 }
    assert.deepStrictEqual(BalanceQuery.withPage(query, 3), { link: LINK, page_size: 1000, page: 3 })
    assert.deepStrictEqual(BalanceQuery.withPage(4)(query), { link: LINK, page_size: 1000, page: 4 })
    assert.strictEqual(query.page, 1)
  })
})

describe("InvalidQuery", () => {
  it("renders field, reason and value", () => {
    const error = new BalanceQuery.InvalidQuery({
      field: "created_at",
      value: "2024-02-30",
      reason: "must be a real calendar date"
    })
    assert.strictEqual(
      error.message,
      'Invalid query parameter "created_at": must be a real calendar date, got "2024-02-30"'
    )
    assert.include(String(error), error.message)
  })
})
