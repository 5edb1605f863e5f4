/**
 * Decimal amounts: the one implementation `Balance.Amount` and the fast page decoder share.
 *
 * @internal
 */
import * as BigDecimal from "effect/BigDecimal"
import * as Option from "effect/Option"

const DECIMAL = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/

/** Shortest round-trip text of the double, so 1000.02 is 1000.02 and not 1000.0199999… */
export const decimalFromNumber = (input: number): Option.Option<BigDecimal.BigDecimal> =>
  Number.isFinite(input) ? Option.map(BigDecimal.safeFromNumber(input), BigDecimal.normalize) : Option.none()

export const decimalFromString = (input: string): Option.Option<BigDecimal.BigDecimal> =>
  DECIMAL.test(input) ? Option.map(BigDecimal.fromString(input), BigDecimal.normalize) : Option.none()

/** A JSON number when it denotes the same decimal, the decimal string otherwise: no cent is lost. */
export const encodeDecimal = (decimal: BigDecimal.BigDecimal): number | string => {
  const text = BigDecimal.format(decimal)
  const asNumber = Number(text)
  return String(asNumber) === text ? asNumber : text
}
