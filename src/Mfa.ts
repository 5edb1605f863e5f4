/**
 * Answering MFA challenges inside an Effect program.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import type * as BalanceQuery from "./BalanceQuery.js"
import * as Balances from "./Balances.js"
import type { BelvoClient } from "./BelvoClient.js"
import type * as BelvoError from "./BelvoError.js"
import type { MfaChallenge } from "./MfaChallenge.js"

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
  /** How many tokens to ask for before giving up with the last `TokenRequired`. Default 3. */
  readonly maxAttempts?: number
}

const isTokenRequired = (error: unknown): error is BelvoError.TokenRequired =>
  Predicate.isTagged(error, "TokenRequired")

/**
 * Answers the MFA challenges of a retrieve: on `TokenRequired`, asks `handler` for a token (an
 * Effect, so it can wait on a UI, a queue or a `Deferred`), resumes with it and returns the
 * balances. A resume answered by another challenge asks again, up to `maxAttempts` tokens in all;
 * then the last `TokenRequired` is the failure. The resume keeps the retrieve's `fields`, `omit`
 * and `save_data`, so the result has the same type.
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
export const answer =
  <E2, R2>(
    handler: (challenge: MfaChallenge, attempt: number) => Effect.Effect<string, E2, R2>,
    options?: AnswerOptions
  ) =>
  <A, E, R>(
    self: Effect.Effect<Balances.Retrieval<A>, E, R>
  ): Effect.Effect<
    Balances.Retrieval<A>,
    Exclude<E, BelvoError.TokenRequired> | Balances.ResumeError | E2,
    R | R2 | BelvoClient
  > => {
    const maxAttempts = Math.max(1, options?.maxAttempts ?? 3)
    const respond = (
      error: BelvoError.TokenRequired,
      attempt: number
    ): Effect.Effect<Balances.Retrieval<A>, Balances.ResumeError | E2, R2 | BelvoClient> =>
      Effect.flatMap(handler(error.challenge, attempt), (token) => {
        const { challenge } = error
        const projection: BalanceQuery.Projection = {
          ...(challenge.fields ? { fields: challenge.fields } : {}),
          ...(challenge.omit ? { omit: challenge.omit } : {})
        }
        // Same projection as the retrieve that met the challenge, so the items have its type A.
        const resumed = Balances.resume(challenge, token, { ...projection, save_data: challenge.save_data })
        return Effect.catchIf(
          resumed as Effect.Effect<Balances.Retrieval<A>, Balances.ResumeError>,
          isTokenRequired,
          (next) => (attempt < maxAttempts ? respond(next, attempt + 1) : Effect.fail(next))
        )
      })
    return Effect.catchIf(self, isTokenRequired, (error) => respond(error, 1)) as Effect.Effect<
      Balances.Retrieval<A>,
      Exclude<E, BelvoError.TokenRequired> | Balances.ResumeError | E2,
      R | R2 | BelvoClient
    >
  }
