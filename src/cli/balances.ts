/**
 * `effect-belvo balances …`: the four calls of the API as commands. `retrieve` (POST, fresh from
 * the institution, with MFA), `resume` (a challenge stored by `--save-challenge`), `get` (one
 * stored balance) and `list` (every stored balance of a link, every page, with every filter). Each
 * writes what `Balance.toJson` gives, in the format `--format` asks for.
 *
 * @since 1.1.0
 */
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Balance, type BalanceQuery, Balances } from "../index.js"
import * as Client from "./client.js"
import * as CliMfa from "./mfa.js"
import * as Output from "./output.js"
import * as Query from "./query.js"
import * as Terminals from "./terminal.js"

const link = Flag.String("link").pipe(Flag.withDescription("The link (its id)"))

/** On a terminal, what a retrieval did, on stderr: stdout has the balances. */
const summary = (retrieval: Balances.Retrieval<unknown>) =>
  Effect.flatMap(Terminals.streams, (streams) =>
    streams.stderr
      ? Console.error(
          `${retrieval.balances.length} ${retrieval.balances.length === 1 ? "balance" : "balances"} retrieved, ${
            retrieval.saved ? "stored by Belvo (201)" : "not stored (200)"
          }${retrieval.requestId === null ? "" : `, request ${retrieval.requestId}`}`
        )
      : Effect.void
  )

const writeRetrieval = (
  output: Output.Output,
  retrieval: Balances.Retrieval<Partial<Balance.Balance>>,
  projection: BalanceQuery.Projection
) =>
  Effect.andThen(
    output.many(Stream.fromIterable(retrieval.balances.map(Balance.toJson)), projection),
    summary(retrieval)
  )

const retrieve = Command.make(
  "retrieve",
  {
    link,
    account: Flag.String("account").pipe(Flag.withDescription("Only this account (its id)"), Flag.optional),
    noSave: Flag.Boolean("no-save").pipe(
      Flag.withDescription("Do not store the balances at Belvo (answered 200 instead of 201)"),
      Flag.withoutNegation,
      Flag.withDefault(false)
    ),
    ...Query.projectionFlags,
    ...CliMfa.flags,
    ...Output.flags
  },
  Effect.fn("cli.balances.retrieve")(function* (input) {
    const output = yield* Output.open(input)
    const projection = Query.projection(input)
    const retrieval = yield* Client.provide(
      Balances.retrieve({
        link: input.link,
        ...Option.match(input.account, { onNone: () => ({}), onSome: (account_id) => ({ account_id }) }),
        save_data: !input.noSave,
        ...projection
      }).pipe(CliMfa.answer(input))
    )
    yield* writeRetrieval(output, retrieval, projection)
  }, Effect.scoped)
).pipe(
  Command.withDescription(
    "Retrieve the current balances of a link from the institution (POST). Belvo stores them unless --no-save; " +
      "an MFA challenge is asked for on a terminal, answered by --token, or stored by --save-challenge (exit 3)."
  ),
  Command.withShortDescription("Fresh balances from the institution (POST), with MFA")
)

const resume = Command.make(
  "resume",
  {
    challenge: Flag.File("challenge", { mustExist: true }).pipe(
      Flag.withDescription("The challenge --save-challenge stored")
    ),
    ...CliMfa.flags,
    ...Output.flags
  },
  Effect.fn("cli.balances.resume")(function* (input) {
    const output = yield* Output.open(input)
    const challenge = yield* CliMfa.load(input.challenge)
    const token = yield* CliMfa.firstToken(challenge, input.token)
    const retrieval = yield* Client.provide(
      Balances.resume(challenge, token).pipe(CliMfa.answer({ ...input, token: Option.none() }, 1))
    )
    yield* writeRetrieval(output, retrieval, {
      ...(challenge.fields === undefined ? {} : { fields: challenge.fields }),
      ...(challenge.omit === undefined ? {} : { omit: challenge.omit })
    })
  }, Effect.scoped)
).pipe(
  Command.withDescription(
    "Finish a retrieve paused by MFA, from the challenge --save-challenge stored: with --token, " +
      "or asked for on a terminal, or none when the institution expects no input (PATCH)."
  ),
  Command.withShortDescription("Finish a retrieve paused by MFA (PATCH)")
)

const get = Command.make(
  "get",
  {
    id: Argument.String("id").pipe(Argument.withDescription("The balance's id")),
    ...Query.projectionFlags,
    ...Output.flags
  },
  Effect.fn("cli.balances.get")(function* (input) {
    const output = yield* Output.open(input)
    const projection = Query.projection(input)
    const balance = yield* Client.provide(Balances.get(input.id, projection))
    yield* output.single(Balance.toJson(balance), projection)
  }, Effect.scoped)
).pipe(
  Command.withDescription("Get one stored balance by id (GET)."),
  Command.withShortDescription("One stored balance (GET)")
)

const list = Command.make(
  "list",
  {
    link,
    filters: Query.filterFlags,
    ...Query.projectionFlags,
    concurrency: Flag.Int("concurrency").pipe(
      Flag.withDescription(
        `Pages fetched at once, 1 to 64 (default ${Balances.defaultConcurrency}); 1 follows Belvo's next links`
      ),
      Flag.optional
    ),
    ...Output.flags
  },
  Effect.fn("cli.balances.list")(function* (input) {
    const output = yield* Output.open(input)
    const query = Query.listQuery(input.link, input.filters, input)
    const options = Option.match(input.concurrency, {
      onNone: () => ({}),
      onSome: (concurrency) => ({ concurrency })
    })
    yield* Client.provide(
      output.many(Balances.list(query, options).pipe(Stream.map(Balance.toJson)), query, { progress: true })
    )
  }, Effect.scoped)
).pipe(
  Command.withDescription(
    "List every stored balance of a link (GET), every page, in order, with any of Belvo's filters. " +
      "On a terminal, with the output in a file or a pipe, stderr shows the progress."
  ),
  Command.withShortDescription("Every stored balance of a link, every page (GET)")
)

/**
 * `effect-belvo balances` and its subcommands.
 *
 * @example
 * ```ts
 * import { Command } from "effect/cli"
 * import * as CliBalances from "../src/cli/balances.js"
 * import * as Client from "../src/cli/client.js"
 *
 * const app = Client.root.pipe(Command.withSubcommands([CliBalances.command]))
 * ```
 *
 * @since 1.1.0
 * @category commands
 */
export const command = Command.make("balances").pipe(
  Command.withSubcommands([retrieve, resume, get, list]),
  Command.withDescription("Balances: retrieve fresh ones (with MFA), list and get stored ones."),
  Command.withShortDescription("Retrieve, resume, get and list balances")
)
