/**
 * JSON parsing that keeps money exact.
 *
 * `JSON.parse` turns `123456789012345.6789` into the nearest double and loses digits. Before
 * parsing, the numeric values of the three amount keys are quoted, so they reach `Balance.Amount`
 * as their exact decimal text. The pattern can only match a real key: inside a JSON string a quote
 * is escaped, so `"available":` cannot appear there unescaped.
 *
 * @internal
 */
const AMOUNT_VALUE =
  /"(available|blocked|automatically_invested)"(\s*):(\s*)(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g

/** @internal */
export const parseLossless = (text: string): unknown =>
  JSON.parse(text.replace(AMOUNT_VALUE, '"$1"$2:$3"$4"'))

/** @internal */
export const excerpt = (text: string, max = 500): string =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`
