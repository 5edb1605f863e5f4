/**
 * Typed filters for `GET /api/br/balances/`, validated on the client and encoded to URL params.
 *
 * A query is a plain object whose keys are the wire names (`link`, `collected_at__gte`, …), so it
 * reads like Belvo's documentation. {@link encode} checks every filter and renders it the way the
 * OpenAPI spec asks (`style: form, explode: false`: arrays and ranges comma-separated); an invalid
 * query fails with {@link InvalidQuery} before anything is sent. The `fields` / `omit` projection
 * also shapes the item type: see {@link Projected} and {@link projection}.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as Struct from "effect/Struct"
import type * as Types from "effect/Types"
import * as Balance from "./Balance.js"
import * as BelvoError from "./BelvoError.js"
import * as Keys from "./internal/keys.js"
import { render } from "./internal/render.js"
import * as Timestamp from "./internal/timestamp.js"
import { isUuid } from "./internal/uuid.js"

// ---------------------------------------------------------------------------------------------
// Error
// ---------------------------------------------------------------------------------------------

/**
 * A query parameter the client refuses to send: which parameter, the value given and why. The
 * error type lives in {@link BelvoError}; it is here too because every function of this module
 * fails with it.
 *
 * @example
 * ```ts
 * import { Result } from "effect"
 * import { BalanceQuery } from "effect-belvo"
 *
 * const result = BalanceQuery.encode({ link: "8848bd0c-9c7e-4f53-a732-ec896b11d4c4", page_size: 0 })
 * if (Result.isFailure(result)) {
 *   console.log(result.failure.message)
 *   // Invalid query parameter "page_size": must be an integer from 1 to 1000, got 0
 * }
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const InvalidQuery = BelvoError.InvalidQuery

/**
 * The type of {@link InvalidQuery} errors (`BelvoError.InvalidQuery`).
 *
 * @example
 * ```ts
 * import { BalanceQuery } from "effect-belvo"
 *
 * const error: BalanceQuery.InvalidQuery = new BalanceQuery.InvalidQuery({
 *   field: "created_at",
 *   value: "2024-02-30",
 *   reason: "must be a real calendar date"
 * })
 * console.log(error.message)
 * // Invalid query parameter "created_at": must be a real calendar date, got "2024-02-30"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type InvalidQuery = BelvoError.InvalidQuery

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

/**
 * A date filter: a `"YYYY-MM-DD"` string, or a `DateTime`.
 *
 * The `collected_at` filters also take a full ISO-8601 timestamp with `Z` or an offset
 * (`"2024-05-21T08:32:00Z"`, `"2024-05-21T05:32:00.5-03:00"`). A `DateTime` is sent as its UTC
 * date (`YYYY-MM-DD`) for `created_at` filters and as its UTC ISO timestamp for `collected_at`
 * filters.
 *
 * @example
 * ```ts
 * import { DateTime } from "effect"
 * import type { BalanceQuery } from "effect-belvo"
 *
 * const dates: ReadonlyArray<BalanceQuery.DateFilter> = ["2024-02-29", DateTime.makeUnsafe("2024-05-21T08:32:00Z")]
 * console.log(dates.length) // 2
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type DateFilter = string | DateTime.DateTime

/**
 * An inclusive range `[start, end]`: exactly two dates, start not after end.
 *
 * @example
 * ```ts
 * import type { BalanceQuery } from "effect-belvo"
 *
 * const firstQuarter: BalanceQuery.DateRange = ["2024-01-01", "2024-03-31"]
 * console.log(firstQuarter[1]) // "2024-03-31"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type DateRange = readonly [start: DateFilter, end: DateFilter]

/**
 * Which first-level fields each returned balance carries: `fields` keeps only those listed,
 * `omit` drops those listed. Used by list, get and retrieve alike.
 *
 * @example
 * ```ts
 * import type { BalanceQuery } from "effect-belvo"
 *
 * const slim: BalanceQuery.Projection = { fields: ["id", "available"] }
 * console.log(slim.fields) // ["id", "available"]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Projection {
  /** Return only these fields (non-empty, no duplicates). */
  readonly fields?: ReadonlyArray<Balance.Field>
  /** Leave these fields out (non-empty, no duplicates). */
  readonly omit?: ReadonlyArray<Balance.Field>
}

