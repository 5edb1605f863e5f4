/**
 * The balance resource of Belvo's Open Finance Brazil API, decoded into exact types.
 *
 * Field names are the wire names, so a decoded balance reads like the API documentation. Amounts
 * are `BigDecimal` (money is never a float here) and timestamps are `DateTime.Utc`.
 *
 * @since 0.1.0
 */
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaGetter from "effect/SchemaGetter"
import * as SchemaIssue from "effect/SchemaIssue"
import { AMOUNT_RULE, decimalOf, encodeDecimal, formatDecimal } from "./internal/amount.js"
import * as Csv from "./internal/csv.js"
import { timestampOfString } from "./internal/timestamp.js"
import { Uuid } from "./internal/uuid.js"

/**
 * A `BigDecimal` as the type side of {@link Amount}. Property tests generate it as an amount looks on
 * the wire: an unscaled value under 10^18 in magnitude with 0 to 4 decimals, normalized.
 */
const Decimal = Schema.declare(BigDecimal.isBigDecimal, {
  expected: "BigDecimal",
  toEquivalence: () => BigDecimal.Equivalence,
  toFormatter: () => BigDecimal.format,
  toCodecArbitrary: () =>
    Schema.link<BigDecimal.BigDecimal>()(
      Schema.Tuple([
        Schema.BigInt.check(
          Schema.isBetweenBigInt({ minimum: -(10n ** 18n) + 1n, maximum: 10n ** 18n - 1n })
        ),
        Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 4 }))
      ]),
      {
        decode: SchemaGetter.transform(([value, scale]) =>
          BigDecimal.normalize(BigDecimal.make(value, scale))
        ),
        encode: SchemaGetter.forbidden(() => "an arbitrary amount is only generated, never encoded")
      }
    )
})

/**
 * A `DateTime.Utc` as the type side of {@link Timestamp}. Property tests generate it within the
 * years RFC 3339 can write, 0001 to 9999.
 */
const Instant = Schema.declare(
  (u: unknown): u is DateTime.Utc => DateTime.isDateTime(u) && DateTime.isUtc(u),
  {
    expected: "DateTime.Utc",
    toEquivalence: () => DateTime.Equivalence,
    toFormatter: () => DateTime.formatIso,
    toCodecArbitrary: () =>
      Schema.link<DateTime.Utc>()(
        Schema.Int.check(Schema.isBetween({ minimum: -62_135_596_800_000, maximum: 253_402_300_799_999 })),
        {
          decode: SchemaGetter.transform((millis) => DateTime.makeUnsafe(millis)),
          encode: SchemaGetter.forbidden(() => "an arbitrary instant is only generated, never encoded")
        }
      )
  }
)

