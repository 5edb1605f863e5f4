/**
 * Where a command's data goes, and in which format: stdout or the `--out` file, opened before any
 * request so a path that cannot be written fails first (exit 2). The format is `--format`'s, else
 * the one `--out`'s extension names, else a table on a terminal and NDJSON anywhere else. Rows are
 * written a page at a time, each write whole even when Ctrl-C arrives during it, and a listing's
 * end (a JSON array's closing bracket) is written whether it ends, fails or is interrupted.
 *
 * @since 1.1.0
 */
import * as Cause from "effect/Cause"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Stdio from "effect/Stdio"
import * as Stream from "effect/Stream"
import { type BalanceQuery, BalanceQuery as Query } from "../index.js"
import { displayPath, OutputClosed, UsageError } from "./errors.js"
import * as Format from "./format.js"
import * as Progress from "./progress.js"
import * as Terminals from "./terminal.js"

/**
 * `--format` and `--out`.
 *
 * @example
 * ```ts
 * import * as Command from "effect/cli/Command"
 * import * as Output from "../src/cli/output.js"
 *
 * const get = Command.make("get", { ...Output.flags })
 * ```
 *
 * @since 1.1.0
 * @category flags
 */
export const flags = {
  format: Flag.Literals("format", Format.formats).pipe(
    Flag.withDescription(
      "table, json, ndjson or csv. Default: the one --out's extension names, else table on a terminal, ndjson otherwise"
    ),
    Flag.optional
  ),
  out: Flag.File("out").pipe(
    Flag.withDescription("Write to this file (replaced) instead of stdout"),
    Flag.optional
  )
}

/**
 * The values of {@link flags}.
 *
 * @example
 * ```ts
 * import { Option } from "effect"
 * import type * as Output from "../src/cli/output.js"
 *
 * const toFile: Output.Flags = { format: Option.none(), out: Option.some("balances.csv") }
 * ```
 *
 * @since 1.1.0
 * @category flags
 */
export interface Flags {
  readonly format: Option.Option<Format.Format>
  readonly out: Option.Option<string>
}

const EXTENSIONS: Readonly<Record<string, Format.Format>> = {
  csv: "csv",
  json: "json",
  ndjson: "ndjson",
  jsonl: "ndjson"
}

/**
 * The format of an output: `--format`, else `--out`'s extension (`.csv`, `.json`, `.ndjson`,
 * `.jsonl`), else a table on a terminal and NDJSON elsewhere.
 *
 * @example
 * ```ts
 * import { Option } from "effect"
 * import * as Output from "../src/cli/output.js"
 *
 * console.log(Output.formatOf({ format: Option.none(), out: Option.some("b.csv") }, false)) // "csv"
 * ```
 *
 * @since 1.1.0
 * @category formats
 */
export const formatOf = (flags: Flags, stdoutIsTerminal: boolean): Format.Format =>
  Option.getOrElse(flags.format, () =>
    Option.match(flags.out, {
      onNone: () => (stdoutIsTerminal ? "table" : "ndjson"),
      onSome: (path) => EXTENSIONS[/\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase() ?? ""] ?? "ndjson"
    })
  )

/**
 * The columns a table or CSV shows: `--fields` in the order given, else every field `--omit`
 * leaves, else every field (but {@link Format.tableOmits} in a table of many rows).
 *
 * @example
 * ```ts
 * import * as Output from "../src/cli/output.js"
 *
 * console.log(Output.columnsOf({ fields: ["available", "id"] }, "csv", "many")) // ["available", "id"]
 * ```
 *
 * @since 1.1.0
 * @category formats
 */
export const columnsOf = (
  projection: BalanceQuery.Projection,
  format: Format.Format,
  shape: "many" | "single"
): ReadonlyArray<string> =>
  projection.fields ??
  (projection.omit === undefined && format === "table" && shape === "many"
    ? Query.keptFields({ omit: Format.tableOmits })
    : Query.keptFields(projection))

/**
 * A write failed, other than stdout's reader going away.
 *
 * @example
 * ```ts
 * import type * as Output from "../src/cli/output.js"
 *
 * const describe = (error: Output.WriteError): string => error.message
 * ```
 *
 * @since 1.1.0
 * @category errors
 */
export interface WriteError {
  readonly _tag: "WriteError"
  readonly message: string
}

