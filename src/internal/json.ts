/**
 * JSON parsing that keeps money exact.
 *
 * `JSON.parse` turns `123456789012345.6789` into the nearest double and loses digits. A number
 * token of 15 characters or fewer has at most 15 significant digits, which a double holds exactly,
 * unless its exponent takes it below the smallest double (`1e-400` parses as 0): only a longer
 * token, or one ending in a negative exponent of 3 digits or more, can lose anything. So a body is
 * first scanned for such a token: the common page has none and is parsed by `JSON.parse` alone.
 * Otherwise the numeric values of the amount keys are quoted before parsing, so they reach
 * `Balance.Amount` as their exact decimal text. That pattern can only match a real key: inside a
 * JSON string a quote is escaped, so `"available":` cannot appear there unescaped. A key may also
 * be written with escapes (`"avail\u0061ble"`), which no pattern on the text can see: a body with
 * any `\u` escape is parsed with a reviver that reads each amount's own source text instead.
 *
 * @internal
 */
import * as Balance from "../Balance.js"

const AMOUNT_KEYS = new Set<string>(Balance.amountFieldNames)

const AMOUNT_VALUE = new RegExp(
  `"(${Balance.amountFieldNames.join("|")})"(\\s*):(\\s*)(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)`,
  "g"
)

// A number token that may not survive `JSON.parse`, anywhere (a string's digits end at a quote,
// which this does not take for an end): looked for at each character that can end a token, by
// looking back, which costs about half what a search for the amount keys does. Such a number
// elsewhere only sends the body the careful way.
const INEXACT_NUMBER = /(?<=[\d.eE+-]{16}|[eE]-\d{3,})[,}\]\s]/

/** `JSON.parse`'s reviver with the source text of primitive values (ES2025, Node 21 and later). */
type SourceReviver = (key: string, value: unknown, context: { readonly source?: string }) => unknown

const keepAmountSource: SourceReviver = (key, value, context) =>
  typeof value === "number" && AMOUNT_KEYS.has(key) && context.source !== undefined ? context.source : value

/** @internal */
export const parseLossless = (text: string): unknown => {
  if (text.includes("\\u"))
    return JSON.parse(text, keepAmountSource as (key: string, value: unknown) => unknown)
  return JSON.parse(INEXACT_NUMBER.test(text) ? text.replace(AMOUNT_VALUE, '"$1"$2:$3"$4"') : text)
}

/**
 * The members of a JSON object that come before its member `key`, parsed without reading the rest,
 * or `undefined` when the text does not have that shape. A list page's `count` and `next` come
 * before its `results`, so the next request can go out before 400 KB of items are parsed. A cut
 * in the wrong place cannot pass: the head must itself parse as an object.
 *
 * @internal
 */
export const parseHead = (text: string, key: string): Record<string, unknown> | undefined => {
  // Inside a JSON string a quote is escaped, so `"key"` found here is a key or nothing valid.
  const at = text.indexOf(`"${key}"`)
  if (at <= 0) return undefined
  try {
    const head: unknown = JSON.parse(`${text.slice(0, at)}"${key}":null}`)
    return typeof head === "object" && head !== null && !Array.isArray(head)
      ? (head as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** @internal */
export const excerpt = (text: string, max = 500): string =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`
