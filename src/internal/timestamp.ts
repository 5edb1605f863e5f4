/**
 * Dates and date-times read from text: the one strict reader that `Balance.Timestamp`, the fast
 * page decoder and `BalanceQuery`'s date filters share.
 *
 * A date-time is RFC 3339 as Belvo sends it, `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, with 1
 * to 9 fraction digits, a real calendar date (no February 30, years 0001 to 9999) and a real time
 * of day; a date is `YYYY-MM-DD`. Anything else, a date-time without a zone included, is refused.
 * Read digit by digit and counted in days from the civil calendar, never through `Date`'s lenient
 * parser, so the answer does not depend on the process time zone.
 *
 * @internal
 */
import * as DateTime from "effect/DateTime"

/** What a text must be: which parts it has, and whether `t` and `z` may stand for `T` and `Z`. */
export interface Form {
  /** `"required"`: a date-time; `"optional"`: a date-time or a date; `"none"`: a date. */
  readonly time: "required" | "optional" | "none"
  /** RFC 3339 allows lower-case `t` and `z`; Belvo's query parameters do not. */
  readonly lowercase: boolean
}

/** RFC 3339 date-times, as `Balance.Timestamp` reads them. */
export const RFC3339: Form = { time: "required", lowercase: true }

/**
 * Why a text is not an instant: not of the form at all (`"shape"`), a day that does not exist
 * (`"date"`), or an hour, minute, second or offset out of range (`"time"`).
 */
export type Refusal = "shape" | "date" | "time"

const ZERO = 48
const HYPHEN = 45
const COLON = 58
const POINT = 46
const PLUS = 43
const T = 84
const Z = 90
/** The lower-case letter of an upper-case ASCII code. */
const LOWER = 32

/** The value of the two ASCII digits at `at`, or a negative number when one is not a digit. */
const pair = (input: string, at: number): number => {
  const tens = input.charCodeAt(at) - ZERO
  const units = input.charCodeAt(at + 1) - ZERO
  return tens >= 0 && tens <= 9 && units >= 0 && units <= 9 ? tens * 10 + units : -1
}

/** The value of the `length` ASCII digits at `at`, or -1 when one is not a digit. */
const digits = (input: string, at: number, length: number): number => {
  let value = 0
  for (let i = at; i < at + length; i++) {
    const digit = input.charCodeAt(i) - ZERO
    if (!(digit >= 0 && digit <= 9)) return -1
    value = value * 10 + digit
  }
  return value
}

const isLetter = (code: number, upper: number, lowercase: boolean) =>
  code === upper || (lowercase && code === upper + LOWER)

const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : month === 4 || month === 6 || month === 9 || month === 11
      ? 30
      : 31

/** Days from 1970-01-01 to a proleptic Gregorian date of year 1 or later (H. Hinnant's `days_from_civil`). */
const daysFromCivil = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146_097 + dayOfEra - 719_468
}

/**
 * Reads `input` as `form` says: the instant it denotes in epoch milliseconds (the fraction cut to
 * the millisecond, as `DateTime` keeps it; {@link fractionNanos} has the rest), a date alone its
 * UTC midnight; or why not.
 */
export const read = (input: string, form: Form): number | Refusal => {
  const length = input.length
  if (length < 10 || input.charCodeAt(4) !== HYPHEN || input.charCodeAt(7) !== HYPHEN) return "shape"
  const century = pair(input, 0)
  const yearOfCentury = pair(input, 2)
  const month = pair(input, 5)
  const day = pair(input, 8)
  if ((century | yearOfCentury | month | day) < 0) return "shape"
  const year = century * 100 + yearOfCentury
  const isDate = year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
  if (length === 10) {
    if (form.time === "required") return "shape"
    return isDate ? daysFromCivil(year, month, day) * 86_400_000 : "date"
  }
  // Shortest date-time: "2024-01-01T00:00:00Z" (20 characters); longest: 9 fraction digits and an offset.
  if (form.time === "none" || length < 20 || length > 35) return "shape"
  if (!isLetter(input.charCodeAt(10), T, form.lowercase)) return "shape"
  if (input.charCodeAt(13) !== COLON || input.charCodeAt(16) !== COLON) return "shape"
  const hour = pair(input, 11)
  const minute = pair(input, 14)
  const second = pair(input, 17)
  if ((hour | minute | second) < 0) return "shape"
  let at = 19
  let millis = 0
  if (input.charCodeAt(at) === POINT) {
    const start = ++at
    while (at < length && at - start < 10 && digits(input, at, 1) >= 0) at++
    const count = at - start
    if (count === 0 || count > 9) return "shape"
    millis = count >= 3 ? digits(input, start, 3) : digits(input, start, count) * (count === 2 ? 10 : 100)
  }
  let offsetMinutes = 0
  let offsetOk = true
  const zone = input.charCodeAt(at)
  if (isLetter(zone, Z, form.lowercase) && at + 1 === length) {
    // UTC.
  } else if ((zone === PLUS || zone === HYPHEN) && at + 6 === length && input.charCodeAt(at + 3) === COLON) {
    const offsetHour = pair(input, at + 1)
    const offsetMinute = pair(input, at + 4)
    if ((offsetHour | offsetMinute) < 0) return "shape"
    offsetOk = offsetHour <= 23 && offsetMinute <= 59
    offsetMinutes = (zone === PLUS ? 1 : -1) * (offsetHour * 60 + offsetMinute)
  } else {
    return "shape"
  }
  if (!isDate) return "date"
  if (!offsetOk || hour > 23 || minute > 59 || second > 59) return "time"
  const seconds =
    daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
  return seconds * 1000 + millis
}

/** The fraction of a second of a text `read` accepted, in nanoseconds (0 when it has none). */
export const fractionNanos = (input: string): number => {
  if (input.charCodeAt(19) !== POINT) return 0
  let end = 20
  while (digits(input, end, 1) >= 0) end++
  return digits(input, 20, end - 20) * 10 ** (9 - (end - 20))
}

/** Epoch milliseconds of an RFC 3339 date-time with a zone, or `undefined`. */
export const epochMillis = (input: string): number | undefined => {
  const millis = read(input, RFC3339)
  return typeof millis === "string" ? undefined : millis
}

// `DateTime.Utc`'s prototype, from a value Effect built, and the one own property Effect hides on it.
const UTC_PROTOTYPE: object = Object.getPrototypeOf(DateTime.makeUnsafe(0))
const NO_PARTS: PropertyDescriptor = Object.freeze({ value: undefined, enumerable: false, writable: true })

/**
 * `DateTime.makeUnsafe(millis)` for the instants `read` gives (whole milliseconds, years 0001 to
 * 9999): the same prototype and own properties, without the `Date` it builds and the property
 * descriptor it allocates for every value, which made three timestamps cost more than the rest of
 * a balance. A test holds the two indistinguishable.
 */
export const utcOfMillis = (millis: number): DateTime.Utc => {
  const utc = Object.create(UTC_PROTOTYPE)
  utc.epochMilliseconds = millis
  Object.defineProperty(utc, "partsUtc", NO_PARTS)
  return utc
}

/** The instant `input` denotes, or `undefined` when it is not an RFC 3339 date-time with a zone. */
export const timestampOfString = (input: string): DateTime.Utc | undefined => {
  const millis = epochMillis(input)
  return millis === undefined ? undefined : utcOfMillis(millis)
}
