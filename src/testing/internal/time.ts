/**
 * Timestamps as integer microseconds since the epoch (Django's precision), and the date/instant
 * values that the `collected_at` / `created_at` filters accept.
 *
 * @internal
 */

export const MICROS_PER_MS = 1000
export const MICROS_PER_DAY = 86_400_000_000

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
// A space where the offset's "+" should be: an unencoded "+" in a query string decodes to " ".
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+\- ]\d{2}(?::?\d{2})?)?$/

const validDay = (year: number, month: number, day: number): number | undefined => {
  const ms = Date.UTC(year, month - 1, day)
  const date = new Date(ms)
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    ? ms
    : undefined
}

/** The first microsecond of a `YYYY-MM-DD` UTC day, or `undefined` when it is not a real date. */
export const parseDate = (text: string): number | undefined => {
  const m = DATE.exec(text)
  if (m === null) return undefined
  const ms = validDay(Number(m[1]), Number(m[2]), Number(m[3]))
  return ms === undefined ? undefined : ms * MICROS_PER_MS
}

/** An ISO-8601 timestamp (offset optional, UTC when absent) in microseconds, or `undefined`. */
export const parseTimestamp = (text: string): number | undefined => {
  const m = TIMESTAMP.exec(text)
  if (m === null) return undefined
  const day = validDay(Number(m[1]), Number(m[2]), Number(m[3]))
  const hours = Number(m[4])
  const minutes = Number(m[5])
  const seconds = Number(m[6] ?? "0")
  if (day === undefined || hours > 23 || minutes > 59 || seconds > 59) return undefined
  const fraction = Number((m[7] ?? "").padEnd(6, "0").slice(0, 6))
  let offsetMinutes = 0
  const zone = m[8]
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const digits = zone.slice(1).replace(":", "")
    const oh = Number(digits.slice(0, 2))
    const om = Number(digits.slice(2) || "0")
    if (oh > 23 || om > 59) return undefined
    offsetMinutes = (zone[0] === "-" ? -1 : 1) * (oh * 60 + om)
  }
  const ms = day + ((hours * 60 + minutes - offsetMinutes) * 60 + seconds) * 1000
  return ms * MICROS_PER_MS + fraction
}

/** `2024-05-21T08:32:00Z`, with `.123` or `.123456` only when the instant has them. */
export const formatMicros = (micros: number): string => {
  const ms = Math.floor(micros / MICROS_PER_MS)
  const sub = micros - ms * MICROS_PER_MS
  const iso = new Date(ms).toISOString() // 2024-05-21T08:32:00.000Z
  const base = iso.slice(0, 19)
  const millis = iso.slice(20, 23)
  if (sub !== 0) return `${base}.${millis}${String(sub).padStart(3, "0")}Z`
  return millis === "000" ? `${base}Z` : `${base}.${millis}Z`
}

/** A half-open interval of microseconds `[lo, hi)`; the whole line when unfiltered. */
export interface Interval {
  readonly lo: number
  readonly hi: number
}

export const everything: Interval = { lo: -Infinity, hi: Infinity }

export const intersect = (a: Interval, b: Interval): Interval => ({
  lo: Math.max(a.lo, b.lo),
  hi: Math.min(a.hi, b.hi)
})

export const contains = (interval: Interval, micros: number): boolean =>
  micros >= interval.lo && micros < interval.hi

/**
 * A filter value: a whole UTC day, or an exact instant (a one-microsecond "day"), so every
 * lookup becomes a half-open interval: `exact` = [start, end), `gt` = [end, ∞), `gte` =
 * [start, ∞), `lt` = (-∞, start), `lte` = (-∞, end).
 */
export interface Span {
  readonly start: number
  readonly end: number
}

export const parseSpan = (text: string): Span | undefined => {
  const day = parseDate(text)
  if (day !== undefined) return { start: day, end: day + MICROS_PER_DAY }
  const at = parseTimestamp(text)
  return at === undefined ? undefined : { start: at, end: at + 1 }
}

export type Lookup = "exact" | "gt" | "gte" | "lt" | "lte"

export const lookupInterval = (lookup: Lookup, span: Span): Interval => {
  switch (lookup) {
    case "exact":
      return { lo: span.start, hi: span.end }
    case "gt":
      return { lo: span.end, hi: Infinity }
    case "gte":
      return { lo: span.start, hi: Infinity }
    case "lt":
      return { lo: -Infinity, hi: span.start }
    case "lte":
      return { lo: -Infinity, hi: span.end }
  }
}
