/**
 * The tour `npm start` runs: every endpoint of effect-belvo against the embedded sandbox on
 * 127.0.0.1, or against Belvo itself when BELVO_SECRET_ID, BELVO_SECRET_PASSWORD and
 * BELVO_ENVIRONMENT are set (then BELVO_LINK_ID names the link to use, BELVO_MFA_LINK_ID an
 * MFA-protected one, and the MFA token is read from the terminal).
 */
import { createInterface } from "node:readline/promises"
import { FetchHttpClient } from "@effect/platform"
import { NodeRuntime } from "@effect/platform-node"
import { BigDecimal, Config, Console, DateTime, Effect, Layer, Option, Redacted, Stream } from "effect"
import { type Balance, Balances, BelvoClient, Mfa, type MfaChallenge } from "../src/index.js"
import { SandboxModel, SandboxServer } from "../src/testing/index.js"

/** Where the tour runs: the links it uses and how it answers an MFA challenge. */
interface Target {
  readonly name: string
  readonly client: Layer.Layer<BelvoClient.BelvoClient, unknown>
  readonly link: string
  readonly mfaLink: Option.Option<string>
  readonly largeLink: Option.Option<string>
  readonly foreignLink: Option.Option<string>
  readonly answer: (challenge: MfaChallenge.MfaChallenge) => Effect.Effect<string>
}

/** The embedded sandbox: a real HTTP server on a random loopback port, seeded deterministically. */
const sandboxTarget = Effect.gen(function* () {
  const url = yield* SandboxServer.url
  return {
    name: `the embedded sandbox at ${url}`,
    client: BelvoClient.layer({
      baseUrl: url,
      secretId: Redacted.make(SandboxModel.defaultSecretId),
      secretPassword: Redacted.make(SandboxModel.defaultSecretPassword)
    }).pipe(Layer.provide(FetchHttpClient.layer)),
    link: SandboxModel.plainLinkId,
    mfaLink: Option.some(SandboxModel.mfaLinkId),
    largeLink: Option.some(SandboxModel.largeLinkId),
    foreignLink: Option.some(SandboxModel.otherLinkId),
    // The sandbox documents its rule: the token is the challenge value reversed.
    answer: (challenge) => Effect.succeed(SandboxModel.tokenFor(challenge.token_generation_data?.value ?? ""))
  } satisfies Target
})

/** A real Belvo environment, configured from the environment variables. */
const remoteTarget = Effect.gen(function* () {
  const link = yield* Config.string("BELVO_LINK_ID")
  const mfaLink = yield* Config.option(Config.string("BELVO_MFA_LINK_ID"))
  const environment = yield* Config.string("BELVO_ENVIRONMENT")
  return {
    name: `Belvo ${environment}`,
    client: BelvoClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer)),
    link,
    mfaLink,
    largeLink: Option.some(link),
    foreignLink: Option.none(),
    answer: (challenge) =>
      Effect.promise(async () => {
        const terminal = createInterface({ input: process.stdin, output: process.stdout })
        const hint = challenge.token_generation_data?.instructions ?? "Enter the MFA token"
        const token = await terminal.question(`  ${hint}: `)
        terminal.close()
        return token.trim()
      })
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
    yield* Console.log(`effect-belvo tour against ${target.name}`)

    yield* step("1. Retrieve the current balances of a link (POST, save_data: true -> 201)")
    const retrieved = yield* Balances.retrieve({ link: target.link })
    yield* Console.log(`  HTTP ${retrieved.status}, stored by Belvo: ${retrieved.saved}`)
    yield* table(retrieved.balances)

    if (Option.isSome(target.mfaLink)) {
      yield* step("2. Retrieve for an MFA-protected link, answering the challenge with Mfa.answer")
      const mfa = yield* Balances.retrieve({ link: target.mfaLink.value, save_data: false }).pipe(
        Mfa.answer((challenge) =>
          Console.log(
            `  428 token_required: session ${challenge.session}, expires ${DateTime.formatIso(challenge.expiresAt)}`
          ).pipe(
            Effect.zipRight(target.answer(challenge)),
            Effect.tap((token) => Console.log(`  answering with token ${token}`))
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
        Stream.mapAccum({ count: 0, total: BigDecimal.fromBigInt(0n) }, (acc, b) => {
          const next = { count: acc.count + 1, total: BigDecimal.sum(acc.total, b.available) }
          return [next, next]
        }),
        Stream.tap((acc) =>
          acc.count % 20_000 === 0
            ? Effect.sync(() => process.stdout.write(`\r  ${acc.count} balances…`))
            : Effect.void
        ),
        Stream.runLast
      )
      const elapsed = DateTime.distance(started, yield* DateTime.now)
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

    yield* Console.log("\nDone.")
  })

const useRemote = ["BELVO_SECRET_ID", "BELVO_SECRET_PASSWORD", "BELVO_ENVIRONMENT"].every(
  (name) => process.env[name]
)

const program = useRemote
  ? Effect.flatMap(remoteTarget, (target) => Effect.provide(tour(target), target.client))
  : Effect.flatMap(sandboxTarget, (target) => Effect.provide(tour(target), target.client)).pipe(
      Effect.provide(SandboxServer.layerWithSandbox({ port: 0 }))
    )

NodeRuntime.runMain(program)