/**
 * The filters of `GET /api/br/balances/`, by wire name. Only `link` is required.
 *
 * `page_size` must be from 1 to 1000: Belvo would silently cap a larger value at 1000, so the
 * client refuses it instead of letting a page quietly hold fewer items than asked for.
 *
 * @example
 * ```ts
 * import type { BalanceQuery } from "effect-belvo"
 *
 * const query: BalanceQuery.ListQuery = {
 *   link: "8848bd0c-9c7e-4f53-a732-ec896b11d4c4",
 *   collected_at__range: ["2024-01-01", "2024-01-31T23:59:59Z"],
 *   page_size: 500
 * }
 * console.log(query.page_size) // 500
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ListQuery extends Projection {
  /** The link's id (UUID). */
  readonly link: string
  /** An account's id (UUID). */
  readonly account?: string
  /** A balance's id (UUID). */
  readonly id?: string
  /** Any of these link ids (non-empty). */
  readonly link__in?: ReadonlyArray<string>
  /** Any of these account ids (non-empty). */
  readonly account__in?: ReadonlyArray<string>
  /** Any of these balance ids (non-empty). */
  readonly id__in?: ReadonlyArray<string>
  /** Items per page, an integer from 1 to 1000 (Belvo's default is 100). */
  readonly page_size?: number
  /** A page number, an integer from 1. */
  readonly page?: number
  readonly collected_at?: DateFilter
  readonly collected_at__gt?: DateFilter
  readonly collected_at__gte?: DateFilter
  readonly collected_at__lt?: DateFilter
  readonly collected_at__lte?: DateFilter
  readonly collected_at__range?: DateRange
  /** Dates only: `created_at` filters take no time of day. */
  readonly created_at?: DateFilter
  readonly created_at__gt?: DateFilter
  readonly created_at__gte?: DateFilter
  readonly created_at__lt?: DateFilter
  readonly created_at__lte?: DateFilter
  readonly created_at__range?: DateRange
}

/**
 * URL params as `[name, value]` pairs, in a stable order; `UrlParams.make` (in `effect/http`) takes
 * them as they are.
 *
 * @example
 * ```ts
 * import type { BalanceQuery } from "effect-belvo"
 *
 * const params: BalanceQuery.Params = [["page", "2"]]
 * console.log(new URLSearchParams(params.map(([name, value]) => [name, value])).toString()) // "page=2"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Params = ReadonlyArray<readonly [string, string]>

// ---------------------------------------------------------------------------------------------
// Projection types
// ---------------------------------------------------------------------------------------------

type Fields = ReadonlyArray<Balance.Field>

// A literal tuple (what `const` type parameters infer) names its fields exactly. A wider array,
// or a list that may be absent, does not: the fields it may remove become optional, not promised.
type Exact<A> = [A] extends [Fields] ? (number extends A["length"] ? false : true) : false
type Names<A, T> = Extract<A, Fields>[number] & keyof T

type KeepFields<T, F> = [F] extends [undefined]
  ? T
  : Exact<F> extends true
    ? Pick<T, Names<F, T>>
    : [F] extends [Fields]
      ? Partial<Pick<T, Names<F, T>>>
      : Partial<T>

type DropFields<T, O> = [O] extends [undefined]
  ? T
  : Exact<O> extends true
    ? Omit<T, Names<O, T>>
    : Types.Simplify<Omit<T, Names<O, T>> & Partial<Pick<T, Names<O, T>>>>

/**
 * What `fields` and `omit` leave of a type `T`: literal lists give an exact `Pick` / `Omit`; wider
 * arrays make the fields they may remove optional.
 *
 * @example
 * ```ts
 * import type { Balance, BalanceQuery } from "effect-belvo"
 *
 * type Slim = BalanceQuery.Project<Balance.BalanceEncoded, readonly ["id"], undefined>
 * const slim: Slim = { id: "0b94bdf9-3719-43a9-81e7-be95d2318595" }
 * console.log(slim.id)
 * ```
 *
 * @since 0.1.0
 * @category projection
 */
export type Project<T, F extends Fields | undefined, O extends Fields | undefined> = DropFields<
  KeepFields<T, F>,
  O
>

