/**
 * ISO-8601 timestamps into `DateTime.Utc`: the one strict reader `Balance.Timestamp` and the fast
 * page decoder share.
 *
 * Accepted: RFC 3339 date-times as Belvo sends them, `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`,
 * with 1 to 9 fraction digits (kept to the millisecond, as `DateTime` is), a real calendar date
 * (no February 30) and a real time of day. Anything else, a date without a zone included, is
 * refused: read digit by digit into `Date.UTC`, never through `Date`'s lenient parser, so the
 * answer does not depend on the process time zone.
 *
 * @internal
 */
import * as DateTime from "effect/DateTime"

const ZERO = 48

/** The value of the `length` ASCII digits at `at`, or -1 when one is not a digit. */
const digits = (input: string, at: number, length: number): number => {
  let value = 0
  for (let i = at; i < at + length; i++) {
    const digit = input.charCodeAt(i) - ZERO
    if (digit < 0 || digit > 9) return -1
    value = value * 10 + digit
  }
  return value
}

const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : month === 4 || month === 6 || month === 9 || month === 11
      ? 30
      : 31

/** Epoch milliseconds of an RFC 3339 date-time with a zone, or `undefined`. */
export const epochMillis = (input: string): number | undefined => {
  // Shortest accepted: "2024-01-01T00:00:00Z" (20 characters); longest: 9 fraction digits and an offset.
  if (input.length < 20 || input.length > 35) return undefined
  if (input[4] !== "-" || input[7] !== "-" || (input[10] !== "T" && input[10] !== "t")) return undefined
  if (input[13] !== ":" || input[16] !== ":") return undefined
  const year = digits(input, 0, 4)
  const month = digits(input, 5, 2)
  const day = digits(input, 8, 2)
  const hour = digits(input, 11, 2)
  const minute = digits(input, 14, 2)
  const second = digits(input, 17, 2)
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined
  let at = 19
  let millis = 0
  if (input[at] === ".") {
    const start = ++at
    while (at < input.length && input.charCodeAt(at) >= ZERO && input.charCodeAt(at) <= ZERO + 9) at++
    const count = at - start
    if (count === 0 || count > 9) return undefined
    // Milliseconds: the first three fraction digits, the rest dropped (as Date does).
    millis = digits(input, start, Math.min(count, 3)) * (count >= 3 ? 1 : count === 2 ? 10 : 100)
  }
  let offsetMinutes = 0
  const zone = input[at]
  if ((zone === "Z" || zone === "z") && at + 1 === input.length) {
    // UTC.
  } else if ((zone === "+" || zone === "-") && at + 6 === input.length && input[at + 3] === ":") {
    const offsetHour = digits(input, at + 1, 2)
    const offsetMinute = digits(input, at + 4, 2)
    if (offsetHour < 0 || offsetHour > 23 || offsetMinute < 0 || offsetMinute > 59) return undefined
    offsetMinutes = (zone === "+" ? 1 : -1) * (offsetHour * 60 + offsetMinute)
  } else {
    return undefined
  }
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear keeps them as written.
  const utc =
    year >= 100
      ? Date.UTC(year, month - 1, day, hour, minute, second, millis)
      : early(year, month, day, hour, minute, second, millis)
  return utc - offsetMinutes * 60_000
}

const early = (
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number
): number => {
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, millis)
  return date.getTime()
}

/** The instant `input` denotes, or `undefined` when it is not an RFC 3339 date-time with a zone. */
export const timestampOfString = (input: string): DateTime.Utc | undefined => {
  const millis = epochMillis(input)
  return millis === undefined ? undefined : DateTime.makeUnsafe(millis)
}
