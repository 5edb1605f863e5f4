/**
 * The hand-written amount and timestamp readers must give exactly what the library functions (or
 * the plain readings) they replace give, for any input.
 */
import { assert, describe, it } from "@effect/vitest"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Equal from "effect/Equal"
import * as Option from "effect/Option"
import * as fc from "fast-check"
import { decimalOf, decimalOfNumber, decimalOfString, inRange } from "../src/internal/amount.js"
import { parseHead } from "../src/internal/json.js"
import * as Timestamp from "../src/internal/timestamp.js"

const { timestampOfString } = Timestamp

const decimalFromNumber = (input: number) => Option.fromNullishOr(decimalOfNumber(input))
const decimalFromString = (input: string) => Option.fromNullishOr(decimalOfString(input))

/** `value·10^-scale`, or "none": a plain rendering that tells apart any two results. */
const showDecimal = (decimal: Option.Option<BigDecimal.BigDecimal>) =>
  Option.match(decimal, { onNone: () => "none", onSome: (d) => `${d.value}e-${d.scale}` })

/** BigDecimal's own reading, within the documented range (18 integer digits, 8 decimal places). */
const reference = (input: number) =>
  Option.filter(Option.map(BigDecimal.fromNumber(input), BigDecimal.normalize), inRange)

/** Doubles as amounts come: cents, four decimals, large, tiny, integers with trailing zeros, any. */
const amount = fc.oneof(
  fc.integer({ min: -1e12, max: 1e12 }).map((cents) => cents / 100),
  fc.integer({ min: -1e12, max: 1e12 }).map((units) => units / 10_000),
  fc.integer().map((n) => n * 1000),
  fc.double({ min: -1e6, max: 1e6 }),
  fc.double(),
  fc.constantFrom(0, -0, 0.1, 0.3, 1e21, 1e-7, 2 ** 51, 2 ** 53, 1000.02, 123456789012345.67)
)

describe("decimalFromNumber", () => {
  it("equals BigDecimal.normalize(BigDecimal.fromNumber(n)), within range, for any double", () =>
    fc.assert(
      fc.property(amount, (input) => showDecimal(decimalFromNumber(input)) === showDecimal(reference(input))),
      { numRuns: 20_000 }
    ))

  it("is normalized and Equal to the reference", () => {
    const decimal = Option.getOrThrow(decimalFromNumber(1200))
    assert.deepStrictEqual([decimal.value, decimal.scale], [12n, -2])
    assert.isTrue(BigDecimal.equals(decimal, Option.getOrThrow(reference(1200))))
    assert.strictEqual(BigDecimal.format(Option.getOrThrow(decimalFromNumber(1000.02))), "1000.02")
    assert.isTrue(Option.isNone(decimalFromNumber(Number.NaN)))
  })

  it("refuses amounts out of range: 18 integer digits and 8 decimal places at most", () => {
    assert.isTrue(Option.isSome(decimalFromNumber(999_999_999_999_999.9)))
    assert.isTrue(Option.isNone(decimalFromNumber(1e18)))
    assert.isTrue(Option.isNone(decimalFromNumber(1e300)))
    assert.isTrue(Option.isNone(decimalFromNumber(1e-9)))
    assert.isTrue(Option.isSome(decimalFromNumber(1e-8)))
  })
})

describe("decimalFromString", () => {
  it("refuses what would cost a huge number to build, before building it", () => {
    for (const text of ["1e999999999", "1e100000000", "1e-999999999", "9".repeat(65), "1e19"]) {
      assert.isTrue(Option.isNone(decimalFromString(text)), text)
    }
    assert.strictEqual(
      showDecimal(decimalFromString("999999999999999999.99999999")),
      "99999999999999999999999999e-8"
    )
    assert.isTrue(Option.isNone(decimalFromString("1000000000000000000")))
    assert.isTrue(Option.isNone(decimalFromString("0.000000001")))
    assert.strictEqual(showDecimal(decimalFromString("-1.5e3")), "-15e--2")
  })
})

