/**
 * A fast path for decoding list pages and balances.
 *
 * `Schema.decodeUnknown` interprets the schema's AST for every field of every item; on a 1000-item
 * page that is most of the client's CPU. These decoders do the same checks and build the same
 * values with the same functions (the shared amount and timestamp parsers, Schema's UUID
 * pattern), straight-line. They only say "valid, here is the value" or "not valid": on any doubt
 * the caller runs the real Schema, which then produces the precise `ParseError`. A property test
 * holds the two to the same answers.
 *
 * @internal
 */
import type * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as Balance from "../Balance.js"
import { decimalFromNumber, decimalFromString } from "./amount.js"
import { timestampFromString } from "./timestamp.js"

/** Returned by a field decoder for an invalid value. */
const INVALID: unique symbol = Symbol("invalid")
type Invalid = typeof INVALID

type FieldDecoder = (value: unknown) => unknown

/** Whether a fast decoder gave up (the input may still be valid: ask the Schema). */
export const isInvalid = (value: unknown): value is Invalid => value === INVALID

// The pattern Schema.UUID checks.
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/i

const uuid: FieldDecoder = (value) => (typeof value === "string" && UUID.test(value) ? value : INVALID)
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
    const decoded = timestampFromString(value)
    if (Option.isNone(decoded)) return INVALID
    lastInput = value
    lastOutput = decoded.value
    return lastOutput
  }
}
const amount: FieldDecoder = (value) => {
  const decoded =
    typeof value === "number"
      ? decimalFromNumber(value)
      : typeof value === "string"
        ? decimalFromString(value)
        : Option.none()
  return Option.isSome(decoded) ? decoded.value : INVALID
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

/** Decodes one item with exactly `fields` (in that order), or `INVALID`. */
const itemDecoder = (fields: ReadonlyArray<Balance.Field>) => {
  const all = fieldDecoders()
  const decoders = fields.map((field) => [field, all[field]] as const)
  return (input: unknown): Record<string, unknown> | Invalid => {
    if (!isObject(input) || Array.isArray(input)) return INVALID
    const output: Record<string, unknown> = {}
    for (const [field, decode] of decoders) {
      if (!(field in input)) return INVALID
      const value = decode(input[field])
      if (value === INVALID) return INVALID
      output[field] = value
    }
    return output
  }
}

const isNullOrString = (value: unknown) => value === null || typeof value === "string"

/**
 * A decoder that tries the fast path and falls back to `schema` (for the precise error, or for
 * anything the fast path does not vouch for).
 */
export const withFallback =
  <A, I>(schema: Schema.Schema<A, I>, fast: (input: unknown) => unknown) =>
  (input: unknown): Either.Either<A, ParseResult.ParseError> => {
    const value = fast(input)
    return value === INVALID ? slow(schema)(input) : Either.right(value as A)
  }

const slowCache = new WeakMap<object, (input: unknown) => Either.Either<unknown, ParseResult.ParseError>>()
const slow = <A, I>(schema: Schema.Schema<A, I>) => {
  let decode = slowCache.get(schema)
  if (decode === undefined) {
    decode = Schema.decodeUnknownEither(schema, { errors: "first" })
    slowCache.set(schema, decode)
  }
  return decode as (input: unknown) => Either.Either<A, ParseResult.ParseError>
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
    if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) return INVALID
    if (!("next" in input) || !("previous" in input) || !isNullOrString(next) || !isNullOrString(previous)) {
      return INVALID
    }
    const items = results(input.results)
    return items === INVALID ? INVALID : { count, next, previous, results: items }
  }
}
