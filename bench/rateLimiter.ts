/**
 * What a shared rate limit costs per request: `RateLimiter.consume` (a fixed window with
 * `onExceeded: "delay"`, as `BelvoClient` asks) on Effect's memory store, on `RateLimiterSql` (a
 * PostgreSQL started on 127.0.0.1 by test/support/servers.ts, fsync and synchronous commit on) and
 * on Effect's Redis store (where
 * `redis-server` is on PATH). For each: one request at a time (the latency a request pays), and 64
 * at once from 4 connection pools on one key (the most permits per second one limit can hand out,
 * every taker contending for the same row or key). Medians of 5 rounds.
 *
 * `npx tsx bench/rateLimiter.ts` prints a markdown table. BENCH_QUICK=1: one short round each.
 */
import * as NodeRedis from "@effect/platform-node/NodeRedis"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as RateLimiter from "effect/persistence/RateLimiter"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { RateLimiterSql } from "../src/workflow/index.js"
import { redis, redisServer, startPostgres } from "../test/support/servers.js"
import { fmt, median } from "./harness.js"

const quick = process.env.BENCH_QUICK === "1"
const rounds = quick ? 1 : 5
const sequential = quick ? 200 : 2_000
const contended = quick ? 1_000 : 10_000

type Limiter = RateLimiter.RateLimiter

const limiterOf = <E>(
  store: Layer.Layer<RateLimiter.RateLimiterStore, E>
): Effect.Effect<Limiter, E, Scope.Scope> =>
  Effect.map(Layer.build(RateLimiter.layer.pipe(Layer.provide(store))), (context) =>
    Context.get(context, RateLimiter.RateLimiter)
  )

let keys = 0
const take = (limiter: Limiter, key: string) =>
  limiter.consume({
    key,
    limit: 1_000_000,
    window: "1 second",
    algorithm: "fixed-window",
    onExceeded: "delay"
  })

/** Microseconds per request, one at a time. */
const oneAtATime = (limiter: Limiter) =>
  Effect.gen(function* () {
    const key = `seq-${keys++}`
    yield* Effect.repeat(take(limiter, key), { times: 50 })
    const t0 = performance.now()
    for (let i = 0; i < sequential; i++) yield* take(limiter, key)
    return ((performance.now() - t0) * 1_000) / sequential
  })

/** Permits per second, `contended` requests 64 at a time spread over `limiters`, one key. */
const atOnce = (limiters: ReadonlyArray<Limiter>) =>
  Effect.gen(function* () {
    const key = `par-${keys++}`
    const t0 = performance.now()
    yield* Effect.forEach(
      Array.from({ length: contended }, (_, i) => limiters[i % limiters.length]!),
      (limiter) => take(limiter, key),
      { concurrency: 64, discard: true }
    )
    return contended / ((performance.now() - t0) / 1_000)
  })

interface Row {
  readonly store: string
  readonly micros: number
  readonly perSecond: number
}

const measure = (name: string, limiters: ReadonlyArray<Limiter>) =>
  Effect.gen(function* () {
    const micros: Array<number> = []
    const perSecond: Array<number> = []
    for (let round = 0; round < rounds; round++) {
      micros.push(yield* oneAtATime(limiters[0]!))
      perSecond.push(yield* atOnce(limiters))
    }
    return { store: name, micros: median(micros), perSecond: median(perSecond) } satisfies Row
  })

export const runRateLimiter = Effect.gen(function* () {
  const rows: Array<Row> = []
  const memory = yield* limiterOf(RateLimiter.layerStoreMemory)
  rows.push(yield* measure("memory (one process)", [memory]))

  // Durable, as a real server is: every commit that writes to the write-ahead log waits for it.
  const pg = yield* Effect.acquireRelease(
    Effect.promise(() => startPostgres({ durable: true })),
    (server) => Effect.promise(() => server.stop())
  )
  const url = yield* Effect.promise(() => pg.createDatabase("bench_rate_limit"))
  const sql = yield* Effect.forEach(Array.from({ length: 4 }), () =>
    limiterOf(
      RateLimiterSql.layerStore().pipe(
        Layer.provide(PgClient.layer({ url: Redacted.make(url), maxConnections: 4 }))
      )
    )
  )
  rows.push(yield* measure(`RateLimiterSql (${pg.version.split(" ").slice(0, 2).join(" ")})`, sql))

  let note = ""
  if (redisServer !== undefined) {
    const server = yield* redis
    const onRedis = yield* Effect.forEach(Array.from({ length: 4 }), () =>
      limiterOf(RateLimiter.layerStoreRedis().pipe(Layer.provide(NodeRedis.layer({ url: server.url }))))
    )
    rows.push(yield* measure("Effect's Redis store", onRedis))
  } else note = "Effect's Redis store: not measured (no redis-server on PATH)."

  return [
    "| store | µs per request, one at a time | permits/s, 64 at once on one key |",
    "|---|---:|---:|",
    ...rows.map((row) => `| ${row.store} | ${fmt(row.micros)} | ${fmt(row.perSecond)} |`),
    ...(note === "" ? [] : ["", note])
  ]
})

Effect.runPromise(Effect.scoped(runRateLimiter)).then(
  (lines) => console.log(lines.join("\n")),
  (error) => {
    console.error(error)
    process.exitCode = 1
  }
)