/** The former string reading, through BigDecimal's own parser: the reference for the direct one. */
const DECIMAL = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/
const referenceOfString = (input: string) => {
  if (input.length > 64 || !DECIMAL.test(input)) return Option.none()
  const e = input.search(/[eE]/)
  if (e !== -1 && Math.abs(Number(input.slice(e + 1))) > 64) return Option.none()
  return Option.filter(Option.map(BigDecimal.fromString(input), BigDecimal.normalize), inRange)
}

/** Numeric texts as servers (and hostile ones) write them: zeros, long runs, exponents, stray signs. */
const numericText = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("", "", "-", "+"),
      fc.oneof(fc.stringMatching(/^\d{0,22}$/), fc.stringMatching(/^0{0,4}[1-9]?0{0,20}$/)),
      fc.option(fc.oneof(fc.stringMatching(/^\d{0,14}$/), fc.stringMatching(/^[0-9]?0{0,12}$/)), {
        nil: undefined
      }),
      fc.option(
        fc.tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "+", "-"), fc.stringMatching(/^\d{0,3}$/)),
        {
          nil: undefined
        }
      )
    )
    .map(
      ([sign, integer, fraction, exponent]) =>
        `${sign}${integer}${fraction === undefined ? "" : `.${fraction}`}${exponent === undefined ? "" : exponent.join("")}`
    ),
  fc.integer({ min: -1e12, max: 1e12 }).map((cents) => (cents / 100).toFixed(2)),
  fc.double().map(String),
  fc.string({ maxLength: 30 })
)

const isNormalized = (decimal: BigDecimal.BigDecimal) =>
  decimal.value === 0n ? decimal.scale === 0 : decimal.value % 10n !== 0n

describe("decimalOfString", () => {
  it("equals BigDecimal.normalize(BigDecimal.fromString(s)), within range, for any text", () =>
    fc.assert(
      fc.property(
        numericText,
        (input) => showDecimal(decimalFromString(input)) === showDecimal(referenceOfString(input))
      ),
      { numRuns: 20_000 }
    ))

  it("builds normalized decimals, as does decimalOfNumber", () =>
    fc.assert(
      fc.property(fc.oneof(numericText, amount), (input) => {
        const decimal = decimalOf(input)
        return decimal === undefined || isNormalized(decimal)
      }),
      { numRuns: 5000 }
    ))

  it("reads only numbers and numeric strings", () => {
    for (const input of [null, undefined, true, {}, [], 10n]) assert.isUndefined(decimalOf(input))
    assert.strictEqual(showDecimal(Option.fromNullishOr(decimalOf("-0.0"))), "0e-0")
    assert.strictEqual(showDecimal(Option.fromNullishOr(decimalOf("00012.50"))), "125e-1")
    assert.strictEqual(showDecimal(Option.fromNullishOr(decimalOf("100.00"))), "1e--2")
  })
})

const epochOf = (value: Option.Option<DateTime.DateTime>) =>
  Option.match(value, { onNone: () => "none", onSome: (d) => String(DateTime.toEpochMillis(d)) })

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/** ISO-8601 as servers write it: any fraction length, Z or an offset, sometimes out of range. */
const isoLike = fc
  .tuple(
    fc.date({ min: new Date(-62e12), max: new Date(2.5e14), noInvalidDate: true }),
    fc.integer({ min: 0, max: 11 }),
    fc.stringMatching(/^\d{0,8}$/),
    fc.oneof(
      fc.constant("Z"),
      fc
        .tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }))
        .map(([sign, hours, minutes]) => `${sign}${pad(hours)}:${pad(minutes)}`),
      fc.constantFrom("", "z", "+05", "+0530", "Z ")
    )
  )
  .map(([date, fractionDigits, extra, zone]) => {
    const fraction = `${pad(date.getUTCMilliseconds(), 3)}${extra}`.slice(0, fractionDigits)
    return `${date.toISOString().slice(0, 19)}${fractionDigits > 0 ? `.${fraction}` : ""}${zone}`
  })

/** An ISO-like string with one character replaced: a month 13, an hour 24, a missing separator… */
const mutated = fc.tuple(isoLike, fc.nat(), fc.constantFrom(..."0123469-:TZ.+ ")).map(([text, at, char]) => {
  const index = at % text.length
  return `${text.slice(0, index)}${char}${text.slice(index + 1)}`
})

/**
 * An independent reading of RFC 3339 with a zone: one regular expression for the shape, the
 * calendar checked by a round trip through `Date`, milliseconds from the first three fraction digits.
 */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/
