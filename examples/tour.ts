/**
 * The tour `npm start` runs: every endpoint of effect-belvo against the embedded sandbox on
 * 127.0.0.1. It always uses the sandbox, whatever BELVO_* variables the shell exports: no Belvo
 * account is needed and nothing leaves the machine.
 *
 * `npm start -- --live` runs it against Belvo itself instead, configured by BELVO_SECRET_ID,
 * BELVO_SECRET_PASSWORD and BELVO_ENVIRONMENT (or BELVO_BASE_URL); BELVO_LINK_ID names the link to
 * use, BELVO_MFA_LINK_ID an MFA-protected one, and the MFA token is read from the terminal. The
 * tour says so before each call that makes Belvo store data.
 *
 * `npm start -- --scale` runs examples/scale.ts instead: many links synced as durable workflows
 * (effect-belvo/workflow), embedded, on the sandbox.
 */
import { createInterface } from "node:readline/promises"
import { NodeRuntime } from "@effect/platform-node"
import {
  BigDecimal,
  Config,
  ConfigProvider,
  Console,
  DateTime,
  Duration,
  Effect,
  Layer,
  Option,
  Redacted,
  Stream
} from "effect"
import { FetchHttpClient } from "effect/http"
import { type Balance, Balances, BelvoClient, Mfa, type MfaChallenge } from "../src/index.js"
import { SandboxModel, SandboxServer } from "../src/testing/index.js"
import * as Scale from "./scale.js"

/** Where the tour runs: the links it uses and how it answers an MFA challenge. */
interface Target {
  readonly live: boolean
  readonly client: Layer.Layer<BelvoClient.BelvoClient, unknown>
  readonly link: string
  readonly mfaLink: Option.Option<string>
  readonly largeLink: Option.Option<string>
  readonly foreignLink: Option.Option<string>
  /** The token for a challenge, or `undefined` to resume without one. */
  readonly answer: (challenge: MfaChallenge.MfaChallenge) => Effect.Effect<Mfa.Token>
}

/** The embedded sandbox: a real HTTP server on a random loopback port, seeded deterministically. */
const sandboxTarget = Effect.gen(function* () {
  const url = yield* SandboxServer.url
  return {
    live: false,
    // Explicit options only: nothing is read from the environment.
    client: BelvoClient.layer({
      baseUrl: url,
      secretId: Redacted.make(SandboxModel.defaultSecretId),
      secretPassword: Redacted.make(SandboxModel.defaultSecretPassword)
    }).pipe(Layer.provide(FetchHttpClient.layer)),
    link: SandboxModel.plainLinkId,
    mfaLink: Option.some(SandboxModel.mfaLinkId),
    largeLink: Option.some(SandboxModel.largeLinkId),
    foreignLink: Option.some(SandboxModel.otherLinkId),
    answer: (challenge) => {
      if (challenge.token_generation_data?.expects_user_input === false) {
        return Effect.as(Console.log("  the challenge expects no input: resuming without a token"), undefined)
      }
      // The sandbox documents its rule (SandboxModel.tokenFor): the token is the challenge's
      // token_generation_data.value reversed.
      const value = challenge.token_generation_data?.value ?? ""
      const token = SandboxModel.tokenFor(value)
      return Effect.as(
        Console.log(`  the sandbox's token is token_generation_data.value reversed: ${value} -> ${token}`),
        token
      )
    }
  } satisfies Target
})

/** Reads one line from the terminal. */
const question = (prompt: string) =>
  Effect.promise(async () => {
    const terminal = createInterface({ input: process.stdin, output: process.stdout })
    try {
      return (await terminal.question(prompt)).trim()
    } finally {
      terminal.close()
    }
  })