/**
 * A balance as returned with `fields: F` and `omit: O`: `Pick<Balance, F[number]>`, then
 * `Omit<…, O[number]>`; `undefined` leaves the balance whole.
 *
 * @example
 * ```ts
 * import type { BalanceQuery } from "effect-belvo"
 *
 * type Slim = BalanceQuery.ProjectedFields<readonly ["id", "currency"], undefined>
 * const slim: Slim = { id: "0b94bdf9-3719-43a9-81e7-be95d2318595", currency: "BRL" }
 * console.log(slim.currency) // "BRL"
 * ```
 *
 * @since 0.1.0
 * @category projection
 */
export type ProjectedFields<F extends Fields | undefined, O extends Fields | undefined> = Project<
  Balance.Balance,
  F,
  O
>

type Prop<Q, K extends string> = K extends keyof Q ? Extract<Q[K], Fields | undefined> : undefined

/**
 * The balance type a query (or a {@link Projection}) returns, read from its `fields` and `omit`.
 *
 * @example
 * ```ts
 * import type { BalanceQuery } from "effect-belvo"
 *
 * type Item = BalanceQuery.Projected<{ link: string; fields: readonly ["id"] }>
 * const item: Item = { id: "0b94bdf9-3719-43a9-81e7-be95d2318595" }
 * console.log(item.id)
 * ```
 *
 * @since 0.1.0
 * @category projection
 */
export type Projected<Q> = ProjectedFields<Prop<Q, "fields">, Prop<Q, "omit">>

/**
 * The first-level fields a projection keeps, in the balance's field order.
 *
 * @example
 * ```ts
 * import { BalanceQuery } from "effect-belvo"
 *
 * console.log(BalanceQuery.keptFields({ fields: ["available", "id"] })) // ["id", "available"]
 * ```
 *
 * @since 0.1.0
 * @category projection
 */
export const keptFields = (projection: {
  readonly fields?: Fields | undefined
  readonly omit?: Fields | undefined
}): ReadonlyArray<Balance.Field> =>
  Balance.fieldNames.filter(
    (name) => (projection.fields?.includes(name) ?? true) && !projection.omit?.includes(name)
  )

/**
 * The schema of a balance under `fields` / `omit`. Type parameters are `const`, so
 * `projection({ fields: ["id", "available"] })` decodes to exactly `Pick<Balance, "id" | "available">`
 * without `as const`. It does not validate the lists: {@link encodeProjection} does.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { BalanceQuery } from "effect-belvo"
 *
 * const Slim = BalanceQuery.projection({ fields: ["id", "available"] })
 * const item = Schema.decodeUnknownSync(Slim)({ id: "0b94bdf9-3719-43a9-81e7-be95d2318595", available: 10.5 })
 * console.log(Object.keys(item)) // ["id", "available"]
 * ```
 *
 * @since 0.1.0
 * @category projection
 */
export const projection = <
  const F extends Fields | undefined = undefined,
  const O extends Fields | undefined = undefined
>(options: {
  readonly fields?: F
  readonly omit?: O
}): Schema.Codec<ProjectedFields<F, O>, Project<Balance.BalanceEncoded, F, O>> => {
  const { fields, omit } = options
  if (fields === undefined && omit === undefined) return Balance.Balance as never
  return Balance.Balance.mapFields(Struct.pick(keptFields(options))) as never
}

// ---------------------------------------------------------------------------------------------
// Rules: one per parameter, validating a value and rendering its wire text
// ---------------------------------------------------------------------------------------------

interface Rule {
  /** The wire text of a valid value, or why the value is invalid. */
  readonly encode: (value: unknown) => Result.Result<string, string>
  /** Reads wire text back into a query value; `encode` then validates it. */
  readonly decode: (text: string) => unknown
}

const identity = (text: string): unknown => text
const splitList = (text: string): unknown => text.split(",")

// The check the balance's own ids get: the 8-4-4-4-12 hexadecimal shape.

const uuid: Rule = {
  encode: (value) => (isUuid(value) ? Result.succeed(value) : Result.fail("must be a UUID")),
  decode: identity
}

/** A non-empty list, comma-separated; `item` checks and renders each element. */
const list = (item: (value: unknown) => Result.Result<string, string>): Rule => ({
  encode: (value) => {
    if (!Array.isArray(value)) return Result.fail("must be an array")
    if (value.length === 0) return Result.fail("must not be empty")
    return Result.map(Result.all(value.map((element) => item(element))), (texts) => texts.join(","))
  },
  decode: splitList
})