const rfc3339 = (input: string): Option.Option<number> => {
  const match = RFC3339.exec(input)
  if (match === null) return Option.none()
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number
  ]
  const [fraction = "", sign, offsetHour = "0", offsetMinute = "0"] = match.slice(7)
  if (
    year < 1 ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    Number(offsetHour) > 23 ||
    Number(offsetMinute) > 59
  ) {
    return Option.none()
  }
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return Option.none()
  date.setUTCHours(hour, minute, second, Number(fraction.padEnd(3, "0").slice(0, 3)))
  const offset = (sign === "-" ? -1 : 1) * (Number(offsetHour) * 60 + Number(offsetMinute))
  return Option.some(date.getTime() - offset * 60_000)
}

describe("timestampOfString", () => {
  it("reads every string as an independent RFC 3339 reading does", () =>
    fc.assert(
      fc.property(
        fc.oneof(isoLike, mutated, fc.string()),
        (input) =>
          epochOf(Option.fromNullishOr(timestampOfString(input))) ===
          Option.match(rfc3339(input), { onNone: () => "none", onSome: String })
      ),
      { numRuns: 20_000 }
    ))

  it("applies offsets, keeps milliseconds, and refuses days, times and texts that are not RFC 3339", () => {
    const millis = (text: string) => epochOf(Option.fromNullishOr(timestampOfString(text)))
    assert.strictEqual(
      millis("2024-05-21T05:32:00.123456-03:00"),
      String(Date.UTC(2024, 4, 21, 8, 32, 0, 123))
    )
    assert.strictEqual(
      millis("2024-05-21T08:32:00.123456789+00:00"),
      String(Date.UTC(2024, 4, 21, 8, 32, 0, 123))
    )
    assert.strictEqual(millis("2024-02-29T00:00:00Z"), String(Date.UTC(2024, 1, 29)))
    for (const text of [
      "2024-02-30T00:00:00Z",
      "2023-02-29T00:00:00Z",
      "2024-01-01T00:00:60Z",
      "2024-05-21T08:32:00",
      "2024-05-21 08:32:00",
      "2024-05-21T08:32:00.1234567890Z",
      "1",
      "May 21, 2024",
      "Zebra 2024"
    ]) {
      assert.strictEqual(millis(text), "none", text)
    }
  })
})

describe("parseHead", () => {
  it("gives the members before the key exactly as JSON.parse does, or nothing", () =>
    fc.assert(
      fc.property(
        fc.record({
          count: fc.nat(),
          next: fc.option(fc.webUrl(), { nil: null })
        }),
        fc.array(fc.jsonValue(), { maxLength: 3 }),
        fc.boolean(),
        (head, results, spaced) => {
          const page = { ...head, previous: null, results }
          const text = spaced ? JSON.stringify(page, null, 1) : JSON.stringify(page)
          const parsed = parseHead(text, "results")
          return parsed !== undefined && parsed.count === head.count && parsed.next === head.next
        }
      )
    ))

  it("reads only what comes before the key, and refuses what is not an object", () => {
    // `count` after `results` is not in the head: the caller then decodes the whole page.
    assert.deepStrictEqual(parseHead('{"results":[],"count":1}', "results"), { results: null })
    assert.isUndefined(parseHead('[{"results":[]}]', "results"))
    assert.deepStrictEqual(parseHead('{"next":"a\\"results\\"b","count":1,"results":[]}', "results"), {
      next: 'a"results"b',
      count: 1,
      results: null
    })
    assert.isUndefined(parseHead("not json", "results"))
  })
})

/**
 * The former reading of `BalanceQuery`'s date filters, regular expressions and `Date`: the
 * reference for `Timestamp.read` with upper-case letters only.
 */
