/**
 * MFA from the command line. On a terminal, a challenge is shown (the institution's instructions,
 * the code to use, when it expires) and the token is asked for, or Enter when the institution
 * expects no input; up to three rounds when a token is refused. `--token` answers the first round
 * without a prompt; `--save-challenge FILE` stores a challenge the command cannot answer as
 * `MfaChallenge.toJson` writes it and exits with 3, for `balances resume --challenge FILE`.
 *
 * @since 1.1.0
 */
import * as Flag from "effect/cli/Flag"
import * as Prompt from "effect/cli/Prompt"
import * as Console from "effect/Console"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as Stdio from "effect/Stdio"
import type * as Terminal from "effect/Terminal"
import { type Balances, type BelvoClient, Mfa, MfaChallenge } from "../index.js"
import { ChallengeSaved, displayPath, UsageError } from "./errors.js"
import { printable } from "./format.js"
import * as Terminals from "./terminal.js"

/**
 * `--token` and `--save-challenge`.
 *
 * @example
 * ```ts
 * import * as Command from "effect/cli/Command"
 * import * as CliMfa from "../src/cli/mfa.js"
 *
 * const retrieve = Command.make("retrieve", { ...CliMfa.flags })
 * ```
 *
 * @since 1.1.0
 * @category flags
 */
export const flags = {
  token: Flag.String("token").pipe(
    Flag.withDescription("Answer the MFA challenge with this token, without a prompt"),
    Flag.optional
  ),
  saveChallenge: Flag.File("save-challenge").pipe(
    Flag.withDescription(
      "If MFA is needed and not answered here, store the challenge in this file and exit with 3"
    ),
    Flag.optional
  )
}

/**
 * The values of {@link flags}.
 *
 * @example
 * ```ts
 * import { Option } from "effect"
 * import type * as CliMfa from "../src/cli/mfa.js"
 *
 * const later: CliMfa.Flags = { token: Option.none(), saveChallenge: Option.some("challenge.json") }
 * ```
 *
 * @since 1.1.0
 * @category flags
 */
export interface Flags {
  readonly token: Option.Option<string>
  readonly saveChallenge: Option.Option<string>
}

// Tokens asked for on a terminal before giving up (Mfa.answer's default).
const maxRounds = 3

const expectsInput = (challenge: MfaChallenge.MfaChallenge): boolean =>
  challenge.token_generation_data?.expects_user_input !== false

/** The challenge as a person reads it, on stderr. */
const show = (challenge: MfaChallenge.MfaChallenge, attempt: number) =>
  Effect.gen(function* () {
    const data = challenge.token_generation_data
    const left = Duration.seconds(Math.round(Duration.toSeconds(yield* MfaChallenge.remaining(challenge))))
    const lines = [
      attempt === 1
        ? `The institution asks for MFA on link ${challenge.link}.`
        : `The token was not accepted; the institution asks again (attempt ${attempt}).`,
      ...(data?.instructions === undefined ? [] : [`  ${data.instructions}`]),
      ...(data?.value === undefined
        ? []
        : [`  Code: ${data.value}${data.type === undefined ? "" : ` (${data.type})`}`]),
      `  Expires in ${Duration.format(left)}, at ${DateTime.formatIso(challenge.expiresAt)}`
    ]
    // The instructions and the code come from the institution: shown, never interpreted.
    yield* Console.error(printable(lines.join("\n"), true))
  })

/** Asks a person for the token (or for Enter, when the institution expects no input). */
const ask = (
  challenge: MfaChallenge.MfaChallenge,
  attempt: number
): Effect.Effect<Mfa.Token, Terminal.QuitError, Prompt.Environment> =>
  Effect.andThen(show(challenge, attempt), () =>
    expectsInput(challenge)
      ? Prompt.run(
          Prompt.String({
            message: "Token",
            validate: (text) =>
              text.trim() === ""
                ? Effect.fail("Type the token, or Ctrl-C to stop")
                : Effect.succeed(text.trim())
          })
        )
      : Effect.as(Prompt.run(Prompt.String({ message: "Press Enter once done" })), undefined)
  )

/**
 * Stores the challenge in `path` (readable by its owner only: its session can be resumed) and
 * fails with `ChallengeSaved`, after saying how to finish it.
 *
 * @example
 * ```ts
 * import type { MfaChallenge } from "effect-belvo"
 * import * as CliMfa from "../src/cli/mfa.js"
 *
 * declare const challenge: MfaChallenge.MfaChallenge
 * const saved = CliMfa.save(challenge, "challenge.json")
 * ```
 *
 * @since 1.1.0
 * @category challenges
 */
