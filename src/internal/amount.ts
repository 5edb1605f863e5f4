/**
 * Decimal amounts: the one implementation `Balance.Amount` and the fast page decoder share.
 *
 * @internal
 */
import * as BigDecimal from "effect/BigDecimal"
import * as Option from "effect/Option"

const DECIMAL = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/

/**
 * The sane range of an amount: at most 18 integer digits and 8 decimal places. Belvo documents 15
 * and 2 to 4 (`^\d{1,15}\.\d{2,4}$`); the margin keeps real data, the bound keeps a hostile
 * `"1e999999999"` from becoming a number whose every sum costs seconds.
 */
export const MAX_INTEGER_DIGITS = 18
export const MAX_DECIMAL_PLACES = 8

// A text longer than this, or an exponent beyond this, cannot be an amount in range (18 + 8 digits,
// sign, point and zero padding fit easily); both are refused before any big number is built.
const MAX_TEXT_LENGTH = 64
const MAX_EXPONENT = 64

const LIMIT = 10n ** BigInt(MAX_INTEGER_DIGITS)

/** Whether a normalized decimal is in the sane range. */
export const inRange = (decimal: BigDecimal.BigDecimal): boolean => {
  const { value, scale } = decimal
  if (scale > MAX_DECIMAL_PLACES) return false
  const magnitude = value < 0n ? -value : value
  // |value · 10^-scale| < 10^18, in integers: |value| < 10^(18 + scale).
  const digits = MAX_INTEGER_DIGITS + scale
  return digits > 0 ? (scale === 0 ? magnitude < LIMIT : magnitude < 10n ** BigInt(digits)) : magnitude === 0n
}

// Exact powers of ten as doubles (10^22 is the largest exactly representable).
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k)
// Past 2^51 the scaled value may have two round-tripping neighbours; leave those to the text path.
const UNIQUE_BELOW = 2 ** 51

/**
 * The decimal whose shortest round-trip text is the double's, so 1000.02 is 1000.02 and not
 * 1000.0199999…, normalized (no trailing zeros in the unscaled value).
 *
 * Same answer as `BigDecimal.normalize(BigDecimal.fromNumber(n))`, which goes through the
 * double's text and a `BigInt` parse (about 1 µs). Amounts are small decimals, so this first looks
 * for the least scale `k` at which `n · 10^k` is an integer `m` that divides back to exactly `n`:
 * while `|m| < 2^51`, the rounding in `n · 10^k` is under half a unit, so `m` is found if it
 * exists, it is the only integer at that scale that round-trips, and the least such scale is the
 * shortest text's. Anything else takes the text path. A property test holds the two equal.
 */
export const decimalFromNumber = (input: number): Option.Option<BigDecimal.BigDecimal> =>
  Option.fromNullishOr(decimalOfNumber(input))

/** {@link decimalFromNumber} without the `Option` (the page decoder's hot path). */
export const decimalOfNumber = (input: number): BigDecimal.BigDecimal | undefined => {
  if (!Number.isFinite(input) || Math.abs(input) >= 1e18) return undefined
  for (let scale = 0; scale < POWERS_OF_TEN.length; scale++) {
    const power = POWERS_OF_TEN[scale]!
    const unscaled = Math.round(input * power)
    if (!(Math.abs(unscaled) < UNIQUE_BELOW)) break
    if (unscaled / power === input) return fromSafeInteger(unscaled, scale)
  }
  const decoded = BigDecimal.fromNumber(input)
  if (Option.isNone(decoded)) return undefined
  const normalized = BigDecimal.normalize(decoded.value)
  return inRange(normalized) ? normalized : undefined
}

/** The normalized decimal `unscaled · 10^-scale`, with trailing zeros moved into the scale. */
const fromSafeInteger = (unscaled: number, scale: number): BigDecimal.BigDecimal | undefined => {
  let value = unscaled
  let exponent = scale
  // Only a scale-0 integer can end in zeros: a least scale above 0 never does.
  if (exponent === 0 && value !== 0) {
    while (value % 10 === 0) {
      value /= 10
      exponent--
    }
  }
  const decimal = BigDecimal.normalize(BigDecimal.make(BigInt(value), exponent))
  return inRange(decimal) ? decimal : undefined
}

export const decimalFromString = (input: string): Option.Option<BigDecimal.BigDecimal> =>
  Option.fromNullishOr(decimalOfString(input))

/** {@link decimalFromString} without the `Option`. */
export const decimalOfString = (input: string): BigDecimal.BigDecimal | undefined => {
  if (input.length > MAX_TEXT_LENGTH || !DECIMAL.test(input)) return undefined
  const e = input.search(/[eE]/)
  if (e !== -1 && Math.abs(Number(input.slice(e + 1))) > MAX_EXPONENT) return undefined
  const decoded = BigDecimal.fromString(input)
  if (Option.isNone(decoded)) return undefined
  const normalized = BigDecimal.normalize(decoded.value)
  return inRange(normalized) ? normalized : undefined
}

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