const QUERY_DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const QUERY_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/
const queryInstant = (text: string, withTime: boolean): string => {
  const date = QUERY_DATE.exec(text)
  const time = date ? undefined : withTime ? QUERY_TIMESTAMP.exec(text) : undefined
  const parts = (date ?? time)?.slice(1).map((part) => (part === undefined ? 0 : Number(part)))
  if (parts === undefined) return "shape"
  const [year = 0, month = 0, day = 0, hours = 0, minutes = 0, seconds = 0] = parts
  const check = new Date(0)
  check.setUTCFullYear(year, month - 1, day)
  if (
    year < 1 ||
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day
  )
    return "date"
  const epoch = (h: number, m: number, s: number) => {
    const at = new Date(0)
    at.setUTCFullYear(year, month - 1, day)
    at.setUTCHours(h, m, s, 0)
    return at.getTime()
  }
  if (!time) return String(BigInt(epoch(0, 0, 0)) * 1_000_000n)
  const [, , , , , , , fraction = "", sign, offsetHours = "0", offsetMinutes = "0"] = time
  if (hours > 23 || minutes > 59 || seconds > 59 || Number(offsetHours) > 23 || Number(offsetMinutes) > 59)
    return "time"
  const offset = (sign === "-" ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000
  return String(
    BigInt(epoch(hours, minutes, seconds) - offset) * 1_000_000n + BigInt(fraction.padEnd(9, "0"))
  )
}

/** `Timestamp.read` as `BalanceQuery` uses it: the refusal, or the instant in nanoseconds. */
const readQuery = (text: string, withTime: boolean): string => {
  const read = Timestamp.read(text, { time: withTime ? "optional" : "none", lowercase: false })
  return typeof read === "string"
    ? read
    : String(BigInt(Math.floor(read / 1000)) * 1_000_000_000n + BigInt(Timestamp.fractionNanos(text)))
}

describe("Timestamp.read: one reader for decoding and for query filters", () => {
  const dates = fc
    .date({ min: new Date(-62e12), max: new Date(2.5e14), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 10))
  const mutatedDate = fc
    .tuple(dates, fc.nat(), fc.constantFrom(..."0123469-:TtZz"))
    .map(([text, at, char]) => {
      const index = at % text.length
      return `${text.slice(0, index)}${char}${text.slice(index + 1)}`
    })

  it("reads query dates and timestamps as the regular-expression reading does, refusals and instants alike", () =>
    fc.assert(
      fc.property(
        fc.oneof(isoLike, mutated, dates, mutatedDate, fc.string()),
        fc.boolean(),
        (input, withTime) => {
          assert.strictEqual(readQuery(input, withTime), queryInstant(input, withTime), input)
        }
      ),
      { numRuns: 20_000 }
    ))

  it("takes lower-case t and z only where RFC 3339 decoding asks for them", () => {
    const form = { time: "optional", lowercase: false } as const
    assert.strictEqual(Timestamp.read("2024-05-21t08:32:00Z", form), "shape")
    assert.strictEqual(Timestamp.read("2024-05-21T08:32:00z", form), "shape")
    assert.strictEqual(
      Timestamp.read("2024-05-21t08:32:00z", Timestamp.RFC3339),
      Date.UTC(2024, 4, 21, 8, 32)
    )
    assert.strictEqual(Timestamp.read("2024-05-21", Timestamp.RFC3339), "shape")
    assert.strictEqual(
      Timestamp.read("2024-05-21", { time: "none", lowercase: false }),
      Date.UTC(2024, 4, 21)
    )
    assert.strictEqual(Timestamp.read("0001-01-01", { time: "none", lowercase: false }), -62_135_596_800_000)
  })
})

describe("utcOfMillis", () => {
  it("builds what DateTime.makeUnsafe builds: same prototype, same own properties, before and after its parts are computed", () =>
    fc.assert(
      fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), (millis) => {
        const ours = Timestamp.utcOfMillis(millis)
        const effects = DateTime.makeUnsafe(millis)
        const same = () => {
          assert.strictEqual(Object.getPrototypeOf(ours), Object.getPrototypeOf(effects))
          assert.deepStrictEqual(
            Object.getOwnPropertyDescriptors(ours),
            Object.getOwnPropertyDescriptors(effects)
          )
          assert.deepStrictEqual(ours, effects)
        }
        same()
        assert.isTrue(Equal.equals(ours, effects))
        assert.deepStrictEqual(DateTime.toPartsUtc(ours), DateTime.toPartsUtc(effects))
        assert.strictEqual(DateTime.formatIso(ours), DateTime.formatIso(effects))
        same()
      }),
      { numRuns: 500 }
    ))
})