const uuids = list((value) =>
  isUuid(value) ? Result.succeed(value) : Result.fail(`${render(value)} is not a UUID`)
)

const fieldList = list((value) =>
  Balance.fieldNames.includes(value as Balance.Field)
    ? Result.succeed(value as string)
    : Result.fail(`${render(value)} is not a balance field (${Balance.fieldNames.join(", ")})`)
)

const withoutDuplicates = (rule: Rule): Rule => ({
  ...rule,
  encode: (value) =>
    Result.flatMap(rule.encode(value), (text) => {
      const names = text.split(",")
      const duplicate = names.find((name, index) => names.indexOf(name) !== index)
      return duplicate === undefined
        ? Result.succeed(text)
        : Result.fail(`must not list "${duplicate}" twice`)
    })
})

const integer = (min: number, max: number): Rule => ({
  encode: (value) =>
    typeof value === "number" && Number.isInteger(value) && value >= min && value <= max
      ? Result.succeed(String(value))
      : Result.fail(`must be an integer from ${min} to ${max}`),
  decode: (text) => (/^\d+$/.test(text) ? Number(text) : text)
})

// Dates: "YYYY-MM-DD", or for collected_at also a timestamp "YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)",
// with upper-case `T` and `Z` only, as Belvo's query parser reads them.
const DATE_OR_TIMESTAMP: Timestamp.Form = { time: "optional", lowercase: false }
const DATE_ONLY: Timestamp.Form = { time: "none", lowercase: false }

/**
 * Checks a date (or timestamp) text and returns the instant it denotes in nanoseconds since the
 * epoch, so ranges can be ordered; a bare date counts as its UTC midnight.
 */
const parseInstant = (text: string, withTime: boolean): Result.Result<bigint, string> => {
  const instant = Timestamp.read(text, withTime ? DATE_OR_TIMESTAMP : DATE_ONLY)
  switch (instant) {
    case "shape":
      return Result.fail(
        withTime
          ? 'must be a date "YYYY-MM-DD" or an ISO-8601 timestamp with "Z" or an offset'
          : 'must be a date "YYYY-MM-DD" (created_at filters take no time of day)'
      )
    case "date":
      return Result.fail("must be a real calendar date")
    case "time":
      return Result.fail("must be a real time of day and offset")
    default:
      return Result.succeed(
        BigInt(Math.floor(instant / 1000)) * 1_000_000_000n + BigInt(Timestamp.fractionNanos(text))
      )
  }
}

/** A date's wire text and instant; a DateTime renders as a UTC date or a UTC ISO timestamp. */
const dateValue = (value: unknown, withTime: boolean): Result.Result<readonly [string, bigint], string> => {
  if (DateTime.isDateTime(value)) {
    const text = withTime ? DateTime.formatIso(value) : DateTime.formatIsoDateUtc(value)
    return Result.match(parseInstant(text, withTime), {
      onFailure: () => Result.fail("must be a DateTime in the years 0001 to 9999"),
      onSuccess: (instant) => Result.succeed([text, instant] as const)
    })
  }
  if (typeof value !== "string") return Result.fail("must be a date string or a DateTime")
  return Result.map(parseInstant(value, withTime), (instant) => [value, instant] as const)
}

const date = (withTime: boolean): Rule => ({
  encode: (value) => Result.map(dateValue(value, withTime), ([text]) => text),
  decode: identity
})

const range = (withTime: boolean): Rule => ({
  encode: (value) => {
    if (!Array.isArray(value) || value.length !== 2) {
      return Result.fail(
        `must be exactly two dates [start, end]${Array.isArray(value) ? ` (${value.length} given)` : ""}`
      )
    }
    const bound = (item: unknown, name: string) =>
      Result.mapError(dateValue(item, withTime), (why) => `${name} ${why}`)
    return Result.flatMap(Result.all([bound(value[0], "start"), bound(value[1], "end")]), ([start, end]) =>
      start[1] > end[1] ? Result.fail("start must not be after end") : Result.succeed(`${start[0]},${end[0]}`)
    )
  },
  decode: splitList
})

const collectedAt = date(true)
const createdAt = date(false)

