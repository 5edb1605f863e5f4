/**
 * Decimal amounts: the one definition `Balance.Amount`, the fast page decoder and the sandbox's
 * seeding share. Amounts are built straight from the wire value into a normalized `BigDecimal`
 * (no trailing zeros in the unscaled value), without going through `BigDecimal.fromNumber`'s text
 * or `BigDecimal.normalize`; property tests hold both readers to those functions' answers.
 *
 * @internal
 */
import * as BigDecimal from "effect/BigDecimal"

/**
 * The sane range of an amount: at most 18 integer digits and 8 decimal places. Belvo documents 15
 * and 2 to 4 (`^\d{1,15}\.\d{2,4}$`); the margin keeps real data, the bound keeps a hostile
 * `"1e999999999"` from becoming a number whose every sum costs seconds.
 */
export const MAX_INTEGER_DIGITS = 18
export const MAX_DECIMAL_PLACES = 8

/** The rule, as the client's `DecodeError` and the sandbox's seeding state it. */
export const AMOUNT_RULE = `a decimal amount with at most ${MAX_INTEGER_DIGITS} integer digits and ${MAX_DECIMAL_PLACES} decimal places`

// A text longer than this, or an exponent beyond this, cannot be an amount in range (18 + 8 digits,
// sign, point and zero padding fit easily); both are refused before any big number is built.
const MAX_TEXT_LENGTH = 64
const MAX_EXPONENT = 64

/** 10^(18 + scale) for every scale an amount may have (-17 to 8), indexed by 18 + scale. */
const LIMITS = Array.from({ length: MAX_INTEGER_DIGITS + MAX_DECIMAL_PLACES + 1 }, (_, k) => 10n ** BigInt(k))

/** Whether a normalized decimal is in the sane range. */
export const inRange = (decimal: BigDecimal.BigDecimal): boolean => {
  const { value, scale } = decimal
  if (scale > MAX_DECIMAL_PLACES) return false
  const magnitude = value < 0n ? -value : value
  // |value · 10^-scale| < 10^18, in integers: |value| < 10^(18 + scale).
  const digits = MAX_INTEGER_DIGITS + scale
  return digits > 0 ? magnitude < LIMITS[digits]! : magnitude === 0n
}

/** Zero, normalized: shared, as a `BigDecimal` is immutable. */
const ZERO = BigDecimal.make(0n, 0)

// Exact powers of ten as doubles, up to the most decimal places an amount may have.
const POWERS_OF_TEN = Array.from({ length: MAX_DECIMAL_PLACES + 1 }, (_, k) => 10 ** k)
// Past 2^51 the scaled value may have two round-tripping neighbours; leave those to the text path.
const UNIQUE_BELOW = 2 ** 51

/**
 * The decimal whose shortest round-trip text is the double's, so 1000.02 is 1000.02 and not
 * 1000.0199999…, normalized, or `undefined` when it is not finite or out of range.
 *
 * Same answer as `BigDecimal.normalize(BigDecimal.fromNumber(n))` within range, which goes
 * through the double's text and a `BigInt` parse (about 1 µs). Amounts are small decimals, so
 * this looks for the least scale `k` at which `n · 10^k` is an integer `m` that divides back to
 * exactly `n`: while `|m| < 2^51`, the rounding in `n · 10^k` is under half a unit, so `m` is found
 * if it exists, it is the only integer at that scale that round-trips, and the least such scale is
 * the shortest text's. None up to 8 decimal places means more than 8: out of range. A value
 * too large for that search takes the text path.
 */
export const decimalOfNumber = (input: number): BigDecimal.BigDecimal | undefined => {
  if (input === 0) return ZERO
  // `!(… < …)` also refuses NaN.
  if (!(Math.abs(input) < 1e18)) return undefined
  for (let scale = 0; scale <= MAX_DECIMAL_PLACES; scale++) {
    const power = POWERS_OF_TEN[scale]!
    const unscaled = Math.round(input * power)
    if (!(Math.abs(unscaled) < UNIQUE_BELOW)) return viaText(input)
    if (unscaled / power === input) return fromSafeInteger(unscaled, scale)
  }
  return undefined
}

/** The double's shortest round-trip text, read as a decimal: for the few too large for the search. */
const viaText = (input: number): BigDecimal.BigDecimal | undefined => decimalOfString(String(input))

/**
 * The decimal `unscaled · 10^-scale` with trailing zeros moved into the scale. In range by
 * construction: `|unscaled| < 2^51` and `scale ≤ 8`, and the value is the double, under 10^18.
 */
const fromSafeInteger = (unscaled: number, scale: number): BigDecimal.BigDecimal => {
  let value = unscaled
  let exponent = scale
  // Only a scale-0 integer can end in zeros: a least scale above 0 never does.
  if (exponent === 0) {
    while (value % 10 === 0) {
      value /= 10
      exponent--
    }
  }
  return BigDecimal.make(BigInt(value), exponent)
}

