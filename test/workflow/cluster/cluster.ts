/**
 * The layers of the multi-process set-up, shared by the runner and answerer processes, the test
 * process (a client-only cluster member) and the scale benchmark: one shard layout for everyone,
 * runners on `ClusterWorkflowEngine` + `NodeClusterSocket` (SQL storage) + PostgreSQL with the SQL
 * sync store, a page sink writing to a table keyed by delivery key, and a `BelvoClient` against the
 * sandbox server whose rate limit is shared through a `RateLimiter` on the same database
 * (`RateLimiterSql`).
 */
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as ClusterWorkflowEngine from "effect/cluster/ClusterWorkflowEngine"
import * as RunnerAddress from "effect/cluster/RunnerAddress"
import * as ShardingConfig from "effect/cluster/ShardingConfig"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as SqlClient from "effect/sql/SqlClient"
import { BelvoClient } from "../../../src/index.js"
import { SandboxModel } from "../../../src/testing/index.js"
import {
  ClusterConfig,
  LinkSync,
  PageSink,
  RateLimiterSql,
  SyncError,
  SyncStore
} from "../../../src/workflow/index.js"

/**
 * The whole shard layout, every field explicit: `NodeClusterSocket` reads environment variables
 * (HOST, PORT, SHARDS_PER_GROUP, …) under the options, so nothing is left for them to change.
 * The shard count, lock timings and backpressure are `ClusterConfig.sharding`'s, as a user's would
 * be; the rest polls fast, for tests that wait on the engine. MAX_SYNCS (a runner's env) overrides
 * `maxSyncs`, for the benchmark's sizing runs.
 */
export const shardingConfig = (runnerPort?: number): ShardingConfig.ShardingConfig["Service"] => ({
  ...ShardingConfig.defaults,
  ...ClusterConfig.sharding(
    process.env.MAX_SYNCS === undefined ? {} : { maxSyncs: Number(process.env.MAX_SYNCS) }
  ),
  runnerAddress:
    runnerPort === undefined ? Option.none() : Option.some(RunnerAddress.make("127.0.0.1", runnerPort)),
  runnerListenAddress: Option.none(),
  availableShardGroups: ["default"],
  assignedShardGroups: ["default"],
  refreshAssignmentsInterval: Duration.millis(300),
  entityReplyPollInterval: Duration.millis(200),
  sendRetryInterval: Duration.millis(100),
  entityTerminationTimeout: Duration.seconds(2)
})

/** The environment variables NodeClusterSocket's config reads: removed from every child's env. */
export const shardingEnvironment: ReadonlyArray<string> = [
  "HOST",
  "PORT",
  "LISTEN_HOST",
  "LISTEN_PORT",
  "SHARD_GROUPS",
  ...Object.keys(ShardingConfig.defaults).map((key) => key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase())
]

export const database = (url: string, maxConnections = 10) =>
  PgClient.layer({ url: Redacted.make(url), maxConnections })

