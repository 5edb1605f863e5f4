/**
 * An MFA challenge: what a 428 `token_required` answer asks for, and everything needed to resume.
 *
 * A challenge is plain data. It encodes to JSON so a web application can store it between the
 * request that met the challenge and the one that brings the user's token, even in another process.
 * {@link fromItem} builds one from the server's answer where the retrieve's own request (its link,
 * `save_data`, `fields` and `omit`) is in scope, and refuses an answer it could not safely resume.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Balance from "./Balance.js"
import type * as BalanceQuery from "./BalanceQuery.js"
import { isUuid, Uuid } from "./internal/uuid.js"

const FieldName = Schema.Literals(Balance.fieldNames as [Balance.Field, ...Array<Balance.Field>])

/**
 * How the institution expects the token to be produced.
 *
 * @example
 * ```ts
 * import type { MfaChallenge } from "effect-belvo"
 *
 * // What to show the user while a challenge waits for their token.
 * const prompt = (data: typeof MfaChallenge.TokenGenerationData.Type | undefined): string =>
 *   data?.expects_user_input === false
 *     ? "Approve the request in your bank's app"
 *     : (data?.instructions ?? "Enter the token your bank sent you")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const TokenGenerationData = Schema.Struct({
  instructions: Schema.optionalKey(Schema.String),
  type: Schema.optionalKey(Schema.String),
  value: Schema.optionalKey(Schema.String),
  expects_user_input: Schema.optionalKey(Schema.Boolean)
})

/**
 * Decoded token generation data.
 *
 * @example
 * ```ts
 * import type { MfaChallenge } from "effect-belvo"
 *
 * const data: MfaChallenge.TokenGenerationData = { type: "numeric", value: "12345", expects_user_input: true }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenGenerationData extends Schema.Schema.Type<typeof TokenGenerationData> {}

/**
 * The longest MFA session the client accepts, in seconds: one day. Belvo documents `expiry` as
 * the session's duration in seconds (its example is 9600); a longer one is a broken or hostile answer.
 *
 * @example
 * ```ts
 * import { MfaChallenge } from "effect-belvo"
 *
 * console.log(MfaChallenge.maxExpirySeconds) // 86400
 * ```
 *
 * @since 1.0.0
 * @category defaults
 */
export const maxExpirySeconds = 86_400

/** A session id as Belvo documents it: 32 hex characters. */
const Session = Schema.String.check(Schema.isPattern(/^[0-9a-fA-F]{32}$/))
const Expiry = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: maxExpirySeconds }))

/**
 * A pending MFA session.
 *
 * - `session`, `link`, `expiry`, `token_generation_data`: as Belvo sent them (`session` is 32 hex
 *   characters, `link` a UUID, `expiry` whole seconds from 1 to {@link maxExpirySeconds}).
 * - `expiresAt`: the instant the session ends, from the `Clock` at receipt plus `expiry` seconds.
 * - `save_data`, `fields`, `omit`: what the original retrieve asked for, so resuming returns the same shape.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { MfaChallenge } from "effect-belvo"
 *
 * const program = Effect.gen(function* () {
 *   const stored = '{"session":"2675b703b9d4451f8d4861a3eee54449","link":"30cb4806-6e00-48a4-91c9-ca55968576c8","expiry":600,"expiresAt":"2030-01-01T00:10:00.000Z","request_id":null,"save_data":true}'
 *   const challenge = yield* MfaChallenge.fromJson(stored)
 *   console.log(challenge.session, yield* MfaChallenge.isExpired(challenge))
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class MfaChallenge extends Schema.Class<MfaChallenge>("MfaChallenge")({
  session: Session,
  link: Uuid,
  expiry: Expiry,
  expiresAt: Schema.DateTimeUtcFromString,
  token_generation_data: Schema.optionalKey(TokenGenerationData),
  request_id: Schema.NullOr(Schema.String),
  save_data: Schema.Boolean,
  fields: Schema.optionalKey(Schema.Array(FieldName)),
  omit: Schema.optionalKey(Schema.Array(FieldName))
}) {}

/**
 * What the retrieve that met the challenge asked for: the resume repeats it.
 *
 * @example
 * ```ts
 * import type { MfaChallenge } from "effect-belvo"
 *
 * const request: MfaChallenge.Request = {
 *   link: "30cb4806-6e00-48a4-91c9-ca55968576c8",
 *   save_data: false,
 *   fields: ["account_id", "available"]
 * }
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export interface Request {
  readonly link: string
  readonly save_data: boolean
  readonly fields?: ReadonlyArray<Balance.Field> | undefined
  readonly omit?: ReadonlyArray<Balance.Field> | undefined
}

/**
 * The MFA part of a 428 answer, as the error body carries it. Any of it may be missing or wrong
 * on a broken server, so every field is checked by {@link fromItem}.
 *
 * @example
 * ```ts
 * import type { MfaChallenge } from "effect-belvo"
 *
 * const offer: MfaChallenge.Offer = {
 *   session: "2675b703b9d4451f8d4861a3eee54449",
 *   expiry: 9600,
 *   link: "30cb4806-6e00-48a4-91c9-ca55968576c8",
 *   token_generation_data: { type: "numeric", value: "12345", expects_user_input: true }
 * }
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export interface Offer {
  readonly session?: string | undefined
  readonly expiry?: number | undefined
  readonly link?: string | undefined
  readonly token_generation_data?: TokenGenerationData | undefined
  readonly request_id?: string | null | undefined
}

const isSession = Schema.is(Session)
const isExpiry = Schema.is(Expiry)

/**
 * Builds the challenge of a 428 answer for the retrieve (or resume) `request`, received at `now`
 * (epoch milliseconds from the `Clock`). Fails with the reason when the answer cannot be resumed
 * safely: no session or one not of the documented shape, or an `expiry` that is not whole seconds
 * from 1 to {@link maxExpirySeconds}. A `link` that is not a UUID is ignored in favour of the link
 * that was asked for.
 *
 * @example
 * ```ts
 * import { Result } from "effect"
 * import { MfaChallenge } from "effect-belvo"
 *
 * const challenge = MfaChallenge.fromItem(
 *   { session: "2675b703b9d4451f8d4861a3eee54449", expiry: 600 },
 *   { link: "30cb4806-6e00-48a4-91c9-ca55968576c8", save_data: true, fields: ["id", "available"] },
 *   Date.parse("2024-05-21T08:32:00Z")
 * )
 * if (Result.isSuccess(challenge)) console.log(challenge.success.expiresAt.toJSON()) // "2024-05-21T08:42:00.000Z"
 * ```
 *
 * @since 1.0.0
 * @category constructors
 */
