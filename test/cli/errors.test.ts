/**
 * How a command ends (src/cli/errors.ts) and how a listing's progress reads (src/cli/progress.ts):
 * each kind of failure gets its documented exit code and its tag and message on stderr (never
 * stdout); a flag written as a wire name is pointed at its flag; progress lines are throttled by
 * the clock and say how the listing ended.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as CliError from "effect/cli/CliError"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { TestClock, TestConsole } from "effect/testing"
import * as Errors from "../../src/cli/errors.js"
import * as Progress from "../../src/cli/progress.js"
import * as BelvoClient from "../../src/BelvoClient.js"
import * as BelvoError from "../../src/BelvoError.js"

const reported = (cause: Cause.Cause<unknown>) =>
  Effect.gen(function* () {
    const code = yield* Errors.report(cause)
    return { code, stderr: (yield* TestConsole.errorLines).join("\n"), stdout: yield* TestConsole.logLines }
  })

const configError = Effect.gen(function* () {
  const exit = yield* Effect.exit(
    Effect.provide(Effect.asVoid(BelvoClient.config), ConfigProvider.layer(ConfigProvider.fromUnknown({})))
  )
  assert.isTrue(Exit.isFailure(exit))
  return Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
})

describe("exit codes", () => {
  it.effect("an API error: 1, its tag and message", () =>
    Effect.gen(function* () {
      // Tagged as the library tags it: the command reads `_tag` and `message` only.
      const error = {
        _tag: "NotFound",
        message: "404 not_found: Not found (GET /api/br/balances/x/, request_id r1)"
      }
      const { code, stderr, stdout } = yield* reported(Cause.fail(error))
      assert.strictEqual(code, Errors.exitCodes.failure)
      assert.strictEqual(stderr, `NotFound: ${error.message}`)
      assert.deepStrictEqual(stdout, [])
    })
  )

  it.effect("an invalid query, a configuration error, a usage error: 2; the configuration's own text", () =>
    Effect.gen(function* () {
      const invalid = new BelvoError.InvalidQuery({
        field: "page_size",
        value: 5000,
        reason: "must be an integer from 1 to 1000"
      })
      assert.strictEqual((yield* reported(Cause.fail(invalid))).code, 2)
      const config = yield* configError
      const { code, stderr } = yield* reported(Cause.fail(config))
      assert.strictEqual(code, 2)
      assert.instanceOf(config, Config.ConfigError)
      // The text is BelvoClient.config's, without the "SourceError: " of ConfigError's message.
      assert.strictEqual(
        stderr.split("\n").at(-1),
        `ConfigError: ${(config as Config.ConfigError).cause.message}`
      )
      assert.include(stderr, "BELVO_SECRET_ID")
      const usage = yield* reported(Cause.fail(new Errors.UsageError({ message: "no such file" })))
      assert.strictEqual(usage.code, 2)
    })
  )

  it.effect("a saved challenge 3, a closed stdout 0, Ctrl-C 130, a defect 1", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* reported(Cause.fail(new Errors.ChallengeSaved({ path: "c.json" })))).code, 3)
      assert.strictEqual((yield* reported(Cause.fail(new Errors.OutputClosed()))).code, 0)
      assert.strictEqual((yield* reported(Cause.interrupt())).code, 130)
      const defect = yield* reported(Cause.die(new Error("boom")))
      assert.strictEqual(defect.code, 1)
      assert.include(defect.stderr, "boom")
    })
  )

  it.effect("effect/cli's usage errors are 2; its help, asked for or shown for no subcommand, 0", () =>
    Effect.gen(function* () {
      const missing = new CliError.MissingOption({ option: "link" })
      const help = (errors: ReadonlyArray<CliError.NonShowHelpErrors>) =>
        Cause.fail(new CliError.ShowHelp({ commandPath: ["effect-belvo"], errors }))
      assert.strictEqual((yield* reported(help([missing]))).code, 2)
      assert.strictEqual((yield* reported(help([]))).code, 0)
    })
  )

  it.effect("a server's control characters in a message are shown, not sent to the terminal", () =>
    Effect.gen(function* () {
      const error = new BelvoError.TransportError({
        message: "reset\u001b[2J\nby peer",
        method: "GET",
        path: "/",
        sent: true
      })
      const { stderr } = yield* reported(Cause.fail(error))
      assert.strictEqual(stderr, "TransportError: reset\\x1b[2J\nby peer")
    })
  )
})

describe("usage", () => {
  it("a flag written as Belvo's wire name, or in camel case, is pointed at the flag it means", () => {
    const known = ["link", "page-size", "collected-at-gte", "collected-at-gt"]
    assert.strictEqual(Errors.sameFlag("--collected_at__gte", known), "--collected-at-gte")
    assert.strictEqual(Errors.sameFlag("--pageSize", known), "--page-size")
    assert.strictEqual(Errors.sameFlag("--PAGE_SIZE", known), "--page-size")
    assert.isUndefined(Errors.sameFlag("--colected-at-gte", known))
  })

  it.effect("usage errors go to stderr with the help command to run, nothing to stdout", () =>
    Effect.gen(function* () {
      yield* Errors.presenter.present({
        _tag: "InvalidInvocation",
        commandPath: ["effect-belvo", "balances", "list"],
        helpDoc: {
          description: "",
          usage: "",
          flags: [
            {
              name: "collected-at-gte",
              aliases: [],
              type: "string",
              description: { _tag: "None" } as never,
              required: false
            }
          ],
          annotations: undefined as never
        },
        errors: [new CliError.UnrecognizedOption({ option: "--collected_at__gte", suggestions: [] })]
      })
      assert.deepStrictEqual(yield* TestConsole.logLines, [])
      const stderr = (yield* TestConsole.errorLines).join("\n")
      assert.include(stderr, "Unrecognized flag: --collected_at__gte")
      assert.include(stderr, "--collected-at-gte")
      assert.include(stderr, "Run 'effect-belvo balances list --help' for usage.")
    })
  )
})

describe("progress", () => {
  it.effect("redrawn at most every 100 ms, then one line saying how the listing ended", () =>
    Effect.gen(function* () {
      const drawn: Array<string> = []
      const progress = yield* Progress.make((text) => Effect.sync(() => void drawn.push(text)))
      yield* progress.page(1000)
      yield* TestClock.adjust("50 millis")
      yield* progress.page(1000) // too soon: not drawn
      yield* TestClock.adjust("50 millis")
      yield* progress.page(500)
      yield* TestClock.adjust("900 millis")
      yield* progress.end("done")
      assert.deepStrictEqual(drawn, [
        "\r\u001b[2KListing: 1,000 balances, 1 page",
        "\r\u001b[2KListing: 2,500 balances, 3 pages, 25,000 a second",
        "\r\u001b[2KListed 2,500 balances in 3 pages in 1.0 s, 2,500 a second\n"
      ])
    })
  )

  it.effect("an interrupted listing says so; a failed one clears the line for the error", () =>
    Effect.gen(function* () {
      const drawn: Array<string> = []
      const progress = yield* Progress.make((text) => Effect.sync(() => void drawn.push(text)))
      yield* progress.page(1)
      yield* TestClock.adjust("2 seconds")
      yield* progress.end("interrupted")
      yield* progress.end("failed")
      assert.deepStrictEqual(drawn.slice(1), [
        "\r\u001b[2KInterrupted after 1 balance in 1 page (2.0 s)\n",
        "\r\u001b[2K"
      ])
    })
  )
})
