/**
 * The link syncs of effect-belvo/workflow across processes: runners on `ClusterWorkflowEngine` with
 * one PostgreSQL for the engine's messages, the sync's store and the shared rate limit, and a web
 * app (or any process) that starts syncs and hands over MFA tokens without running any.
 *
 * Each process reads DATABASE_URL (postgres://…) and the Belvo settings of `BelvoClient.layerConfig`
 * (BELVO_SECRET_ID, BELVO_SECRET_PASSWORD, BELVO_ENVIRONMENT or BELVO_BASE_URL). A runner also reads
 * RUNNER_HOST and RUNNER_PORT (where the others reach it).
 *
 *   npx tsx examples/scale-cluster.ts runner      # as many as needed, each with its own RUNNER_PORT
 *   npx tsx examples/scale-cluster.ts start <run> <link>...   # start syncs, then exit
 *   npx tsx examples/scale-cluster.ts answer      # answer every waiting challenge from the terminal
 *
 * The tests run this set-up with real servers: test/workflow/cluster.test.ts.
 */
import { createInterface } from "node:readline/promises"
import { pathToFileURL } from "node:url"
import { NodeClusterSocket, NodeHttpClient, NodeRedis, NodeRuntime } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Config, Console, Effect, Layer, Option } from "effect"
import { ClusterWorkflowEngine, RunnerAddress } from "effect/cluster"
import { RateLimiter } from "effect/persistence"
import { BelvoClient } from "../src/index.js"
import { ClusterConfig, LinkSync, PageSink, RateLimiterSql, SyncStore } from "../src/workflow/index.js"

// Every process, runner or not: the same database, and the same shard layout.
const pool = (maxConnections: number) =>
  Layer.unwrap(Effect.map(Config.Redacted("DATABASE_URL"), (url) => PgClient.layer({ url, maxConnections })))

const Database = pool(10)

// The shard layout every process shares, and a runner's backpressure: it holds at most 1,000 syncs
// at once (some 30 s of the 20 requests/s below, with room), the rest wait in the database
// (docs/scale.md sizes it).
export const sharding = ClusterConfig.sharding({ maxSyncs: 1_000 })

// One rate limit for every runner, kept in the same database: a Belvo 429 to one runner holds them
// all back. Its own small pool, so requests queueing for their permits never hold the connections
// the engine needs.
const SharedRateLimit = RateLimiterSql.layer().pipe(Layer.provide(pool(2)))

const Belvo = BelvoClient.layerConfig({
  rateLimit: { limit: 20, interval: "1 second" },
  maxConcurrentRequests: 16
}).pipe(Layer.provide(NodeHttpClient.layerUndici), Layer.provide(SharedRateLimit))

// Where listed pages go. A real sink writes them (to a table keyed by `delivery.key`, say).
const Sink = PageSink.layer((delivery) =>
  Console.log(`${delivery.key}: ${delivery.balances.length} balances`)
)

// A runner: it owns some of the syncs and runs them; others take them over if it stops.
export const Runner = Layer.unwrap(
  Effect.gen(function* () {
    const host = yield* Config.String("RUNNER_HOST").pipe(Config.withDefault("127.0.0.1"))
    const port = yield* Config.Port("RUNNER_PORT")
    return LinkSync.layer.pipe(
      Layer.provide([Belvo, SyncStore.layerSql, Sink]),
      Layer.provide(ClusterWorkflowEngine.layer),
      Layer.provide(
        NodeClusterSocket.layer({
          storage: "sql",
          shardingConfig: { ...sharding, runnerAddress: Option.some(RunnerAddress.make(host, port)) }
        })
      ),
      Layer.provide(Database)
    )
  })
)

// Any other process (a web app, a cron job): starts syncs and hands over tokens, runs none.
export const Client = Layer.mergeAll(
  ClusterWorkflowEngine.layer.pipe(
    Layer.provide(NodeClusterSocket.layer({ clientOnly: true, storage: "sql", shardingConfig: sharding }))
  ),
  SyncStore.layerSql
).pipe(Layer.provide(Database))

// Tonight's syncs: started, not awaited; each runs to its end on some runner.
export const start = (run: string, links: ReadonlyArray<string>) =>
  Effect.forEach(links, (link) => LinkSync.launch({ link, run, list: {} }), { concurrency: 16 })

// Already running Redis? Effect's own Redis store holds the same limit there: provide this in place
// of SharedRateLimit (and `npm install redis`).
export const RedisRateLimit = RateLimiter.layer.pipe(
  Layer.provide(RateLimiter.layerStoreRedis({ prefix: "effect-belvo:" })),
  Layer.provide(Layer.unwrap(Effect.map(Config.String("REDIS_URL"), (url) => NodeRedis.layer({ url }))))
)

// The web app's side of MFA: show what each waiting challenge asks, hand over the answer.
export const answerFromTerminal = Effect.gen(function* () {
  const terminal = createInterface({ input: process.stdin, output: process.stdout })
  for (const waiting of yield* LinkSync.pending) {
    const data = waiting.challenge.token_generation_data
    if (data?.expects_user_input === false) {
      yield* Console.log(
        `${waiting.link}: ${data.instructions ?? "confirm on your device"}; continuing without a token`
      )
      yield* LinkSync.answer({ executionId: waiting.executionId }, undefined)
      continue
    }
    const token = yield* Effect.promise(() =>
      terminal.question(`${waiting.link}: ${data?.instructions ?? "token"} (value ${data?.value ?? "-"}): `)
    )
    yield* LinkSync.answer({ executionId: waiting.executionId }, token)
  }
  terminal.close()
})

const [command, ...args] = process.argv.slice(2)

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const program: Effect.Effect<void, unknown> =
    command === "runner"
      ? Layer.launch(Runner)
      : command === "start"
        ? Effect.flatMap(start(args[0] ?? "manual", args.slice(1)), (ids) =>
            Console.log(`started ${ids.length} syncs`)
          ).pipe(Effect.provide(Client))
        : command === "answer"
          ? Effect.provide(answerFromTerminal, Client)
          : Effect.fail("usage: scale-cluster.ts runner | start <run> <link>... | answer")
  NodeRuntime.runMain(program)
}
