/**
 * How a command ends: its exit code, and what it says on stderr (never on stdout, which carries
 * data only). 0 success; 1 an API or network error, its tag and message; 2 a usage, input or setup
 * error, found before anything was sent; 3 an MFA challenge saved for later; 130 interrupted.
 * Messages may quote a server, so their control characters are shown, not sent to the terminal.
 * Usage errors are `effect/cli`'s, printed without the whole help text, with the command to run for
 * it and, for a flag written as Belvo's wire name (`--page_size`), the flag meant.
 *
 * @since 1.1.0
 */
import * as Cause from "effect/Cause"
import * as CliError from "effect/cli/CliError"
import * as CliOutput from "effect/cli/CliOutput"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import { isAbsolute, relative } from "node:path"
import { printable } from "./format.js"

/**
 * The exit codes, as docs/cli.md lists them.
 *
 * @example
 * ```ts
 * import * as Errors from "../src/cli/errors.js"
 *
 * console.log(Errors.exitCodes.challengeSaved) // 3
 * ```
 *
 * @since 1.1.0
 * @category exit codes
 */
export const exitCodes = {
  success: 0,
  failure: 1,
  usage: 2,
  challengeSaved: 3,
  interrupted: 130
} as const

/**
 * The command was used in a way it cannot work, found before anything was sent (exit 2).
 *
 * @example
 * ```ts
 * import * as Errors from "../src/cli/errors.js"
 *
 * const error = new Errors.UsageError({ message: "challenge.json is not a saved MFA challenge" })
 * ```
 *
 * @since 1.1.0
 * @category errors
 */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/**
 * An MFA challenge was stored for `balances resume` (exit 3); what to do next is already said.
 *
 * @example
 * ```ts
 * import * as Errors from "../src/cli/errors.js"
 *
 * const saved = new Errors.ChallengeSaved({ path: "challenge.json" })
 * ```
 *
 * @since 1.1.0
 * @category errors
 */
export class ChallengeSaved extends Data.TaggedError("ChallengeSaved")<{ readonly path: string }> {}

/**
 * The reader of stdout went away (`| head`): the command stops quietly, with 0.
 *
 * @example
 * ```ts
 * import * as Errors from "../src/cli/errors.js"
 *
 * const closed = new Errors.OutputClosed()
 * ```
 *
 * @since 1.1.0
 * @category errors
 */
export class OutputClosed extends Data.TaggedError("OutputClosed")<{}> {}

// Tags of the library's errors that are about the input, found before a request was sent.
const INPUT_TAGS: ReadonlySet<string> = new Set(["InvalidQuery", "ConfigError", "UsageError"])

// What to do about an error a user meets on a first run.
const HINTS: Readonly<Record<string, string>> = {
  TokenRequired:
    "Answer it on a terminal, with --token TOKEN, or store it with --save-challenge FILE and finish with `effect-belvo balances resume --challenge FILE`.",
  AuthenticationFailed:
    "Check BELVO_SECRET_ID and BELVO_SECRET_PASSWORD (and BELVO_ENVIRONMENT or BELVO_BASE_URL)."
}

const messageOf = (error: object): string => {
  // A ConfigError's message is its cause's `toString` ("SourceError: …"): the cause's message is the text.
  if (
    Predicate.isTagged(error, "ConfigError") &&
    "cause" in error &&
    Predicate.hasProperty(error.cause, "message")
  ) {
    return String(error.cause.message)
  }
  return "message" in error ? String(error.message) : String(error)
}

/** The exit code of a failure, after saying on stderr what it was. */
const fail = (error: unknown): Effect.Effect<number> => {
  if (CliError.isCliError(error)) {
    // ShowHelp was presented already (help text, or the usage errors); any other is a usage error.
    if (error._tag === "ShowHelp")
      return Effect.succeed(error.errors.length > 0 ? exitCodes.usage : exitCodes.success)
    return Effect.as(Console.error(error.message), exitCodes.usage)
  }
  if (!Predicate.hasProperty(error, "_tag") || typeof error._tag !== "string") {
    return Effect.as(Console.error(`Unexpected error: ${String(error)}`), exitCodes.failure)
  }
  const tag = error._tag
  if (tag === "ChallengeSaved") return Effect.succeed(exitCodes.challengeSaved)
  if (tag === "OutputClosed") return Effect.succeed(exitCodes.success)
  // A message may quote what a server sent: shown without its control characters.
  const text = printable(tag === "UsageError" ? messageOf(error) : `${tag}: ${messageOf(error)}`, true)
  const hint = HINTS[tag]
  return Effect.as(
    Console.error(hint === undefined ? text : `${text}\n${hint}`),
    INPUT_TAGS.has(tag) ? exitCodes.usage : exitCodes.failure
  )
}