// The OpenAPI parameter order, which is also the order `encode` writes params in.
const listRules = {
  link: uuid,
  account: uuid,
  id: uuid,
  link__in: uuids,
  account__in: uuids,
  id__in: uuids,
  page_size: integer(1, 1000),
  page: integer(1, 2_147_483_647), // int32, as the spec declares
  omit: withoutDuplicates(fieldList),
  fields: withoutDuplicates(fieldList),
  collected_at: collectedAt,
  collected_at__gt: collectedAt,
  collected_at__gte: collectedAt,
  collected_at__lt: collectedAt,
  collected_at__lte: collectedAt,
  collected_at__range: range(true),
  created_at: createdAt,
  created_at__gt: createdAt,
  created_at__gte: createdAt,
  created_at__lt: createdAt,
  created_at__lte: createdAt,
  created_at__range: range(false)
} satisfies { readonly [K in keyof ListQuery]-?: Rule }

const projectionRules = { omit: listRules.omit, fields: listRules.fields } satisfies {
  readonly [K in keyof Projection]-?: Rule
}

type Rules = Readonly<Record<string, Rule>>

const has = (rules: Rules, key: string): boolean => Object.hasOwn(rules, key)

const unknownParameter = (rules: Rules, field: string, value: unknown): InvalidQuery =>
  new InvalidQuery({
    field,
    value,
    reason: Keys.unknownKeyReason(field, Object.keys(rules))
  })

/**
 * Validates `input` against `rules` and renders its params in rule order. An `undefined` value
 * counts as absent, as plain JavaScript callers often spread optional values that way.
 */
const encodeWith =
  (rules: Rules, required: ReadonlyArray<string>) =>
  (input: unknown): Result.Result<Params, InvalidQuery> => {
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      return Result.fail(new InvalidQuery({ field: "query", value: input, reason: "must be an object" }))
    }
    const record = input as Record<string, unknown>
    const unknown = Object.keys(record).find((key) => !has(rules, key))
    if (unknown !== undefined) return Result.fail(unknownParameter(rules, unknown, record[unknown]))
    const params: Array<readonly [string, string]> = []
    for (const [key, rule] of Object.entries(rules)) {
      const value = record[key]
      if (value === undefined) {
        if (required.includes(key)) {
          return Result.fail(new InvalidQuery({ field: key, value, reason: "is required" }))
        }
        continue
      }
      const text = rule.encode(value)
      if (Result.isFailure(text))
        return Result.fail(new InvalidQuery({ field: key, value, reason: text.failure }))
      params.push([key, text.success])
    }
    return Result.succeed(params)
  }

const decodeWith =
  (rules: Rules, required: ReadonlyArray<string>) =>
  (params: Params | URLSearchParams): Result.Result<Record<string, unknown>, InvalidQuery> => {
    const record: Record<string, unknown> = {}
    for (const [key, text] of params) {
      if (!has(rules, key)) return Result.fail(unknownParameter(rules, key, text))
      if (Object.hasOwn(record, key)) {
        return Result.fail(new InvalidQuery({ field: key, value: text, reason: "must appear only once" }))
      }
      record[key] = rules[key]?.decode(text)
    }
    return Result.map(encodeWith(rules, required)(record), () => record)
  }

const encodeListQuery = encodeWith(listRules, ["link"])
const encodeProjectionWith = encodeWith(projectionRules, [])

/** A schema whose type is checked by a rule set, reporting the same message as `InvalidQuery`. */
const validated = <A>(check: (input: unknown) => Result.Result<unknown, InvalidQuery>, identifier: string) =>
  Schema.declareConstructor<A>()(
    [],
    () => (input, _, options) =>
      Result.match(check(input), {
        onFailure: (error) =>
          Effect.fail(new SchemaIssue.InvalidValue({ message: error.message }, input, options)),
        onSuccess: () => Effect.succeed(input as A)
      }),
    { identifier }
  )

// ---------------------------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------------------------

