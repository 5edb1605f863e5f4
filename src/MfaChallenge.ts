/**
 * An MFA challenge: what a 428 `token_required` answer asks for, and everything needed to resume.
 *
 * A challenge is plain data. It encodes to JSON so a web application can store it between the
 * request that met the challenge and the one that brings the user's token, even in another process.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Balance from "./Balance.js"

const FieldName = Schema.Literal(...(Balance.fieldNames as [Balance.Field, ...Array<Balance.Field>]))

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
  instructions: Schema.optional(Schema.String),
  type: Schema.optional(Schema.String),
  value: Schema.optional(Schema.String),
  expects_user_input: Schema.optional(Schema.Boolean)
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
 * A pending MFA session.
 *
 * - `session`, `link`, `expiry`, `token_generation_data`: as Belvo sent them.
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
  session: Schema.String,
  link: Schema.String,
  expiry: Schema.Number,
  expiresAt: Schema.DateTimeUtc,
  token_generation_data: Schema.optional(TokenGenerationData),
  request_id: Schema.NullOr(Schema.String),
  save_data: Schema.Boolean,
  fields: Schema.optional(Schema.Array(FieldName)),
  omit: Schema.optional(Schema.Array(FieldName))
}) {}

const Json = Schema.parseJson(MfaChallenge)

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
  Effect.orDie(Schema.encode(Json)(challenge))

/**
 * Decodes a challenge stored with {@link toJson}. Fails with a `ParseError` on anything else.
 *
 * @example
 * ```ts
 * import { MfaChallenge } from "effect-belvo"
 *
 * const decoded = MfaChallenge.fromJson("{}") // fails: not a challenge
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const fromJson: (json: string) => Effect.Effect<MfaChallenge, ParseResult.ParseError> =
  Schema.decode(Json)

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