/**
 * A decimal amount as Belvo sends it (`^\d{1,15}\.\d{2,4}$`), decoded exactly into a `BigDecimal`.
 *
 * Decoding accepts a JSON number or a numeric string (some servers quote decimals to keep them
 * exact), negative amounts and other scales, because refusing them would drop real data; but
 * within a sane range: at most 18 integer digits and 8 decimal places. Anything beyond (a hostile
 * `"1e999999999"`, whose every sum would cost seconds) is a decode error whose message states
 * that rule; the sandbox's `Sandbox.addBalances` refuses the same amounts with the same words.
 * Encoding gives back a JSON number whenever that number denotes the same decimal, and the decimal
 * string otherwise, so no cent is ever lost on the way out.
 *
 * @example
 * ```ts
 * import { BigDecimal, Schema } from "effect"
 * import { Balance } from "effect-belvo"
 *
 * const amount = Schema.decodeUnknownSync(Balance.Amount)("1000.0200")
 * console.log(BigDecimal.format(amount)) // "1000.02"
 * console.log(Schema.encodeSync(Balance.Amount)(amount)) // 1000.02
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Amount: Schema.Codec<BigDecimal.BigDecimal, number | string> = Schema.Union([
  Schema.Number,
  Schema.String
])
  .annotate({ description: "a decimal amount" })
  .pipe(
    Schema.decodeTo(Decimal, {
      decode: SchemaGetter.transformEffect((input, options) => {
        const decoded = decimalOf(input)
        return decoded === undefined
          ? Effect.fail(new SchemaIssue.InvalidValue({ expected: AMOUNT_RULE }, input, options))
          : Effect.succeed(decoded)
      }),
      encode: SchemaGetter.transform(encodeDecimal)
    })
  )
  .annotate({ identifier: "Amount" })

/**
 * An RFC 3339 / ISO-8601 date-time with a zone (`Z` or `±HH:MM`, 0 to 9 fraction digits) decoded
 * into a `DateTime.Utc`. Anything else is a decode error: a date without a zone, a day that does
 * not exist (`2024-02-30`), text `Date` would guess at (`"May 21, 2024"`). The result never
 * depends on the process time zone. Encodes to the UTC ISO string.
 *
 * @example
 * ```ts
 * import { DateTime, Schema } from "effect"
 * import { Balance } from "effect-belvo"
 *
 * const collectedAt = Schema.decodeUnknownSync(Balance.Timestamp)("2024-05-21T05:32:00-03:00")
 * console.log(DateTime.formatIso(collectedAt)) // "2024-05-21T08:32:00.000Z"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Timestamp: Schema.Codec<DateTime.Utc, string> = Schema.String.annotate({
  description: "an ISO-8601 date-time with a zone"
})
  .pipe(
    Schema.decodeTo(Instant, {
      decode: SchemaGetter.transformEffect((input, options) => {
        const decoded = timestampOfString(input)
        return decoded === undefined
          ? Effect.fail(
              new SchemaIssue.InvalidValue(
                { expected: "an ISO-8601 date-time with Z or an offset" },
                input,
                options
              )
            )
          : Effect.succeed(decoded)
      }),
      encode: SchemaGetter.transform(DateTime.formatIso)
    })
  )
  .annotate({ identifier: "Timestamp" })

/**
 * The balance object (`BalanceOFDA`) with its 11 documented fields.
 *
 * Strict on types: a missing field or a wrong type is a decode error. Lenient on what would
 * otherwise drop real data: unknown extra fields are ignored, and amounts may be negative, carry
 * four decimals or arrive as strings.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Balance } from "effect-belvo"
 *
 * const balance = Schema.decodeUnknownSync(Balance.Balance)({
 *   id: "0b94bdf9-3719-43a9-81e7-be95d2318595",
 *   link: "0b94bdf9-3719-43a9-81e7-be95d2318595",
 *   account_id: "c4bfecf9-4eb6-4920-9f9f-e1f1e60ef321",
 *   account_internal_identification: "92792126019929279212650822221989319252576",
 *   collected_at: "2024-05-21T08:32:00Z",
 *   created_at: "2024-05-21T08:32:00Z",
 *   last_updated_at: "2021-05-21T08:30:00Z",
 *   currency: "BRL",
 *   available: 1000.02,
 *   blocked: 0.5,
 *   automatically_invested: "12.3456"
 * })
 * console.log(balance.currency) // "BRL"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Balance = Schema.Struct({
  id: Uuid,
  link: Uuid,
  account_id: Uuid,
  account_internal_identification: Schema.String,
  collected_at: Timestamp,
  created_at: Timestamp,
  last_updated_at: Timestamp,
  currency: Schema.String,
  available: Amount,
  blocked: Amount,
  automatically_invested: Amount
}).annotate({ identifier: "Balance" })

/**
 * A decoded balance.
 *
 * @example
 * ```ts
 * import { BigDecimal } from "effect"
 * import type { Balance } from "effect-belvo"
 *
 * // Exact sums: amounts are BigDecimal, never floats.
 * const totalAvailable = (balances: ReadonlyArray<Balance.Balance>): BigDecimal.BigDecimal =>
 *   balances.reduce((sum, balance) => BigDecimal.sum(sum, balance.available), BigDecimal.make(0n, 0))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Balance extends Schema.Schema.Type<typeof Balance> {}

/**
 * A balance as it travels on the wire (JSON).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Balance } from "effect-belvo"
 *
 * declare const balance: Balance.Balance
 * // Back to the wire shape, e.g. to store it as JSON.
 * const wire: Balance.BalanceEncoded = Schema.encodeSync(Balance.Balance)(balance)
 * console.log(typeof wire.collected_at) // "string"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface BalanceEncoded extends Schema.Codec.Encoded<typeof Balance> {}

/**
 * The names of the balance's first-level fields, as accepted by `fields` and `omit`.
 *
 * @example
 * ```ts
 * import { Balance } from "effect-belvo"
 *
 * console.log(Balance.fieldNames.includes("available")) // true
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export const fieldNames: ReadonlyArray<Field> = Object.keys(Balance.fields) as Array<Field>

/**
 * A balance field that holds an amount (an {@link Amount}: exact `BigDecimal`).
 *
 * @example
 * ```ts
 * import type { Balance } from "effect-belvo"
 *
 * const field: Balance.AmountField = "blocked"
 * ```
 *
 * @since 1.1.0
 * @category models
 */
