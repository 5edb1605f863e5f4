/**
 * The hand-written amount and timestamp parsers of the fast decoder must give exactly what the
 * library functions they replace give, for any input.
 */
import { assert, describe, it } from "@effect/vitest"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import * as fc from "fast-check"
import { decimalFromNumber, decimalFromString, inRange } from "../src/internal/amount.js"
import { parseHead } from "../src/internal/json.js"
import { timestampOfString } from "../src/internal/timestamp.js"

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
