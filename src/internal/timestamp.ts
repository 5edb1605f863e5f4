/**
 * ISO-8601 timestamps into `DateTime.Utc`, for the fast page decoder.
 *
 * `DateTime.make` on a string tests a zone pattern, parses through `Date` and builds the value:
 * about 0.8 µs, three times per balance. Belvo's timestamps have one shape,
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, which this reads digit by digit into epoch
 * milliseconds, with `Date.UTC` doing the calendar arithmetic exactly as `Date`'s own parser does.
 * Any other shape, and any field out of the plain ranges (hour 24, year before 100…), goes to
 * `DateTime.make`, so the answer is always `Date`'s. A property test holds the two equal.
 *
 * @internal
 */
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"

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

/** Epoch milliseconds of the common shape, or `undefined` to leave the string to `Date`. */
const epochMillis = (input: string): number | undefined => {
  // Shortest accepted: "2024-01-01T00:00:00Z" (20 characters).
  if (input.length < 20) return undefined
  if (input[4] !== "-" || input[7] !== "-" || input[10] !== "T" || input[13] !== ":" || input[16] !== ":") {
    return undefined
  }
  const year = digits(input, 0, 4)
  const month = digits(input, 5, 2)
  const day = digits(input, 8, 2)
  const hour = digits(input, 11, 2)
  const minute = digits(input, 14, 2)
  const second = digits(input, 17, 2)
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > 31) return undefined
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined
  let at = 19
  let millis = 0
  if (input[at] === ".") {
    // Date keeps the first three fraction digits and ignores the rest.
    const start = ++at
    while (at < input.length && input.charCodeAt(at) >= ZERO && input.charCodeAt(at) <= ZERO + 9) at++
    const count = at - start
    if (count === 0) return undefined
    millis = digits(input, start, Math.min(count, 3)) * (count >= 3 ? 1 : count === 2 ? 10 : 100)
  }
  let offsetMinutes = 0
  if (input[at] === "Z" && at + 1 === input.length) {
    // UTC.
  } else if ((input[at] === "+" || input[at] === "-") && at + 6 === input.length && input[at + 3] === ":") {
    const offsetHour = digits(input, at + 1, 2)
    const offsetMinute = digits(input, at + 4, 2)
    if (offsetHour < 0 || offsetHour > 23 || offsetMinute < 0 || offsetMinute > 59) return undefined
    offsetMinutes = (input[at] === "+" ? 1 : -1) * (offsetHour * 60 + offsetMinute)
  } else {
    return undefined
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000
}

/** The instant `input` denotes, as `DateTime.make` reads it, or `undefined`. */
export const timestampOfString = (input: string): DateTime.Utc | undefined => {
  const millis = epochMillis(input)
  if (millis !== undefined) return DateTime.makeUnsafe(millis)
  const decoded = DateTime.make(input)
  return Option.isSome(decoded) ? DateTime.toUtc(decoded.value) : undefined
}