export const fromItem = (
  offer: Offer,
  request: Request,
  now: number
): Result.Result<MfaChallenge, string> => {
  if (offer.session === undefined) return Result.fail("the 428 answer carries no session to resume")
  if (!isSession(offer.session)) return Result.fail("the 428 answer's session is not 32 hex characters")
  if (offer.expiry === undefined) return Result.fail("the 428 answer carries no expiry")
  if (!isExpiry(offer.expiry)) {
    return Result.fail(`the 428 answer's expiry is not whole seconds from 1 to ${maxExpirySeconds}`)
  }
  return Result.succeed(
    new MfaChallenge({
      session: offer.session,
      link: offer.link !== undefined && isUuid(offer.link) ? offer.link : request.link,
      expiry: offer.expiry,
      expiresAt: DateTime.makeUnsafe(now + offer.expiry * 1000),
      ...(offer.token_generation_data === undefined
        ? {}
        : { token_generation_data: offer.token_generation_data }),
      request_id: offer.request_id ?? null,
      save_data: request.save_data,
      ...(request.fields === undefined ? {} : { fields: request.fields }),
      ...(request.omit === undefined ? {} : { omit: request.omit })
    })
  )
}

/**
 * Checks a challenge before it is resumed: one built by hand or read back from storage may carry
 * anything. The session must be 32 hex characters and the link a UUID, so nothing else can reach
 * the request body. Fails with the reason.
 *
 * @example
 * ```ts
 * import { Result } from "effect"
 * import { MfaChallenge } from "effect-belvo"
 *
 * declare const challenge: MfaChallenge.MfaChallenge
 * const tampered = { ...challenge, link: "../../x" } as MfaChallenge.MfaChallenge
 * console.log(Result.isFailure(MfaChallenge.check(tampered))) // true
 * ```
 *
 * @since 1.0.0
 * @category getters
 */
export const check = (challenge: MfaChallenge): Result.Result<MfaChallenge, string> => {
  if (typeof challenge !== "object" || challenge === null) return Result.fail("is not a challenge")
  if (!isSession(challenge.session)) return Result.fail("its session is not 32 hex characters")
  if (!isUuid(challenge.link)) return Result.fail("its link is not a UUID")
  if (!isExpiry(challenge.expiry) || !DateTime.isDateTime(challenge.expiresAt)) {
    return Result.fail("its expiry is not whole seconds with an expiresAt instant")
  }
  return Result.succeed(challenge)
}

const Json = Schema.fromJsonString(MfaChallenge)

/**
 * Encodes a challenge to a JSON string, for storage.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { MfaChallenge } from "effect-belvo"
 *
 * declare const challenge: MfaChallenge.MfaChallenge
 * const stored: Effect.Effect<string> = MfaChallenge.toJson(challenge)
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const toJson = (challenge: MfaChallenge): Effect.Effect<string> =>
  Effect.orDie(Schema.encodeEffect(Json)(challenge))

declare const ItemsTypeId: unique symbol

/**
 * A challenge whose retrieve's shape is known, as {@link fromJson} with a projection decodes it:
 * `Balances.resume` of a `Typed<A>` returns items of type `A`, with no cast. Only a type: at run
 * time it is the same `MfaChallenge`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { type Balance, Balances, MfaChallenge } from "effect-belvo"
 *
 * declare const stored: string
 *
 * const program = Effect.gen(function* () {
 *   const challenge: MfaChallenge.Typed<Balance.Balance> = yield* MfaChallenge.fromJson(stored, {})
 *   const { balances } = yield* Balances.resume(challenge, "123456")
 *   return balances.map((balance) => balance.available) // every field is there: Balance, not Partial<Balance>
 * })
 * ```
 *
 * @since 1.1.0
 * @category models
 */
