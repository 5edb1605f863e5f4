/**
 * The `effect-belvo` command line: the command tree, the services it runs with on Node, and the
 * exit code it ends with. `bin.ts` calls {@link main} once it has checked that Node and the peer
 * dependencies can run it.
 *
 * @since 1.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Cause from "effect/Cause"
import * as CliConfig from "effect/cli/CliConfig"
import * as CliOutput from "effect/cli/CliOutput"
import * as Command from "effect/cli/Command"
import * as GlobalFlag from "effect/cli/GlobalFlag"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type * as Runtime from "effect/Runtime"
import * as CliBalances from "./balances.js"
import * as Client from "./client.js"
import * as Errors from "./errors.js"
import * as CliSandbox from "./sandbox.js"
import * as Terminals from "./terminal.js"

/**
 * `effect-belvo` and every command under it.
 *
 * @example
 * ```ts
 * import { Completions } from "effect/cli"
 * import * as Cli from "../src/cli/main.js"
 *
 * const script = Completions.generate("effect-belvo", "bash", Completions.fromCommand(Cli.command))
 * ```
 *
 * @since 1.1.0
 * @category commands
 */
export const command = Client.root.pipe(Command.withSubcommands([CliBalances.command, CliSandbox.command]))

// effect/cli's global flags but the wizard: --help, --version, --completions, --log-level.
const builtIns = GlobalFlag.BuiltIns.filter((flag) => flag !== GlobalFlag.Wizard)

/**
 * The services a run needs on Node: Node's, with prompts drawn on stderr.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Cli from "../src/cli/main.js"
 *
 * const program = Cli.run(["--help"], "1.0.0").pipe(Effect.provide(Cli.layer))
 * ```
 *
 * @since 1.1.0
 * @category layers
 */
export const layer = Layer.merge(NodeServices.layer, Terminals.layer)

/**
 * Runs the command line on `args` and gives the exit code, having said on stderr what went wrong.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Cli from "../src/cli/main.js"
 *
 * const code = Cli.run(["balances", "get", "--help"], "1.0.0").pipe(Effect.provide(Cli.layer))
 * ```
 *
 * @since 1.1.0
 * @category running
 */
export const run = (args: ReadonlyArray<string>, version: string) =>
  Command.runWith(command, { version })(args).pipe(
    Effect.provideService(CliOutput.Presenter, Errors.presenter),
    Effect.provideService(CliConfig.CliConfig, CliConfig.make({ builtIns })),
    // Logs (--log-level debug) go to stderr: stdout carries data only.
    Effect.provideService(Logger.LogToStderr, true),
    Effect.as(Errors.exitCodes.success as number),
    Effect.catchCause(Errors.report)
  )

// Exits with the run's code once stdout and stderr have handed their last bytes on (a pipe on some
// systems is written asynchronously, and process.exit would cut it).
const teardown: Runtime.Teardown = (exit, onExit) => {
  const code = Exit.isSuccess(exit)
    ? Number(exit.value)
    : Cause.hasInterruptsOnly(exit.cause)
      ? Errors.exitCodes.interrupted
      : Errors.exitCodes.failure
  process.exitCode = code
  process.stdout.write("", () => process.stderr.write("", () => onExit(code)))
}

/**
 * Runs the command line on the process's arguments, and exits with its code.
 *
 * @example
 * ```ts
 * import * as Cli from "../src/cli/main.js"
 *
 * Cli.main("1.0.0")
 * ```
 *
 * @since 1.1.0
 * @category running
 */
export const main = (version: string): void => {
  // A reader of stdout that goes away (`| head`) fails the writes through their callbacks, where
  // the output reports it; Node also emits it as an 'error' event, which must not crash the process.
  process.stdout.on("error", () => {})
  NodeRuntime.runMain(run(process.argv.slice(2), version).pipe(Effect.provide(layer)), {
    disableErrorReporting: true,
    teardown
  })
}
