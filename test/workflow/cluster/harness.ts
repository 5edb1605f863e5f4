/**
 * The moves every multi-process run makes, for the cluster test and the scale benchmark: start
 * PostgreSQL, give a run its own database, spawn runner processes against the sandbox
 * server and wait until they are ready and share the shards, poll a batch of syncs to their ends,
 * and read a request log's peak rate.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type * as Exit from "effect/Exit"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { LinkSync, type SyncError } from "../../../src/workflow/index.js"
import { freePort, type Postgres, postgres } from "../../support/servers.js"
import { awaitBalancedShards, clientLayer, createPagesTable, database } from "./cluster.js"
import { awaitReady, type Child, runnerScript, scopedScript } from "./processes.js"

/** The one server of a multi-process run: the engine, the sync store and the shared rate limit are in it. */
export interface Servers {
  readonly pg: Postgres
}

/** PostgreSQL, started now, stopped when the scope closes. */
export const servers: Effect.Effect<Servers, never, Scope.Scope> = Effect.map(postgres, (pg) => ({ pg }))

export interface RunnersOptions {
  /** The run's database name (and rate limiter key). */
  readonly name: string
  readonly runners: number
  readonly sandboxUrl: string
  readonly rateLimit: number
  readonly rateIntervalMillis?: number | undefined
  readonly monthlyBudget?: number | undefined
  /** Each runner's `ClusterConfig.sharding({ maxSyncs })` (its default when absent). */
  readonly maxSyncs?: number | undefined
}

/**
 * A database of its own with the sink's table, then runner processes (SIGKILLed when the scope
 * closes), ready.
 */
export const startRunners = (servers: Servers, options: RunnersOptions) =>
  Effect.gen(function* () {
    const pgUrl = yield* Effect.promise(() => servers.pg.createDatabase(options.name))
    yield* Effect.provide(createPagesTable, database(pgUrl, 1))
    const runners = yield* Effect.forEach(
      Array.from({ length: options.runners }, (_, i) => i),
      (i) =>
        Effect.flatMap(
          Effect.promise(() => freePort()),
          (port) =>
            scopedScript(`runner-${i}`, runnerScript, {
              PG_URL: pgUrl,
              SANDBOX_URL: options.sandboxUrl,
              RUNNER_PORT: String(port),
              RATE_LIMIT: String(options.rateLimit),
              RATE_INTERVAL_MS: String(options.rateIntervalMillis ?? 1000),
              RATE_KEY: `belvo-${options.name}`,
              MONTHLY_BUDGET: String(options.monthlyBudget ?? 420),
              ...(options.maxSyncs === undefined ? {} : { MAX_SYNCS: String(options.maxSyncs) })
            })
        )
    )
    yield* Effect.forEach(runners, (runner) => awaitReady(runner, 30_000), { concurrency: "unbounded" })
    return { pgUrl, runners }
  })

/**
 * Runs `body` as a client-only member of the cluster on `pgUrl` (engine, SQL store, SQL client),
 * once the `runners` runners share the shards.
 */
export const asClient = <A, E, R>(pgUrl: string, runners: number, body: Effect.Effect<A, E, R>) =>
  Effect.andThen(awaitBalancedShards(runners, 20_000), body).pipe(Effect.provide(clientLayer(pgUrl)))

/** Polls every execution until it completes, or until the deadline: the exits seen. */
export const awaitAll = (ids: ReadonlyArray<string>, deadline: number) =>
  Effect.gen(function* () {
    const done = new Map<string, Exit.Exit<LinkSync.Summary, SyncError.SyncError>>()
    while (done.size < ids.length && Date.now() < deadline) {
      yield* Effect.forEach(
        ids.filter((id) => !done.has(id)),
        (id) =>
          Effect.map(LinkSync.LinkSync.poll(id), (result) => {
            if (Option.isSome(result) && result.value._tag === "Complete") done.set(id, result.value.exit)
          }),
        { concurrency: 16, discard: true }
      )
      if (done.size < ids.length) yield* Effect.sleep("500 millis")
    }
    return done
  })

/** The most arrivals within any span shorter than `millis`. */
export const peakWithin = (times: ReadonlyArray<number>, millis: number): number => {
  const sorted = [...times].sort((a, b) => a - b)
  let peak = 0
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= millis) j++
    peak = Math.max(peak, i - j + 1)
  }
  return peak
}

/**
 * The output of helper processes: their last lines printed when `effect` fails, and all of it
 * written to CLUSTER_LOG_DIR when that is set (to look into a run).
 */
export const keepOutput =
  (children: () => ReadonlyArray<Child>) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    effect.pipe(
      Effect.tapCause(() =>
        Effect.sync(() => {
          for (const child of children()) {
            console.error(
              `--- ${child.name} (pid ${child.pid}), last lines:\n${child.lines().slice(-40).join("\n")}`
            )
          }
        })
      ),
      Effect.ensuring(
        Effect.sync(() => {
          const dir = process.env.CLUSTER_LOG_DIR
          if (dir === undefined) return
          fs.mkdirSync(dir, { recursive: true })
          for (const child of children()) {
            fs.writeFileSync(path.join(dir, `${child.name}-${child.pid}.log`), child.lines().join("\n"))
          }
        })
      )
    )