export interface Typed<A> extends MfaChallenge {
  readonly [ItemsTypeId]: { readonly _A: (_: never) => A }
}

/** The same fields, in any order; `undefined` is no list. */
const sameFields = (
  stored: ReadonlyArray<Balance.Field> | undefined,
  given: ReadonlyArray<Balance.Field> | undefined
): boolean =>
  stored === undefined || given === undefined
    ? stored === given
    : stored.length === given.length && given.every((field) => stored.includes(field))

const listed = (fields: ReadonlyArray<Balance.Field> | undefined): string =>
  fields === undefined ? "none" : `[${fields.join(", ")}]`

/** The stored challenge's retrieve asked for `projection`, or why not. */
const projectionCheck = (projection: BalanceQuery.Projection) =>
  Schema.makeFilter<MfaChallenge>((challenge) =>
    sameFields(challenge.fields, projection.fields) && sameFields(challenge.omit, projection.omit)
      ? true
      : `the stored challenge's retrieve asked for fields ${listed(challenge.fields)} and omit ${listed(challenge.omit)}, not fields ${listed(projection.fields)} and omit ${listed(projection.omit)}`
  )

/**
 * Decodes a challenge stored with {@link toJson}. Fails with a `SchemaError` on anything else,
 * including a challenge whose session, link or expiry was tampered with.
 *
 * Given the projection of the retrieve that met the challenge (`{}` for none, the usual case),
 * it also checks that the stored challenge was made for it, and types it: `Balances.resume` then
 * returns `Balance` items (or exactly the projected fields) with no cast. A challenge stored for
 * another projection fails with a `SchemaError` saying which one it was.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances, MfaChallenge } from "effect-belvo"
 *
 * declare const stored: string
 *
 * const untyped = MfaChallenge.fromJson("{}") // fails: not a challenge
 *
 * // The retrieve asked for no projection: the resume's items are whole balances.
 * const whole = Effect.flatMap(MfaChallenge.fromJson(stored, {}), (challenge) => Balances.resume(challenge, "123456"))
 * // It asked for two fields: the resume's items have exactly those.
 * const slim = Effect.flatMap(MfaChallenge.fromJson(stored, { fields: ["id", "available"] }), (challenge) =>
 *   Balances.resume(challenge, "123456")
 * )
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const fromJson: FromJson = ((json: string, projection?: BalanceQuery.Projection) =>
  projection === undefined
    ? Schema.decodeEffect(Json)(json)
    : Schema.decodeEffect(Json.check(projectionCheck(projection)))(json)) as FromJson

/**
 * The type of {@link fromJson}: untyped, or typed by the projection of the challenge's retrieve.
 *
 * @example
 * ```ts
 * import { MfaChallenge } from "effect-belvo"
 *
 * const decode: MfaChallenge.FromJson = MfaChallenge.fromJson
 * const typed = decode("{}", { omit: ["blocked"] }) // Effect<Typed<Omit<Balance, "blocked">>, SchemaError>
 * ```
 *
 * @since 1.1.0
 * @category encoding
 */
export interface FromJson {
  (json: string): Effect.Effect<MfaChallenge, Schema.SchemaError>
  <const P extends BalanceQuery.Projection>(
    json: string,
    projection: P & { readonly [K in Exclude<keyof P, keyof BalanceQuery.Projection>]: never }
  ): Effect.Effect<Typed<BalanceQuery.Projected<P>>, Schema.SchemaError>
}

/**
 * Whether the session is over by the `Clock` (a `TestClock` in tests).
 *
 * @example
 * ```ts
 * import { MfaChallenge } from "effect-belvo"
 *
 * declare const challenge: MfaChallenge.MfaChallenge
 * const expired = MfaChallenge.isExpired(challenge) // Effect<boolean>
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const isExpired = (challenge: MfaChallenge): Effect.Effect<boolean> =>
  Effect.map(Clock.currentTimeMillis, (now) => now >= DateTime.toEpochMillis(challenge.expiresAt))

/**
 * Time left before the session ends (zero once it has).
 *
 * @example
 * ```ts
 * import { MfaChallenge } from "effect-belvo"
 *
 * declare const challenge: MfaChallenge.MfaChallenge
 * const left = MfaChallenge.remaining(challenge) // Effect<Duration>
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const remaining = (challenge: MfaChallenge): Effect.Effect<Duration.Duration> =>
  Effect.map(Clock.currentTimeMillis, (now) =>
    Duration.millis(Math.max(0, DateTime.toEpochMillis(challenge.expiresAt) - now))
  )
