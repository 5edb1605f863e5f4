/**
 * A fast path for decoding list pages and balances.
 *
 * `Schema.decodeUnknownResult` interprets the schema's AST for every field of every item: reading a
 * 1000-item page that way takes several times as long as through these decoders. These decoders
 * make the same checks and build the same values with the same functions (the shared amount and
 * timestamp readers, the ids' GUID pattern), straight-line, each field's decoder chosen by its
 * schema in `Balance.Balance`. They only say "valid, here is the value" or "not valid": on any
 * doubt the caller runs the real Schema, which then produces the precise `SchemaError`. Property
 * tests hold the two to the same answers.
 *
 * @internal
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Balance from "../Balance.js"
import { decimalOf } from "./amount.js"
import { timestampOfString } from "./timestamp.js"
import { Uuid } from "./uuid.js"

/** Returned by a field decoder for an invalid value. */
const INVALID: unique symbol = Symbol("invalid")
type Invalid = typeof INVALID

type FieldDecoder = (value: unknown) => unknown

/** Whether a fast decoder gave up (the input may still be valid: ask the Schema). */
export const isInvalid = (value: unknown): value is Invalid => value === INVALID

const HYPHEN = 45

/** 1 at the char codes of ASCII hex digits. */
const HEX = new Uint8Array(128)
for (const digit of "0123456789abcdefABCDEF") HEX[digit.charCodeAt(0)] = 1

const isHexRun = (value: string, from: number, to: number) => {
  for (let i = from; i < to; i++) if (HEX[value.charCodeAt(i)] !== 1) return false
  return true
}

/** The balance ids' pattern (`Schema.isGUID`: 8-4-4-4-12 hex digits, any case), checked without a regex. */
const isUuid = (value: unknown): value is string =>
  typeof value === "string" &&
  value.length === 36 &&
  value.charCodeAt(8) === HYPHEN &&
  value.charCodeAt(13) === HYPHEN &&
  value.charCodeAt(18) === HYPHEN &&
  value.charCodeAt(23) === HYPHEN &&
  isHexRun(value, 0, 8) &&
  isHexRun(value, 9, 13) &&
  isHexRun(value, 14, 18) &&
  isHexRun(value, 19, 23) &&
  isHexRun(value, 24, 36)

/**
 * A field decoder that remembers its last valid input and output: down a page, `link` is the same
 * on every item, and `collected_at` and `created_at` often are (one retrieval). Outputs are
 * immutable (`DateTime.Utc`, strings), so equal neighbours share one.
 */
const remembering = (decode: FieldDecoder): FieldDecoder => {
  let lastInput: unknown = INVALID
  let lastOutput: unknown
  return (value) => {
    if (value === lastInput) return lastOutput
    const decoded = decode(value)
    if (decoded !== INVALID) {
      lastInput = value
      lastOutput = decoded
    }
    return decoded
  }
}

const uuid: FieldDecoder = (value) => (isUuid(value) ? value : INVALID)
const string: FieldDecoder = (value) => (typeof value === "string" ? value : INVALID)
const timestamp: FieldDecoder = (value) =>
  typeof value === "string" ? (timestampOfString(value) ?? INVALID) : INVALID
const amount: FieldDecoder = (value) => decimalOf(value) ?? INVALID

/**
 * The fast decoder of a field, chosen by the field's schema in `Balance.Balance`, so a field added
 * there with a schema this module does not know fails at load rather than decoding unchecked.
 */
const decoderOf = (field: Balance.Field): FieldDecoder => {
  const schema: unknown = Balance.Balance.fields[field]
  if (schema === Uuid) return remembering(uuid)
  if (schema === Balance.Timestamp) return remembering(timestamp)
  if (schema === Balance.Amount) return amount
  if (schema === Schema.String) return string
  throw new Error(`fastDecode: no fast decoder for the schema of ${field}`)
}

/** One decoder per field, each with its own memory: one set per page decoder. */
const fieldDecoders = (): Record<Balance.Field, FieldDecoder> =>
  Object.fromEntries(Balance.fieldNames.map((field) => [field, decoderOf(field)])) as Record<
    Balance.Field,
    FieldDecoder
  >

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null

/** Whether `fields` is the whole balance in the schema's order, which `wholeBalanceDecoder`'s literal follows. */
const isWholeBalance = (fields: ReadonlyArray<Balance.Field>) =>
  fields.length === Balance.fieldNames.length && fields.every((field, i) => field === Balance.fieldNames[i])

/**
 * The whole balance as one object literal: every item gets the same hidden class and no property
 * store grows while it is built. No field decoder accepts `undefined`, so a missing key is invalid.
 */