/**
 * The exit code of a command's end, after saying on stderr what went wrong.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Errors from "../src/cli/errors.js"
 *
 * declare const command: Effect.Effect<void, unknown>
 * const code = command.pipe(Effect.as(0), Effect.catchCause(Errors.report))
 * ```
 *
 * @since 1.1.0
 * @category exit codes
 */
export const report = (cause: Cause.Cause<unknown>): Effect.Effect<number> => {
  if (Cause.hasInterruptsOnly(cause)) return Effect.succeed(exitCodes.interrupted)
  const error = Cause.findErrorOption(cause)
  if (error._tag === "Some") return fail(error.value)
  return Effect.as(Console.error(`Unexpected error: ${Cause.pretty(cause)}`), exitCodes.failure)
}

/**
 * A path as a message shows it: relative to the working directory when it is inside it (file flags
 * arrive resolved to absolute paths).
 *
 * @example
 * ```ts
 * import * as Errors from "../src/cli/errors.js"
 *
 * console.log(Errors.displayPath(`${process.cwd()}/challenge.json`)) // "challenge.json"
 * ```
 *
 * @since 1.1.0
 * @category messages
 */
export const displayPath = (path: string): string => {
  const inside = relative(process.cwd(), path)
  return inside !== "" && !inside.startsWith("..") && !isAbsolute(inside) ? inside : path
}

/** Lower case, letters and digits only: `page_size`, `pageSize` and `page-size` read the same. */
const normalize = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, "")

/**
 * The flag an unknown one means when they differ only in case and separators: `--page_size` and
 * `--pageSize` for `--page-size`, `--collected_at__gte` (Belvo's wire name) for
 * `--collected-at-gte`. Near misses (`--colected-at-gte`) get `effect/cli`'s own suggestions.
 *
 * @example
 * ```ts
 * import * as Errors from "../src/cli/errors.js"
 *
 * console.log(Errors.sameFlag("--collected_at__gte", ["link", "collected-at-gte"])) // "--collected-at-gte"
 * ```
 *
 * @since 1.1.0
 * @category usage
 */
export const sameFlag = (option: string, known: ReadonlyArray<string>): string | undefined => {
  const wanted = normalize(option)
  const match = known.find((name) => normalize(name) === wanted)
  return match === undefined ? undefined : `--${match}`
}

const withSameFlag = (
  error: CliError.NonShowHelpErrors,
  known: ReadonlyArray<string>
): CliError.NonShowHelpErrors => {
  if (error._tag !== "UnrecognizedOption" || error.suggestions.length > 0) return error
  const same = sameFlag(error.option, known)
  return same === undefined ? error : new CliError.UnrecognizedOption({ ...error, suggestions: [same] })
}

/**
 * `effect/cli`'s presenter, except for usage errors: those go to stderr alone (each error, then
 * the `--help` to run), so a mistyped command never writes its help text into a pipe or a file.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { CliOutput } from "effect/cli"
 * import * as Errors from "../src/cli/errors.js"
 *
 * declare const run: Effect.Effect<void>
 * const program = run.pipe(Effect.provideService(CliOutput.Presenter, Errors.presenter))
 * ```
 *
 * @since 1.1.0
 * @category usage
 */
export const presenter: CliOutput.Presenter = {
  present: (event) => {
    if (event._tag !== "InvalidInvocation") return CliOutput.defaultPresenter.present(event)
    const known = [...event.helpDoc.flags, ...(event.helpDoc.inheritedFlags ?? [])].map((flag) => flag.name)
    const errors = event.errors.map((error) => withSameFlag(error, known))
    return Console.error(
      `${errors.map((error) => error.message).join("\n")}\nRun '${event.commandPath.join(" ")} --help' for usage.`
    )
  }
}
