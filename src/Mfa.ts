/**
 * Answering MFA challenges inside an Effect program: on `TokenRequired`, ask for the token (or for
 * nothing, when the institution needs no input), resume, and repeat up to a bound.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Predicate from "effect/Predicate"
import type * as Balances from "./Balances.js"
import * as BalancesApi from "./Balances.js"
import { BelvoClient } from "./BelvoClient.js"
import type * as BelvoError from "./BelvoError.js"
import * as BelvoErrors from "./BelvoError.js"
import * as Errors from "./internal/errors.js"
import * as MfaChallenge from "./MfaChallenge.js"

/**
 * Options of {@link answer}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances, Mfa } from "effect-belvo"
 *
 * declare const askUser: (prompt: string) => Effect.Effect<string>
 *
 * // One token only: if the bank asks again, fail with that second TokenRequired.
 * const options: Mfa.AnswerOptions = { maxAttempts: 1 }
 * const program = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }).pipe(
 *   Mfa.answer((challenge) => askUser(challenge.token_generation_data?.instructions ?? "Enter your token"), options)
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface AnswerOptions {
  /**
   * How many tokens to ask for before giving up with the last `TokenRequired`, a whole number from
   * 1 to 10. Default 3. Any other value fails with `InvalidQuery` before the retrieve runs.
   */
  readonly maxAttempts?: number | undefined
}

/**
 * What a handler answers a challenge with: the token, or `undefined` to resume without one (when
 * `token_generation_data.expects_user_input` is false: the person confirms on another device or
 * scans a QR code, and Belvo still expects the resume).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Mfa, MfaChallenge } from "effect-belvo"
 *
 * declare const askUser: (challenge: MfaChallenge.MfaChallenge) => Effect.Effect<string>
 *
 * const handler = (challenge: MfaChallenge.MfaChallenge): Effect.Effect<Mfa.Token> =>
 *   challenge.token_generation_data?.expects_user_input === false ? Effect.succeed(undefined) : askUser(challenge)
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export type Token = string | undefined

/**
 * The type of {@link answer}: data-last (`pipe`) and data-first.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances, Mfa } from "effect-belvo"
 *
 * declare const askUser: () => Effect.Effect<string>
 *
 * const retrieve = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" })
 * const dataFirst = Mfa.answer(retrieve, () => askUser())
 * const dataLast = retrieve.pipe(Mfa.answer(() => askUser()))
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export interface Answer {
  <E2, R2>(
    handler: (challenge: MfaChallenge.MfaChallenge, attempt: number) => Effect.Effect<Token, E2, R2>,
    options?: AnswerOptions
  ): <A, E, R>(
    self: Effect.Effect<Balances.Retrieval<A>, E, R>
  ) => Effect.Effect<
    Balances.Retrieval<A>,
    Exclude<E, BelvoError.TokenRequired> | Balances.ResumeError | E2,
    R | R2 | BelvoClient
  >
  <A, E, R, E2, R2>(
    self: Effect.Effect<Balances.Retrieval<A>, E, R>,
    handler: (challenge: MfaChallenge.MfaChallenge, attempt: number) => Effect.Effect<Token, E2, R2>,
    options?: AnswerOptions
  ): Effect.Effect<
    Balances.Retrieval<A>,
    Exclude<E, BelvoError.TokenRequired> | Balances.ResumeError | E2,
    R | R2 | BelvoClient
  >
}

const isTokenRequired = (error: unknown): error is BelvoError.TokenRequired =>
  Predicate.isTagged(error, "TokenRequired")

/**
 * Answers the MFA challenges of a retrieve: on `TokenRequired`, asks `handler` for a token (an
 * Effect, so it can wait on a UI, a queue or a `Deferred`), resumes with it and returns the
 * balances. A handler that answers `undefined` resumes without a token. A resume answered by
 * another challenge asks again, up to `maxAttempts` tokens in all; then the last `TokenRequired`
 * is the failure. The wait for the handler ends when the challenge expires, with `SessionExpired`
 * (status 0, nothing sent). The resume keeps the retrieve's `fields`, `omit` and `save_data`, so
 * the result has the same type.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances, Mfa } from "effect-belvo"
 *
 * declare const askUserForToken: (challenge: unknown) => Effect.Effect<string>
 *
 * const program = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }).pipe(
 *   Mfa.answer((challenge) => askUserForToken(challenge))
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const answer: Answer = dual(
  (args) => Effect.isEffect(args[0]),
  <A, E, R, E2, R2>(
    self: Effect.Effect<Balances.Retrieval<A>, E, R>,
    handler: (challenge: MfaChallenge.MfaChallenge, attempt: number) => Effect.Effect<Token, E2, R2>,
    options?: AnswerOptions
  ) => {
    const maxAttempts = options?.maxAttempts ?? 3
    const respond = (
      error: BelvoError.TokenRequired,
      attempt: number
    ): Effect.Effect<Balances.Retrieval<A>, Balances.ResumeError | E2, R2 | BelvoClient> =>
      Effect.gen(function* () {
        const { challenge } = error
        const { baseUrl } = yield* BelvoClient
        const left = yield* MfaChallenge.remaining(challenge)
        const token = yield* handler(challenge, attempt).pipe(
          Effect.timeoutOrElse({
            duration: left,
            orElse: () =>
              Effect.fail(
                Errors.sessionExpired(
                  challenge,
                  { method: "PATCH", path: `${baseUrl.pathname}api/br/balances/` },
                  "while waiting for the token"
                )
              )
          })
        )
        // The challenge carries the retrieve's projection, so the items have its type A.
        const resumed = BalancesApi.resume(challenge, token) as Effect.Effect<
          Balances.Retrieval<A>,
          Balances.ResumeError,
          BelvoClient
        >
        return yield* Effect.catchIf(resumed, isTokenRequired, (next) =>
          attempt < maxAttempts ? respond(next, attempt + 1) : Effect.fail(next)
        )
      })
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10) {
      return Effect.fail(
        new BelvoErrors.InvalidQuery({
          field: "maxAttempts",
          value: maxAttempts,
          reason: "must be a whole number from 1 to 10"
        })
      )
    }
    return Effect.catchIf(
      self,
      (error: E): error is E & BelvoError.TokenRequired => isTokenRequired(error),
      (error) => respond(error, 1)
    )
  }
)