/** A real Belvo environment (`--live`), configured from the environment variables. */
const liveTarget = Effect.gen(function* () {
  const link = yield* Config.String("BELVO_LINK_ID")
  const mfaLink = yield* Config.option(Config.String("BELVO_MFA_LINK_ID"))
  return {
    live: true,
    client: BelvoClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer)),
    link,
    mfaLink,
    largeLink: Option.some(link),
    foreignLink: Option.none(),
    answer: (challenge) =>
      challenge.token_generation_data?.expects_user_input === false
        ? Effect.as(question("  Approve the request as your bank asks, then press Enter: "), undefined)
        : question(`  ${challenge.token_generation_data?.instructions ?? "Enter the MFA token"}: `)
  } satisfies Target
})

/** Exactly two decimals, e.g. 194187.40: BigDecimal.format would drop the trailing zero. */
const money = (amount: BigDecimal.BigDecimal) => {
  const { value } = BigDecimal.round(amount, { scale: 2, mode: "half-even" })
  const digits = (value < 0n ? -value : value).toString().padStart(3, "0")
  return `${value < 0n ? "-" : ""}${digits.slice(0, -2)}.${digits.slice(-2)}`
}

const table = (balances: ReadonlyArray<Balance.Balance>) =>
  Effect.gen(function* () {
    const rows = balances.map((b) => [
      b.account_id.slice(0, 8),
      b.currency,
      money(b.available),
      money(b.blocked),
      money(b.automatically_invested),
      DateTime.formatIso(b.collected_at).slice(0, 16).replace("T", " ")
    ])
    const total = (pick: (b: Balance.Balance) => BigDecimal.BigDecimal) =>
      money(BigDecimal.sumAll(balances.map(pick)))
    const header = ["account", "cur", "available", "blocked", "invested", "collected (UTC)"]
    const footer = [
      "total",
      "",
      total((b) => b.available),
      total((b) => b.blocked),
      total((b) => b.automatically_invested),
      ""
    ]
    const all = [header, ...rows, footer]
    const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? "").length)))
    const line = (row: ReadonlyArray<string>) =>
      `  ${row.map((cell, column) => (column >= 2 && column <= 4 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join("  ")}`
    yield* Console.log(line(header))
    for (const row of rows) yield* Console.log(line(row))
    yield* Console.log(line(footer))
  })

const step = (title: string) => Console.log(`\n== ${title}`)