export type AmountField = {
  [K in Field]: (typeof Balance.fields)[K] extends typeof Amount ? K : never
}[Field]

/**
 * The names of the balance's amount fields, in the schema's order: the fields whose schema is
 * {@link Amount}, read from the {@link Balance} schema itself.
 *
 * @example
 * ```ts
 * import { BigDecimal } from "effect"
 * import { Balance } from "effect-belvo"
 *
 * declare const balance: Balance.Balance
 * const total = Balance.amountFieldNames.reduce(
 *   (sum, field) => BigDecimal.sum(sum, balance[field]),
 *   BigDecimal.make(0n, 0)
 * )
 * ```
 *
 * @since 1.1.0
 * @category models
 */
export const amountFieldNames: ReadonlyArray<AmountField> = fieldNames.filter(
  (field): field is AmountField => Balance.fields[field] === Amount
)

/**
 * A first-level field name of a balance.
 *
 * @example
 * ```ts
 * import { Balances, type Balance } from "effect-belvo"
 *
 * const amounts: ReadonlyArray<Balance.Field> = ["account_id", "available", "blocked", "automatically_invested"]
 * const program = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058", fields: amounts })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Field = keyof typeof Balance.fields

/**
 * One page of a list response: `count` is the total over all pages, `next` and `previous` are
 * absolute URLs or `null`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Balance } from "effect-belvo"
 *
 * const page = Schema.decodeUnknownSync(Balance.Page(Schema.Struct({ id: Schema.String })))({
 *   count: 1,
 *   next: null,
 *   previous: null,
 *   results: [{ id: "a" }]
 * })
 * console.log(page.results.length) // 1
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Page = <S extends Schema.Constraint>(item: S) =>
  Schema.Struct({
    count: Schema.Natural,
    next: Schema.NullOr(Schema.String),
    previous: Schema.NullOr(Schema.String),
    results: Schema.Array(item)
  })

/**
 * A decoded page of items.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances, type Balance } from "effect-belvo"
 *
 * const summary = (page: Balance.Page<unknown>): string =>
 *   `${page.results.length} of ${page.count}${page.next === null ? " (last page)" : ""}`
 *
 * const program = Effect.map(Balances.listPage({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }), summary)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Page<A> {
  readonly count: number
  readonly next: string | null
  readonly previous: string | null
  readonly results: ReadonlyArray<A>
}

/**
 * An amount as exact decimal text with at least two decimal places, the way money is written:
 * `"1000.20"`, `"12.3456"`, `"-5.00"`. Never rounded, never in exponent notation (unlike
 * `BigDecimal.format`, which drops trailing zeros).
 *
 * @example
 * ```ts
 * import { BigDecimal } from "effect"
 * import { Balance } from "effect-belvo"
 *
 * console.log(Balance.formatAmount(BigDecimal.fromStringUnsafe("1000.2"))) // "1000.20"
 * console.log(Balance.formatAmount(BigDecimal.fromStringUnsafe("12.3456"))) // "12.3456"
 * ```
 *
 * @since 1.0.0
 * @category formatting
 */
