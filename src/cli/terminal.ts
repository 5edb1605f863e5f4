/**
 * Where a person is: which of stdin, stdout and stderr are terminals, and a `Terminal` that draws
 * prompts on stderr. stdout carries data only, so `balances retrieve --format csv > out.csv` still
 * asks for an MFA token on the terminal, and the prompt never lands in the file.
 *
 * @since 1.1.0
 */
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as PlatformError from "effect/PlatformError"
import * as Stdio from "effect/Stdio"
import * as Terminal from "effect/Terminal"

/**
 * Which standard streams are terminals.
 *
 * @example
 * ```ts
 * import type * as Terminals from "../src/cli/terminal.js"
 *
 * // A person can answer a prompt drawn on stderr.
 * const canAsk = (streams: Terminals.Streams): boolean => streams.stdin && streams.stderr
 * ```
 *
 * @since 1.1.0
 * @category models
 */
export interface Streams {
  readonly stdin: boolean
  readonly stdout: boolean
  readonly stderr: boolean
}

/**
 * Reads which standard streams are terminals.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Terminals from "../src/cli/terminal.js"
 *
 * const interactive = Effect.map(Terminals.streams, (streams) => streams.stdin && streams.stderr)
 * ```
 *
 * @since 1.1.0
 * @category accessors
 */
export const streams: Effect.Effect<Streams, never, Stdio.Stdio> = Effect.gen(function* () {
  const stdio = yield* Stdio.Stdio
  return {
    stdin: yield* stdio.stdinIsTerminal,
    stdout: yield* stdio.stdoutIsTerminal,
    stderr: yield* stdio.stderrIsTerminal
  }
})

/**
 * Whether a person can answer a prompt: stdin and stderr (where prompts are drawn) are terminals.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Terminals from "../src/cli/terminal.js"
 *
 * const program = Effect.flatMap(Terminals.interactive, (yes) => Effect.log(yes ? "asking" : "not asking"))
 * ```
 *
 * @since 1.1.0
 * @category accessors
 */
export const interactive: Effect.Effect<boolean, never, Stdio.Stdio> = Effect.map(
  streams,
  (s) => s.stdin && s.stderr
)

const writeStderr = (text: string): Effect.Effect<void, PlatformError.PlatformError> =>
  Effect.callback<void, PlatformError.PlatformError>((resume) => {
    process.stderr.write(text, (error) =>
      resume(
        error
          ? Effect.fail(
              PlatformError.badArgument({
                module: "Terminal",
                method: "display",
                description: "Failed to write to stderr",
                cause: error
              })
            )
          : Effect.void
      )
    )
  })

/**
 * Node's terminal (keys read from stdin), drawing on stderr and sized by it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Prompt } from "effect/cli"
 * import * as Terminals from "../src/cli/terminal.js"
 *
 * const token = Prompt.run(Prompt.String({ message: "Token" })).pipe(Effect.provide(Terminals.layer))
 * ```
 *
 * @since 1.1.0
 * @category layers
 */
export const layer: Layer.Layer<Terminal.Terminal> = Layer.effect(
  Terminal.Terminal,
  Effect.map(NodeTerminal.make(), (node) =>
    Terminal.make({
      columns: Effect.sync(() => process.stderr.columns ?? 0),
      rows: Effect.sync(() => process.stderr.rows ?? 0),
      size: node.size,
      readInput: node.readInput,
      readLine: node.readLine,
      display: writeStderr
    })
  )
)