const ZERO_CODE = 48
const isDigit = (code: number) => code >= ZERO_CODE && code <= ZERO_CODE + 9

/** The index of the first non-digit of `input` from `at`. */
const digitsEnd = (input: string, at: number): number => {
  let i = at
  while (i < input.length && isDigit(input.charCodeAt(i))) i++
  return i
}

/**
 * The decimal a numeric string denotes (`-?\d+(\.\d+)?([eE][+-]?\d+)?`), normalized, or
 * `undefined` when it has another shape or is out of range. Read straight into the unscaled
 * digits and the scale, and checked against the range before any `BigInt` is built.
 */
export const decimalOfString = (input: string): BigDecimal.BigDecimal | undefined => {
  if (input.length > MAX_TEXT_LENGTH) return undefined
  const negative = input.charCodeAt(0) === 45
  const start = negative ? 1 : 0
  const intEnd = digitsEnd(input, start)
  if (intEnd === start) return undefined
  let end = intEnd
  if (input.charCodeAt(end) === 46) {
    end = digitsEnd(input, end + 1)
    if (end === intEnd + 1) return undefined
  }
  let exponent = 0
  if (end < input.length) {
    const e = input.charCodeAt(end)
    if (e !== 101 && e !== 69) return undefined
    let at = end + 1
    const sign = input.charCodeAt(at)
    if (sign === 43 || sign === 45) at++
    const expEnd = digitsEnd(input, at)
    if (expEnd === at || expEnd !== input.length) return undefined
    const magnitude = Number(input.slice(at, expEnd))
    if (magnitude > MAX_EXPONENT) return undefined
    exponent = sign === 45 ? -magnitude : magnitude
  }
  return decimalOfPlain(input, negative, exponent, end)
}

/**
 * The decimal of `input` up to `end`, a plain `-?\d+(\.\d+)?` already checked, times 10^exponent.
 * With its `digits` significant digits (leading and trailing zeros dropped) and normalized scale
 * `s`, the value is in range when `s ≤ 8` and `digits ≤ 18 + s` (`|value| < 10^digits`).
 */
const decimalOfPlain = (
  input: string,
  negative: boolean,
  exponent: number,
  end: number
): BigDecimal.BigDecimal | undefined => {
  const start = negative ? 1 : 0
  const point = input.indexOf(".", start)
  const intEnd = point === -1 || point >= end ? end : point
  const fractionDigits = intEnd === end ? 0 : end - intEnd - 1
  // The digits without the point, as one run from `first` to `last` (inclusive) of significant ones.
  let first = start
  while (first < end && (input.charCodeAt(first) === ZERO_CODE || first === intEnd)) first++
  if (first === end) return ZERO
  let last = end - 1
  let trailing = 0
  while (input.charCodeAt(last) === ZERO_CODE || last === intEnd) {
    if (last !== intEnd) trailing++
    last--
  }
  const scale = fractionDigits - trailing - exponent
  const spansPoint = first < intEnd && last > intEnd
  const digits = last - first + 1 - (spansPoint ? 1 : 0)
  if (scale > MAX_DECIMAL_PLACES || digits > MAX_INTEGER_DIGITS + scale) return undefined
  const text = spansPoint
    ? input.slice(first, intEnd) + input.slice(intEnd + 1, last + 1)
    : input.slice(first, last + 1)
  const value = BigInt(text)
  return BigDecimal.make(negative ? -value : value, scale)
}

/**
 * The decimal of an amount as it comes on the wire (a JSON number, or a numeric string as some
 * servers send to keep it exact), or `undefined` when it is not {@link AMOUNT_RULE}.
 */
export const decimalOf = (input: unknown): BigDecimal.BigDecimal | undefined =>
  typeof input === "number"
    ? decimalOfNumber(input)
    : typeof input === "string"
      ? decimalOfString(input)
      : undefined

/** A JSON number when it denotes the same decimal, the decimal string otherwise: no cent is lost. */
export const encodeDecimal = (decimal: BigDecimal.BigDecimal): number | string => {
  const text = BigDecimal.format(decimal)
  const asNumber = Number(text)
  return String(asNumber) === text ? asNumber : text
}

/**
 * The exact decimal text of an amount with at least `minDecimals` decimal places: trailing zeros
 * are added up to that scale and kept beyond it only where the value has digits. No rounding.
 */
export const formatDecimal = (decimal: BigDecimal.BigDecimal, minDecimals: number): string => {
  const { value, scale } = BigDecimal.normalize(decimal)
  const places = Math.max(scale, minDecimals)
  const unscaled = places >= scale ? value * 10n ** BigInt(places - scale) : value
  const negative = unscaled < 0n
  const digits = (negative ? -unscaled : unscaled).toString().padStart(places + 1, "0")
  const integer = digits.slice(0, digits.length - places)
  const fraction = digits.slice(digits.length - places)
  return `${negative ? "-" : ""}${integer}${places > 0 ? `.${fraction}` : ""}`
}