export const formatAmount = (amount: BigDecimal.BigDecimal): string => formatDecimal(amount, 2)

/**
 * The JSON form {@link toJson} gives a balance (whole or projected): amounts as exact decimal
 * strings, timestamps as UTC ISO-8601 strings, every other field as it is.
 *
 * @example
 * ```ts
 * import type { Balance } from "effect-belvo"
 *
 * type Slim = Balance.Json<Pick<Balance.Balance, "id" | "available">> // { id: string; available: string }
 * const row: Slim = { id: "0b94bdf9-3719-43a9-81e7-be95d2318595", available: "1000.20" }
 * ```
 *
 * @since 1.0.0
 * @category formatting
 */
export type Json<A> = {
  readonly [K in keyof A]: A[K] extends BigDecimal.BigDecimal
    ? string
    : A[K] extends DateTime.DateTime
      ? string
      : A[K]
}

/**
 * A balance, whole or projected, as plain JSON data: every amount an exact decimal string that
 * keeps two decimal places at least ({@link formatAmount}), every timestamp a UTC ISO-8601 string.
 * `JSON.stringify` it for a file, a response or a log; one balance per line makes NDJSON.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Balance, Balances } from "effect-belvo"
 *
 * // NDJSON: one balance per line, amounts exact.
 * const lines = Balances.list({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058", fields: ["id", "currency", "available"] }).pipe(
 *   Stream.map((balance) => `${JSON.stringify(Balance.toJson(balance))}\n`)
 * )
 * // {"id":"0b94bdf9-…","currency":"BRL","available":"1000.20"}
 * ```
 *
 * @since 1.0.0
 * @category formatting
 */
export const toJson = <A extends Partial<Balance>>(balance: A): Json<A> => {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(balance)) {
    const value: unknown = balance[key as keyof A]
    out[key] = BigDecimal.isBigDecimal(value)
      ? formatAmount(value)
      : DateTime.isDateTime(value)
        ? DateTime.formatIso(value)
        : value
  }
  return out as Json<A>
}

/**
 * The CSV header line for `fields` (RFC 4180), to go before {@link toCsv}'s lines.
 *
 * @example
 * ```ts
 * import { Balance } from "effect-belvo"
 *
 * console.log(Balance.csvHeader(["id", "currency", "available"])) // "id,currency,available\n"
 * ```
 *
 * @since 1.1.0
 * @category formatting
 */
export const csvHeader = (fields: ReadonlyArray<Field>): string => Csv.header(fields)

/**
 * A balance, whole or projected, as one CSV line of `fields` (RFC 4180: a cell holding a comma, a
 * quote or a line break is quoted), each value as {@link toJson} writes it: amounts exact with two
 * decimal places at least, timestamps UTC ISO-8601. A field the balance lacks is an empty cell.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Balance, Balances } from "effect-belvo"
 *
 * const fields = ["id", "currency", "available"] as const
 * const csv = Stream.concat(
 *   Stream.make(Balance.csvHeader(fields)),
 *   Balances.list({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058", fields }).pipe(
 *     Stream.map((balance) => Balance.toCsv(fields, balance)) // "0b94bdf9-…,BRL,1000.20\n"
 *   )
 * )
 * ```
 *
 * @since 1.1.0
 * @category formatting
 */
export const toCsv = (fields: ReadonlyArray<Field>, balance: Partial<Balance>): string =>
  Csv.line(fields, toJson(balance))