/**
 * Validates a list query and encodes it to URL params.
 *
 * Params come in the OpenAPI order: `link`, `account`, `id`, `link__in`, `account__in`, `id__in`,
 * `page_size`, `page`, `omit`, `fields`, the `collected_at` filters (`=`, `__gt`, `__gte`, `__lt`,
 * `__lte`, `__range`), then the `created_at` filters in the same order. Arrays and ranges are
 * comma-separated without spaces, numbers are decimal integers, a `DateTime` becomes a UTC date
 * (`created_at*`) or a UTC ISO timestamp (`collected_at*`); strings are sent as given.
 *
 * Returns a `Result`: match on it in synchronous code, or lift it with `Effect.fromResult` to
 * `yield*` it in `Effect.gen` (in Effect 4 a `Result` is not itself an `Effect`).
 *
 * @example
 * ```ts
 * import { Effect, Result } from "effect"
 * import { BalanceQuery } from "effect-belvo"
 *
 * const params = BalanceQuery.encode({
 *   link: "8848bd0c-9c7e-4f53-a732-ec896b11d4c4",
 *   fields: ["id", "available"],
 *   collected_at__range: ["2024-01-01", "2024-01-31"]
 * })
 * console.log(Result.getOrThrow(params))
 * // [["link", "8848bd0c-9c7e-4f53-a732-ec896b11d4c4"], ["fields", "id,available"],
 * //  ["collected_at__range", "2024-01-01,2024-01-31"]]
 *
 * // In Effect code, an invalid query is a typed failure:
 * const program = Effect.gen(function* () {
 *   const checked = yield* Effect.fromResult(params)
 *   return new URLSearchParams(checked.map(([name, value]) => [name, value])).toString()
 * })
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (query: ListQuery): Result.Result<Params, InvalidQuery> => encodeListQuery(query)

/**
 * Validates a bare `fields` / `omit` projection (as `get` and `retrieve` take) and encodes it:
 * `omit` first, then `fields`, each comma-separated.
 *
 * @example
 * ```ts
 * import { Result } from "effect"
 * import { BalanceQuery } from "effect-belvo"
 *
 * console.log(Result.getOrThrow(BalanceQuery.encodeProjection({ fields: ["id", "available"] })))
 * // [["fields", "id,available"]]
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeProjection = (projection: Projection): Result.Result<Params, InvalidQuery> =>
  encodeProjectionWith(projection)

/**
 * Parses URL params back into a validated list query: ids and dates stay strings, lists and ranges
 * are split on commas, `page` and `page_size` become numbers. A repeated or unknown parameter is an
 * `InvalidQuery`. `decodeParams(encode(q))` gives back `q`, with any `DateTime` replaced by the
 * string it was encoded to.
 *
 * @example
 * ```ts
 * import { Result } from "effect"
 * import { BalanceQuery } from "effect-belvo"
 *
 * const query = BalanceQuery.decodeParams(
 *   new URLSearchParams("link=8848bd0c-9c7e-4f53-a732-ec896b11d4c4&page=2&fields=id,available")
 * )
 * console.log(Result.getOrThrow(query))
 * // { link: "8848bd0c-9c7e-4f53-a732-ec896b11d4c4", page: 2, fields: ["id", "available"] }
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeParams: (params: Params | URLSearchParams) => Result.Result<ListQuery, InvalidQuery> =
  decodeWith(listRules, ["link"]) as never

/**
 * A schema of valid list queries: decoding (or `Schema.is`) runs the checks of {@link encode}, and
 * a failure's message is the `InvalidQuery` message.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { BalanceQuery } from "effect-belvo"
 *
 * console.log(Schema.is(BalanceQuery.ListQuery)({ link: "8848bd0c-9c7e-4f53-a732-ec896b11d4c4", page: 0 })) // false
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ListQuery: Schema.Codec<ListQuery> = validated<ListQuery>(encodeListQuery, "ListQuery")

/**
 * A schema of valid `fields` / `omit` projections.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { BalanceQuery } from "effect-belvo"
 *
 * console.log(Schema.is(BalanceQuery.Projection)({ fields: ["id", "id"] })) // false
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Projection: Schema.Codec<Projection> = validated<Projection>(encodeProjectionWith, "Projection")

/**
 * Sets the page number, keeping every other filter (and the query's type).
 *
 * @example
 * ```ts
 * import { BalanceQuery } from "effect-belvo"
 *
 * const first = { link: "8848bd0c-9c7e-4f53-a732-ec896b11d4c4", page_size: 1000 }
 * console.log(BalanceQuery.withPage(first, 3).page) // 3
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withPage: {
  (page: number): <Q extends ListQuery>(query: Q) => Q & { readonly page: number }
  <Q extends ListQuery>(query: Q, page: number): Q & { readonly page: number }
} = dual(2, <Q extends ListQuery>(query: Q, page: number): Q & { readonly page: number } => ({
  ...query,
  page
}))