const wholeBalanceDecoder = () => {
  const d = fieldDecoders()
  return (input: unknown): Record<string, unknown> | Invalid => {
    if (!isObject(input) || Array.isArray(input)) return INVALID
    const id = d.id(input.id)
    const link = d.link(input.link)
    const account_id = d.account_id(input.account_id)
    const account_internal_identification = d.account_internal_identification(
      input.account_internal_identification
    )
    const collected_at = d.collected_at(input.collected_at)
    const created_at = d.created_at(input.created_at)
    const last_updated_at = d.last_updated_at(input.last_updated_at)
    const currency = d.currency(input.currency)
    const available = d.available(input.available)
    const blocked = d.blocked(input.blocked)
    const automatically_invested = d.automatically_invested(input.automatically_invested)
    if (
      id === INVALID ||
      link === INVALID ||
      account_id === INVALID ||
      account_internal_identification === INVALID ||
      collected_at === INVALID ||
      created_at === INVALID ||
      last_updated_at === INVALID ||
      currency === INVALID ||
      available === INVALID ||
      blocked === INVALID ||
      automatically_invested === INVALID
    ) {
      return INVALID
    }
    return {
      id,
      link,
      account_id,
      account_internal_identification,
      collected_at,
      created_at,
      last_updated_at,
      currency,
      available,
      blocked,
      automatically_invested
    }
  }
}

/** Decodes one item with exactly `fields` (in that order), or `INVALID`. */
const itemDecoder = (fields: ReadonlyArray<Balance.Field>) => {
  if (isWholeBalance(fields)) return wholeBalanceDecoder()
  const decoders = fieldDecoders()
  const names = [...fields]
  const decode = names.map((field) => decoders[field])
  return (input: unknown): Record<string, unknown> | Invalid => {
    if (!isObject(input) || Array.isArray(input)) return INVALID
    const output: Record<string, unknown> = {}
    for (let i = 0; i < names.length; i++) {
      const value = decode[i]!(input[names[i]!])
      if (value === INVALID) return INVALID
      output[names[i]!] = value
    }
    return output
  }
}

/** What a page's `next` and `previous` may be. */
export const isNullOrString = (value: unknown): value is string | null =>
  value === null || typeof value === "string"

/** What a page's `count` may be (`Schema.Natural`). */
export const isCount = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0

/**
 * A decoder that tries the fast path and falls back to `schema` (for the precise error, or for
 * anything the fast path does not vouch for).
 */
export const withFallback =
  <S extends Schema.Decoder<unknown>>(schema: S, fast: (input: unknown) => unknown) =>
  (input: unknown): Result.Result<S["Type"], Schema.SchemaError> => {
    const value = fast(input)
    return value === INVALID ? slow(schema)(input) : Result.succeed(value as S["Type"])
  }

/** A readable one-paragraph account of a decoding failure: what was expected, where, and what came. */
export const errorMessage = (error: Schema.SchemaError): string => error.message

type SlowDecoder = (input: unknown) => Result.Result<unknown, Schema.SchemaError>

const slowCache = new WeakMap<object, SlowDecoder>()
const slow = <S extends Schema.Decoder<unknown>>(schema: S) => {
  let decode = slowCache.get(schema)
  if (decode === undefined) {
    // The failing value is in the message, as it was with Effect 3's ParseError.
    decode = Schema.decodeUnknownResult(schema, { errors: "first", reportInput: true })
    slowCache.set(schema, decode)
  }
  return decode as (input: unknown) => Result.Result<S["Type"], Schema.SchemaError>
}

/** Fast decoder of one balance restricted to `fields`. */
export const balance = (fields: ReadonlyArray<Balance.Field>) => itemDecoder(fields)

/** Fast decoder of an array of balances restricted to `fields`. */
export const balances = (fields: ReadonlyArray<Balance.Field>) => {
  const item = itemDecoder(fields)
  return (input: unknown): ReadonlyArray<unknown> | Invalid => {
    if (!Array.isArray(input)) return INVALID
    const output = new Array<unknown>(input.length)
    for (let i = 0; i < input.length; i++) {
      const value = item(input[i])
      if (value === INVALID) return INVALID
      output[i] = value
    }
    return output
  }
}

/** Fast decoder of a list page whose items are restricted to `fields`. */
export const page = (fields: ReadonlyArray<Balance.Field>) => {
  const results = balances(fields)
  return (input: unknown) => {
    if (!isObject(input) || Array.isArray(input)) return INVALID
    const { count, next, previous } = input
    if (!isCount(count)) return INVALID
    if (!("next" in input) || !("previous" in input) || !isNullOrString(next) || !isNullOrString(previous)) {
      return INVALID
    }
    const items = results(input.results)
    return items === INVALID ? INVALID : { count, next, previous, results: items }
  }
}
