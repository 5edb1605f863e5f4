/**
 * A fast path for decoding list pages and balances.
 *
 * `Schema.decodeUnknownResult` interprets the schema's AST for every field of every item: reading a
 * 1000-item page that way takes about twice as long as through these decoders (Effect 4.1, parse
 * included). These decoders do the same checks and build the same values with the same functions (the shared amount and timestamp parsers, the ids' GUID
 * pattern), straight-line. They only say "valid, here is the value" or "not valid": on any doubt
 * the caller runs the real Schema, which then produces the precise `SchemaError`. A property test
 * holds the two to the same answers.
 *
 * @internal
 */
import type * as DateTime from "effect/DateTime"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as Balance from "../Balance.js"
import { decimalOfNumber, decimalOfString } from "./amount.js"
import { timestampOfString } from "./timestamp.js"

/** Returned by a field decoder for an invalid value. */
const INVALID: unique symbol = Symbol("invalid")
type Invalid = typeof INVALID

type FieldDecoder = (value: unknown) => unknown

/** Whether a fast decoder gave up (the input may still be valid: ask the Schema). */
export const isInvalid = (value: unknown): value is Invalid => value === INVALID

const HYPHEN = 45

/** Whether `code` is an ASCII hex digit. */
const isHex = (code: number) =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102)

/** The balance ids' pattern (`Schema.isGUID`: 8-4-4-4-12 hex digits, any case), checked without a regex. */
const isUuid = (value: unknown): value is string => {
  if (typeof value !== "string" || value.length !== 36) return false
  for (let i = 0; i < 36; i++) {
    const code = value.charCodeAt(i)
    if (i === 8 || i === 13 || i === 18 || i === 23 ? code !== HYPHEN : !isHex(code)) return false
  }
  return true
}

const uuid: FieldDecoder = (value) => (isUuid(value) ? value : INVALID)
const string: FieldDecoder = (value) => (typeof value === "string" ? value : INVALID)

/**
 * A timestamp decoder that remembers its last input: balances of one retrieval often share
 * `collected_at` and `created_at`, and a `DateTime.Utc` is immutable, so equal neighbours share one.
 */
const timestamp = (): FieldDecoder => {
  let lastInput: string | undefined
  let lastOutput: DateTime.Utc | undefined
  return (value) => {
    if (typeof value !== "string") return INVALID
    if (value === lastInput) return lastOutput
    const decoded = timestampOfString(value)
    if (decoded === undefined) return INVALID
    lastInput = value
    lastOutput = decoded
    return decoded
  }
}

const amount: FieldDecoder = (value) => {
  const decoded =
    typeof value === "number"
      ? decimalOfNumber(value)
      : typeof value === "string"
        ? decimalOfString(value)
        : undefined
  return decoded === undefined ? INVALID : decoded
}

const fieldDecoders = (): Record<Balance.Field, FieldDecoder> => ({
  id: uuid,
  link: uuid,
  account_id: uuid,
  account_internal_identification: string,
  collected_at: timestamp(),
  created_at: timestamp(),
  last_updated_at: timestamp(),
  currency: string,
  available: amount,
  blocked: amount,
  automatically_invested: amount
})

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null

/** Every field in the schema's order, which `wholeBalanceDecoder`'s literal follows. */
const WHOLE_BALANCE = Object.keys(fieldDecoders())

/** Whether `fields` is the whole balance in order (no projection: the common case). */
const isWholeBalance = (fields: ReadonlyArray<Balance.Field>) =>
  fields.length === WHOLE_BALANCE.length && fields.every((field, i) => field === WHOLE_BALANCE[i])

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