const writeError = (where: string, cause: unknown): WriteError => ({
  _tag: "WriteError",
  message: `cannot write to ${where}: ${cause instanceof Error ? cause.message : String(cause)}`
})

/**
 * An opened output.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import * as Output from "../src/cli/output.js"
 *
 * const write = (output: Output.Output) => output.many(Stream.make({ id: "a" }), { fields: ["id"] })
 * ```
 *
 * @since 1.1.0
 * @category models
 */
export interface Output {
  readonly format: Format.Format
  /**
   * Writes the rows, a chunk (a page of a listing) at a time; with `progress`, the progress line
   * goes to stderr where {@link open} found that it may. The number of rows written.
   */
  readonly many: <E, R>(
    rows: Stream.Stream<Format.Row, E, R>,
    projection: BalanceQuery.Projection,
    options?: { readonly progress?: boolean | undefined }
  ) => Effect.Effect<number, E | WriteError | OutputClosed, R>
  /** Writes one row. */
  readonly single: (
    row: Format.Row,
    projection: BalanceQuery.Projection
  ) => Effect.Effect<void, WriteError | OutputClosed>
}

const isEpipe = (cause: unknown): boolean =>
  typeof cause === "object" && cause !== null && "code" in cause && cause.code === "EPIPE"

/** Writes `text` to stdout and waits until Node has handed it on. */
const writeStdout = (text: string): Effect.Effect<void, WriteError | OutputClosed> =>
  text === ""
    ? Effect.void
    : Effect.callback<void, WriteError | OutputClosed>((resume) => {
        process.stdout.write(text, (error) =>
          resume(
            error === null || error === undefined
              ? Effect.void
              : Effect.fail(isEpipe(error) ? new OutputClosed() : writeError("stdout", error))
          )
        )
      })

const drawStderr = (text: string): Effect.Effect<void> => Effect.sync(() => void process.stderr.write(text))

/**
 * Opens the output of `flags`: the `--out` file is created (or emptied) now, so a path that cannot
 * be written fails with a `UsageError` before anything is sent.
 *
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import * as Output from "../src/cli/output.js"
 *
 * const output = Output.open({ format: Option.some("csv"), out: Option.none() })
 * ```
 *
 * @since 1.1.0
 * @category constructors
 */
export const open = (
  flags: Flags
): Effect.Effect<Output, UsageError, Scope.Scope | FileSystem.FileSystem | Stdio.Stdio> =>
  Effect.gen(function* () {
    const streams = yield* Terminals.streams
    const format = formatOf(flags, streams.stdout)
    let write: (text: string) => Effect.Effect<void, WriteError | OutputClosed> = writeStdout
    if (Option.isSome(flags.out)) {
      const path = flags.out.value
      const fs = yield* FileSystem.FileSystem
      const file = yield* fs
        .open(path, { flag: "w" })
        .pipe(
          Effect.mapError((error) => new UsageError({ message: `Cannot write ${path}: ${error.message}` }))
        )
      const encoder = new TextEncoder()
      write = (text) =>
        file
          .writeAll(encoder.encode(text))
          .pipe(Effect.mapError((error) => writeError(displayPath(path), error.message)))
    }
    // A write is never cut in half: Ctrl-C waits for the page being written.
    const whole = (text: string) => Effect.uninterruptible(write(text))
    // Progress only where it cannot mix with the data: stderr is a terminal, the data is not on it.
    const showProgress = streams.stderr && (Option.isSome(flags.out) || !streams.stdout)
    const output: Output = {
      format,
      single: (row, projection) => whole(Format.single(format, columnsOf(projection, format, "single"), row)),
      many: (rows, projection, options) =>
        Effect.gen(function* () {
          const writer = Format.writer(format, columnsOf(projection, format, "many"))
          const progress =
            options?.progress && showProgress ? yield* Progress.make(drawStderr) : Progress.none
          let written = 0
          yield* whole(writer.start)
          yield* Stream.runForEachArray(rows, (chunk) =>
            Effect.andThen(whole(writer.rows(chunk)), () => {
              written += chunk.length
              return progress.page(chunk.length)
            })
          ).pipe(
            Effect.onExit((exit) =>
              Effect.andThen(
                Effect.ignore(whole(writer.end())),
                progress.end(
                  Exit.isSuccess(exit)
                    ? "done"
                    : Cause.hasInterruptsOnly(exit.cause)
                      ? "interrupted"
                      : "failed"
                )
              )
            )
          )
          return written
        })
    }
    return output
  })