export const save = (
  challenge: MfaChallenge.MfaChallenge,
  path: string
): Effect.Effect<never, ChallengeSaved | UsageError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const json = yield* MfaChallenge.toJson(challenge)
    yield* fs
      .writeFileString(path, `${json}\n`, { mode: 0o600 })
      .pipe(
        Effect.mapError(
          (error) => new UsageError({ message: `Cannot write ${displayPath(path)}: ${error.message}` })
        )
      )
    yield* Console.error(
      [
        `MFA challenge saved to ${displayPath(path)}; it expires at ${DateTime.formatIso(challenge.expiresAt)}.`,
        `Finish it with: effect-belvo balances resume --challenge ${displayPath(path)}`,
        expectsInput(challenge)
          ? "(it asks for the token on a terminal; or add --token TOKEN)"
          : "(the institution expects no token: run it once the access is confirmed)"
      ].join("\n")
    )
    return yield* new ChallengeSaved({ path })
  })

/**
 * Reads a challenge stored by `--save-challenge`; a file that is not one is a `UsageError`.
 *
 * @example
 * ```ts
 * import * as CliMfa from "../src/cli/mfa.js"
 *
 * const challenge = CliMfa.load("challenge.json")
 * ```
 *
 * @since 1.1.0
 * @category challenges
 */
export const load = (
  path: string
): Effect.Effect<MfaChallenge.MfaChallenge, UsageError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(path)
    return yield* MfaChallenge.fromJson(text)
  }).pipe(
    Effect.mapError(
      (error) =>
        new UsageError({
          message: `${path} is not an MFA challenge saved by --save-challenge: ${error.message}`
        })
    )
  )

type TokenRequired = { readonly _tag: "TokenRequired"; readonly challenge: MfaChallenge.MfaChallenge }

const isTokenRequired = <E>(error: E): error is Extract<E, TokenRequired> =>
  Predicate.isTagged(error, "TokenRequired") && Predicate.hasProperty(error, "challenge")

/**
 * Answers the MFA challenges of a retrieve (or resume) as the flags and the terminal allow:
 * `--token` for the first round, then a prompt on a terminal (three rounds in all); a challenge
 * left unanswered is saved with `--save-challenge`, or fails as the `TokenRequired` it is.
 * `answered` counts the rounds already answered (a resume's first token).
 *
 * @example
 * ```ts
 * import { Option } from "effect"
 * import { Balances } from "effect-belvo"
 * import * as CliMfa from "../src/cli/mfa.js"
 *
 * const retrieval = Balances.retrieve({ link: "30cb4806-6e00-48a4-91c9-ca55968576c8" }).pipe(
 *   CliMfa.answer({ token: Option.none(), saveChallenge: Option.some("challenge.json") })
 * )
 * ```
 *
 * @since 1.1.0
 * @category challenges
 */
export const answer =
  (flags: Flags, answered = 0) =>
  <A, E, R>(retrieval: Effect.Effect<Balances.Retrieval<A>, E, R>) =>
    Effect.gen(function* () {
      const interactive = yield* Terminals.interactive
      const rounds: Effect.Effect<
        Balances.Retrieval<A>,
        E | Balances.ResumeError | Terminal.QuitError,
        R | BelvoClient.BelvoClient | Prompt.Environment
      > = interactive || Option.isSome(flags.token)
        ? retrieval.pipe(
            Mfa.answer(
              (challenge, attempt) =>
                attempt === 1 && Option.isSome(flags.token)
                  ? Effect.succeed(flags.token.value)
                  : ask(challenge, answered + attempt),
              // Off a terminal only `--token` answers: one round.
              { maxAttempts: interactive ? Math.max(1, maxRounds - answered) : 1 }
            )
          )
        : retrieval
      return yield* rounds.pipe(
        Effect.catchIf(isTokenRequired, (error) =>
          Option.isSome(flags.saveChallenge)
            ? save(error.challenge, flags.saveChallenge.value)
            : Effect.fail<typeof error | ChallengeSaved | UsageError>(error)
        )
      )
    })

/**
 * The token for the first round of `balances resume`: `--token`, else a prompt on a terminal,
 * else none when the institution expects no input (running the command is the go-ahead); a
 * challenge that needs a token off a terminal without `--token` is a `UsageError`.
 *
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import { Balances, type MfaChallenge } from "effect-belvo"
 * import * as CliMfa from "../src/cli/mfa.js"
 *
 * declare const challenge: MfaChallenge.MfaChallenge
 * const resumed = Effect.flatMap(CliMfa.firstToken(challenge, Option.none()), (token) => Balances.resume(challenge, token))
 * ```
 *
 * @since 1.1.0
 * @category challenges
 */
export const firstToken = (
  challenge: MfaChallenge.MfaChallenge,
  token: Option.Option<string>
): Effect.Effect<Mfa.Token, UsageError | Terminal.QuitError, Prompt.Environment | Stdio.Stdio> =>
  Effect.gen(function* () {
    if (Option.isSome(token)) return token.value
    if (yield* Terminals.interactive) return yield* ask(challenge, 1)
    if (!expectsInput(challenge)) return undefined
    return yield* new UsageError({
      message:
        "This challenge needs a token: pass --token TOKEN, or run the command on a terminal to be asked for it"
    })
  })