const tour = (target: Target) =>
  Effect.gen(function* () {
    const { baseUrl } = yield* BelvoClient.BelvoClient
    yield* Console.log(
      target.live
        ? `effect-belvo tour against Belvo at ${baseUrl.origin} (--live)`
        : `effect-belvo tour against the embedded sandbox at ${baseUrl.origin}`
    )

    yield* step("1. Retrieve the current balances of a link (POST, save_data: true -> 201)")
    if (target.live) {
      yield* Console.log(
        `  This asks Belvo to fetch fresh balances of link ${target.link} from the institution and to STORE\n` +
          "  them in your Belvo account (save_data: true)."
      )
    }
    const retrieved = yield* Balances.retrieve({ link: target.link })
    yield* Console.log(`  HTTP ${retrieved.status}, stored by Belvo: ${retrieved.saved}`)
    yield* table(retrieved.balances)

    if (Option.isSome(target.mfaLink)) {
      yield* step(
        "2. Retrieve for an MFA-protected link (save_data: false), answering the challenge with Mfa.answer"
      )
      const mfa = yield* Balances.retrieve({ link: target.mfaLink.value, save_data: false }).pipe(
        Mfa.answer((challenge) =>
          Console.log(
            `  428 token_required: session ${challenge.session}, expires ${DateTime.formatIso(challenge.expiresAt)}`
          ).pipe(
            Effect.andThen(target.answer(challenge)),
            Effect.tap((token) =>
              Console.log(
                token === undefined ? "  resuming without a token" : `  answering with token ${token}`
              )
            )
          )
        )
      )
      yield* Console.log(`  resumed: HTTP ${mfa.status}, stored by Belvo: ${mfa.saved}`)
      yield* table(mfa.balances)
    }

    yield* step("3. List with filters and fields (a projected type: only id, account_id, available)")
    const since = "2020-01-01"
    const slim = yield* Balances.listPage({
      link: target.link,
      collected_at__gte: since,
      fields: ["id", "account_id", "available"],
      page_size: 5
    })
    yield* Console.log(
      `  ${slim.count} balances collected since ${since}; first page of ${slim.results.length}:`
    )
    for (const b of slim.results)
      yield* Console.log(`  ${b.id}  ${b.account_id.slice(0, 8)}  ${money(b.available)}`)

    if (Option.isSome(target.largeLink)) {
      yield* step("4. Stream every page of a large link, in constant memory")
      const started = yield* DateTime.now
      const summary = yield* Balances.list({ link: target.largeLink.value, fields: ["available"] }).pipe(
        Stream.mapAccum(
          () => ({ count: 0, total: BigDecimal.fromBigInt(0n) }),
          (acc, b) => {
            const next = { count: acc.count + 1, total: BigDecimal.sum(acc.total, b.available) }
            return [next, [next]]
          }
        ),
        Stream.tap((acc) =>
          acc.count % 20_000 === 0
            ? Effect.sync(() => process.stdout.write(`\r  ${acc.count} balances…`))
            : Effect.void
        ),
        Stream.runLast
      )
      const elapsed = Duration.toMillis(DateTime.distance(started, yield* DateTime.now))
      const { count, total } = Option.getOrElse(summary, () => ({
        count: 0,
        total: BigDecimal.fromBigInt(0n)
      }))
      yield* Console.log(
        `\r  ${count} balances streamed in ${elapsed} ms; exact total available: ${money(total)}`
      )
    }

    yield* step("5. Get one balance by id")
    const first = slim.results[0]
    if (first) {
      const one = yield* Balances.get(first.id, { omit: ["account_internal_identification"] })
      yield* Console.log(
        `  ${one.id}: ${one.currency} ${money(one.available)} available, last updated ${DateTime.formatIso(one.last_updated_at)}`
      )
    }

    if (Option.isSome(target.foreignLink)) {
      yield* step("6. A typed error, handled: a link that belongs to another secret")
      const denied = yield* Balances.retrieve({ link: target.foreignLink.value }).pipe(
        Effect.map(() => "unexpectedly allowed"),
        Effect.catchTag("AccessDenied", (error) => Effect.succeed(`AccessDenied -> ${error.message}`))
      )
      yield* Console.log(`  ${denied}`)
    }

    yield* Console.log(
      "\nDone. Next: many links as durable syncs, with MFA answered from anywhere: npm start -- --scale"
    )
  })

const args = process.argv.slice(2)
const live = args.includes("--live")
const scale = args.includes("--scale")
const unknown = args.filter((arg) => arg !== "--live" && arg !== "--scale")

const sandboxTour = Effect.gen(function* () {
  const exported = ["BELVO_SECRET_ID", "BELVO_SECRET_PASSWORD", "BELVO_ENVIRONMENT", "BELVO_BASE_URL"].filter(
    (name) => process.env[name] !== undefined
  )
  if (exported.length > 0) {
    yield* Console.log(
      `(${exported.join(", ")} ignored: the tour uses the embedded sandbox unless run with --live)\n`
    )
  }
  const target = yield* sandboxTarget
  yield* Effect.provide(tour(target), target.client)
}).pipe(
  Effect.provide(SandboxServer.layerWithSandbox({ port: 0 })),
  // Nothing in the sandbox tour reads configuration; an empty provider makes sure of it.
  Effect.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({})))
)

const liveTour = Effect.flatMap(liveTarget, (target) => Effect.provide(tour(target), target.client))

const program: Effect.Effect<void, unknown> =
  unknown.length > 0 || (live && scale)
    ? Effect.fail(`unknown argument ${unknown.join(" ")}; usage: npm start [-- --live | --scale]`)
    : live
      ? liveTour
      : scale
        ? // examples/scale.ts: the link syncs of effect-belvo/workflow, embedded, on the sandbox.
          Scale.main
        : sandboxTour

NodeRuntime.runMain(program)
