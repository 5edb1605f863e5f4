/**
 * JSON parsing that keeps money exact.
 *
 * `JSON.parse` turns `123456789012345.6789` into the nearest double and loses digits. Before
 * parsing, the numeric values of the three amount keys are quoted, so they reach `Balance.Amount`
 * as their exact decimal text. The pattern can only match a real key: inside a JSON string a quote
 * is escaped, so `"available":` cannot appear there unescaped. A key may also be written with
 * escapes (`"avail\u0061ble"`), which no pattern on the text can see: a body with any `\u` escape
 * is parsed with a reviver that reads each amount's own source text instead.
 *
 * @internal
 */
const AMOUNT_VALUE =
  /"(available|blocked|automatically_invested)"(\s*):(\s*)(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g

// A number token of 15 characters or fewer has at most 15 significant digits, which a double
// holds exactly; only longer amount tokens need quoting. Testing for one is much cheaper than the
// replacement, so the common page is parsed by JSON.parse alone.
const LONG_AMOUNT = /"(?:available|blocked|automatically_invested)"\s*:\s*-?[\d.eE+-]{16,}/

const AMOUNT_KEYS = new Set(["available", "blocked", "automatically_invested"])

/** `JSON.parse`'s reviver with the source text of primitive values (ES2025, Node 21 and later). */
type SourceReviver = (key: string, value: unknown, context: { readonly source?: string }) => unknown

const keepAmountSource: SourceReviver = (key, value, context) =>
  typeof value === "number" && AMOUNT_KEYS.has(key) && context.source !== undefined ? context.source : value

/** @internal */
export const parseLossless = (text: string): unknown => {
  if (text.includes("\\u"))
    return JSON.parse(text, keepAmountSource as (key: string, value: unknown) => unknown)
  return JSON.parse(LONG_AMOUNT.test(text) ? text.replace(AMOUNT_VALUE, '"$1"$2:$3"$4"') : text)
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