/** The sink's table: one row per delivery key, `deliveries` counts how often that key came. */
export const createPagesTable = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE IF NOT EXISTS test_pages (
    key TEXT PRIMARY KEY,
    execution_id TEXT NOT NULL,
    link TEXT NOT NULL,
    run TEXT NOT NULL,
    page INTEGER NOT NULL,
    items INTEGER NOT NULL,
    balance_ids TEXT NOT NULL,
    deliveries INTEGER NOT NULL,
    pids TEXT NOT NULL
  )`
})

/** A page sink writing each delivery to `test_pages`; a repeated key bumps its `deliveries`. */
export const PagesToTable: Layer.Layer<PageSink.PageSink, never, SqlClient.SqlClient> = Layer.effect(
  PageSink.PageSink,
  Effect.map(SqlClient.SqlClient, (sql) =>
    PageSink.make((delivery) => {
      const ids = delivery.balances.map((balance) => balance.id).join(",")
      const pid = String(process.pid)
      return sql`INSERT INTO test_pages (key, execution_id, link, run, page, items, balance_ids, deliveries, pids)
        VALUES (${delivery.key}, ${delivery.executionId}, ${delivery.link}, ${delivery.run}, ${delivery.page},
                ${delivery.balances.length}, ${ids}, 1, ${pid})
        ON CONFLICT (key) DO UPDATE SET deliveries = test_pages.deliveries + 1,
          pids = test_pages.pids || ',' || ${pid}`.pipe(
        Effect.asVoid,
        Effect.mapError((error) => new SyncError.SinkFailed({ key: delivery.key, reason: error.message }))
      )
    })
  )
)

export interface RunnerOptions {
  readonly pgUrl: string
  readonly sandboxUrl: string
  readonly port: number
  /** Requests per interval, shared by every runner on the same database and key. */
  readonly rateLimit: number
  readonly rateIntervalMillis: number
  readonly rateKey: string
  readonly monthlyBudget: number
}

/** A runner: hosts shards and runs the syncs assigned to it. */
export const runnerLayer = (options: RunnerOptions) => {
  const belvo = BelvoClient.layer({
    baseUrl: options.sandboxUrl,
    secretId: Redacted.make(SandboxModel.defaultSecretId),
    secretPassword: Redacted.make(SandboxModel.defaultSecretPassword),
    rateLimit: {
      limit: options.rateLimit,
      interval: Duration.millis(options.rateIntervalMillis),
      key: options.rateKey
    },
    // So the sandbox's request log tells which runner sent each request.
    userAgent: `runner-${process.pid}`
  }).pipe(
    Layer.provide(NodeHttpClient.layerUndici),
    // A pool of its own: a burst of requests waiting for their permits never holds the engine's.
    Layer.provide(RateLimiterSql.layer().pipe(Layer.provide(database(options.pgUrl, 2))))
  )
  const settings = Layer.succeed(LinkSync.Settings, {
    ...LinkSync.defaultSettings,
    monthlyBudget: options.monthlyBudget
  })
  return LinkSync.layer.pipe(
    Layer.provide([belvo, SyncStore.layerSql, PagesToTable, settings]),
    Layer.provide(ClusterWorkflowEngine.layer),
    Layer.provide(NodeClusterSocket.layer({ storage: "sql", shardingConfig: shardingConfig(options.port) })),
    Layer.provide(database(options.pgUrl))
  )
}

/** A client-only member (the test, the answerer): starts, polls and answers syncs, runs none. */
export const clientLayer = (pgUrl: string) =>
  ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(
      NodeClusterSocket.layer({ clientOnly: true, storage: "sql", shardingConfig: shardingConfig() })
    ),
    Layer.provideMerge(SyncStore.layerSql),
    Layer.provideMerge(database(pgUrl))
  )

/**
 * The shard locks each database backend holds, by backend pid: on PostgreSQL a shard lock is an
 * advisory lock, held on one connection per runner.
 */
export const shardHolders = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  return yield* sql<{ pid: number; shards: number }>`
    SELECT pid, count(*)::int AS shards FROM pg_locks
    WHERE locktype = 'advisory' AND granted
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
    GROUP BY pid ORDER BY pid`
})

/**
 * Waits until `runners` runners hold all the shard locks between them, the same way twice in a row.
 * The first runner up takes every shard and hands them over as the others join; syncs launched
 * during that hand-over made it time out releasing and refreshing its locks on 2 busy cores, drop
 * its shards and re-run what it was running.
 */
export const awaitBalancedShards = (runners: number, millis: number) =>
  Effect.gen(function* () {
    const deadline = Date.now() + millis
    let previous = ""
    while (Date.now() < deadline) {
      const rows = yield* shardHolders
      const layout = JSON.stringify(rows)
      const total = rows.reduce((n, row) => n + row.shards, 0)
      if (rows.length === runners && total === shardingConfig().shardsPerGroup && layout === previous) return
      previous = layout
      yield* Effect.sleep("300 millis")
    }
    return yield* Effect.die(
      new Error(`the shards were not spread over ${runners} runners within ${millis} ms`)
    )
  })
