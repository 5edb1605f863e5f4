/**
 * `RateLimiterSql` on a real PostgreSQL (started by the test, on 127.0.0.1): generated scenarios
 * run on Effect's memory store, on the SQL store and (where `redis-server` is on PATH) on Effect's
 * Redis store must get the same answers, step by step; operations from several connection pools at
 * once stay atomic; the store keeps time by the database's clock, not the caller's.
 *
 * Time is the test's to move: the memory and Redis stores read the fiber's `TestClock` (the Redis
 * scripts that ask Redis for `TIME` are handed the test clock's instead, and keys' expiry is moved
 * along with it), and the SQL store's one clock, its `<prefix>_now()` function, is replaced by one
 * that reads a table the test writes.
 */
import * as NodeRedis from "@effect/platform-node/NodeRedis"
import * as PgClient from "@effect/sql-pg/PgClient"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as RateLimiter from "effect/persistence/RateLimiter"
import * as Redis from "effect/persistence/Redis"
import * as Redacted from "effect/Redacted"
import * as SqlClient from "effect/sql/SqlClient"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { RateLimiterSql } from "../../src/workflow/index.js"
import { propertyInContext } from "../support/property.js"
import { postgresForFile } from "../support/database.js"
import { noRedis, redis, redisServer } from "../support/servers.js"
import {
  type Answer,
  anyScenario,
  gridScenario,
  type Leg,
  runScenario,
  type Scenario
} from "./rateLimiterScenarios.js"

/** An epoch-scale start, so the floating-point sums are those of a real clock. */
const T0 = Date.UTC(2026, 0, 1)

const database = postgresForFile()

const pool = (url: string, connections = 4) =>
  PgClient.layer({ url: Redacted.make(url), maxConnections: connections })

/** A store on its own pool (another process, as far as PostgreSQL can tell). */
const storeOn = (url: string, options?: RateLimiterSql.Options) =>
  Effect.map(Layer.build(RateLimiterSql.layerStore(options).pipe(Layer.provide(pool(url)))), (context) =>
    Context.get(context, RateLimiter.RateLimiterStore)
  )

/**
 * The SQL store with its clock on a table: `set(ms)` and `advance(ms)` move the time every one of
 * its functions sees.
 */
const sqlWithTestClock = (name: string) =>
  Effect.gen(function* () {
    const url = yield* database(name)
    const store = yield* storeOn(url, { prefix: "rl" })
    const sql = yield* Effect.map(Layer.build(pool(url, 1)), (context) =>
      Context.get(context, SqlClient.SqlClient)
    )
    yield* sql`CREATE TABLE test_clock (ms DOUBLE PRECISION NOT NULL)`
    yield* sql`INSERT INTO test_clock VALUES (0)`
    yield* sql.unsafe(
      "CREATE OR REPLACE FUNCTION rl_now() RETURNS DOUBLE PRECISION LANGUAGE sql VOLATILE AS $$ SELECT ms FROM test_clock $$"
    )
    return {
      store,
      sql,
      set: (ms: number) => Effect.asVoid(sql`UPDATE test_clock SET ms = ${ms}::float8`),
      advance: (ms: number) => Effect.asVoid(sql`UPDATE test_clock SET ms = ms + ${ms}::float8`)
    }
  })

type SqlLeg = Effect.Success<ReturnType<typeof sqlWithTestClock>>

const onSql = (sql: SqlLeg, scenario: Scenario, prefix: string, start: number) =>
  Effect.andThen(sql.set(start), runScenario(scenario, { store: sql.store, advance: sql.advance }, prefix))

/** Effect's memory store, fresh, on a fresh `TestClock` at `start`. */
const onMemory = (scenario: Scenario, start: number) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(start)
    const store = yield* Effect.map(Layer.build(RateLimiter.layerStoreMemory), (context) =>
      Context.get(context, RateLimiter.RateLimiterStore)
    )
    return yield* runScenario(scenario, { store, advance: (ms) => TestClock.adjust(ms) }, "")
  }).pipe(Effect.scoped, Effect.provide(TestClock.layer()))

/**
 * A Redis whose scripts read the fiber's clock for `TIME` (passed as one more argument), so the
 * test clock moves Redis's time as it moves the memory store's.
 */
const withTestTime = (redis: Redis.Redis["Service"]): Redis.Redis["Service"] => {
  type Params = ReadonlyArray<unknown>
  interface Loose {
    readonly lua: string
    readonly params: (...params: Params) => Params
    readonly numberOfKeys: (...params: Params) => number
  }
  const make = (script: Loose) =>
    Redis.script(
      (...params: Params) => [...script.params(...params.slice(0, -1)), params[params.length - 1]],
      {
        lua: script.lua.replace(
          'local time = redis.call("TIME")',
          "local now_ms = tonumber(ARGV[#ARGV])\nlocal time = { math.floor(now_ms / 1000), (now_ms % 1000) * 1000 }"
        ),
        numberOfKeys: (...params: Params) => script.numberOfKeys(...params.slice(0, -1))
      }
    )
  const timed = new WeakMap<Loose, ReturnType<typeof make>>()
  const timedScript = (script: Loose) => {
    const made = timed.get(script) ?? make(script)
    timed.set(script, made)
    return made
  }
  return {
    ...redis,
    eval: <Config extends { readonly params: Params; readonly result: unknown }>(
      script: Redis.Script<Config>
    ) => {
      if (!script.lua.includes('redis.call("TIME")')) return redis.eval(script)
      const run = redis.eval(timedScript(script as unknown as Loose))
      return (...params: Config["params"]) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => run(...params, now)) as Effect.Effect<
          Config["result"],
          Redis.RedisError
        >
    }
  }
}

/** Every key under `prefix` expires `ms` sooner: Redis's expiry moved along with the test clock. */
const expireSooner = (redis: Redis.Redis["Service"], prefix: string, ms: number) =>
  Effect.gen(function* () {
    const keys = yield* redis.send<ReadonlyArray<string>>("KEYS", `${prefix}*`)
    for (const key of keys) {
      const ttl = Number(yield* redis.send("PTTL", key))
      if (ttl < 0) continue
      if (ttl <= ms) yield* redis.send("DEL", key)
      else yield* redis.send("PEXPIRE", key, String(ttl - ms))
    }
  })

/** Effect's Redis store under `prefix`, on a fresh `TestClock` at `start`. */
const onRedis = (redis: Redis.Redis["Service"], scenario: Scenario, prefix: string, start: number) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(start)
    const store = yield* RateLimiter.makeStoreRedis({ prefix }).pipe(
      Effect.provideService(Redis.Redis, withTestTime(redis))
    )
    const leg: Leg = {
      store,
      advance: (ms) => Effect.andThen(TestClock.adjust(ms), expireSooner(redis, prefix, ms))
    }
    return yield* runScenario(scenario, leg, "")
  }).pipe(Effect.provide(TestClock.layer()))

let runs = 0

if (redisServer === undefined) {
  console.log(`did not run: RateLimiterSql answers as Effect's Redis store (${noRedis})`)
}

/** The steps where `b` answered otherwise than `a`, with both answers (empty: alike). */
const differences = (
  a: ReadonlyArray<Answer>,
  b: ReadonlyArray<Answer>,
  alike: (a: Answer, b: Answer) => boolean = (x, y) => JSON.stringify(x) === JSON.stringify(y)
) => a.flatMap((answer, i) => (alike(answer, b[i]!) ? [] : [{ step: i, expected: answer, got: b[i]! }]))

describe("RateLimiterSql on PostgreSQL", () => {
  it.live(
    "answers any scenario exactly as Effect's memory store: fixed windows, token buckets, adaptive state",
    () =>
      Effect.gen(function* () {
        const sql = yield* sqlWithTestClock("alike_any")
        yield* propertyInContext(
          fc.tuple(anyScenario, fc.integer({ min: 0, max: 1_000_000 })),
          ([scenario, offset]) =>
            Effect.gen(function* () {
              const prefix = `r${runs++}:`
              const expected = yield* onMemory(scenario, T0 + offset)
              const got = yield* onSql(sql, scenario, prefix, T0 + offset)
              assert.deepStrictEqual(differences(expected, got), [], JSON.stringify(scenario.steps))
            }),
          { numRuns: 150 }
        )
      }),
    120_000
  )

  it.live.skipIf(redisServer === undefined)(
    "answers as Effect's Redis store and memory store alike on scenarios in whole units of time",
    () =>
      Effect.gen(function* () {
        const sql = yield* sqlWithTestClock("alike_grid")
        const server = yield* redis
        const client = yield* Effect.map(Layer.build(NodeRedis.layer({ url: server.url })), (context) =>
          Context.get(context, Redis.Redis)
        )
        yield* propertyInContext(
          gridScenario,
          (scenario) =>
            Effect.gen(function* () {
              const prefix = `r${runs++}:`
              const expected = yield* onMemory(scenario, T0)
              const fromSql = yield* onSql(sql, scenario, prefix, T0)
              const started = performance.now()
              const fromRedis = yield* onRedis(client, scenario, prefix, T0)
              // Redis's own expiry (a fixed window's time to live) runs on its wall clock.
              const drift = performance.now() - started + 2
              assert.deepStrictEqual(
                differences(expected, fromSql),
                [],
                `SQL: ${JSON.stringify(scenario.steps)}`
              )
              const alike = (a: Answer, b: Answer) =>
                a !== null && b !== null && "fixedWindow" in a && "fixedWindow" in b
                  ? a.fixedWindow[0] === b.fixedWindow[0] &&
                    b.fixedWindow[1] <= a.fixedWindow[1] &&
                    b.fixedWindow[1] >= a.fixedWindow[1] - drift
                  : JSON.stringify(a) === JSON.stringify(b)
              assert.deepStrictEqual(
                differences(expected, fromRedis, alike),
                [],
                `Redis: ${JSON.stringify(scenario.steps)}`
              )
            }),
          { numRuns: 100 }
        )
      }),
    120_000
  )

  it.live(
    "operations from four pools at once are atomic: a limit is never exceeded, no count is given twice",
    () =>
      Effect.gen(function* () {
        const url = yield* database("atomic")
        const stores = yield* Effect.all(
          Array.from({ length: 4 }, () => storeOn(url)),
          { concurrency: "unbounded" }
        )
        const many = <A, E>(
          n: number,
          f: (store: RateLimiter.RateLimiterStore["Service"]) => Effect.Effect<A, E>
        ) =>
          Effect.all(
            Array.from({ length: n }, (_, i) => f(stores[i % stores.length]!)),
            { concurrency: "unbounded" }
          )
        // A fixed window of 20 in an hour, 100 takers.
        const windows = yield* many(100, (store) =>
          store.fixedWindow({ key: "fw", tokens: 1, refillRate: Duration.minutes(3), limit: 20 })
        )
        const granted = windows.filter(([count]) => count <= 20).map(([count]) => count)
        assert.sameMembers(
          granted,
          Array.from({ length: 20 }, (_, i) => i + 1)
        )
        assert.isTrue(
          windows.every(([count]) => count <= 21),
          "a refused take counts as one over the limit"
        )
        // Without a limit (the "delay" mode): every count from 1 to 100 once.
        const delayed = yield* many(100, (store) =>
          store.fixedWindow({ key: "fw-delay", tokens: 1, refillRate: Duration.millis(20), limit: undefined })
        )
        assert.sameMembers(
          delayed.map(([count]) => count),
          Array.from({ length: 100 }, (_, i) => i + 1)
        )
        // A bucket of 20 refilled one token an hour: 20 takers get one.
        const buckets = yield* many(100, (store) =>
          store.tokenBucket({
            key: "tb",
            tokens: 1,
            limit: 20,
            refillRate: Duration.hours(1),
            allowOverflow: false
          })
        )
        assert.sameMembers(
          buckets.filter(([remaining]) => remaining >= 0).map(([remaining]) => remaining),
          Array.from({ length: 20 }, (_, i) => i)
        )
        // Adaptive: a 429 starts a cooldown once (every feedback of epoch 0 after the first is
        // stale); once it is over, 60 consumes in the learning phase are all counted.
        yield* many(10, (store) =>
          store.adaptiveFeedback({
            key: "ad",
            epoch: 0,
            tokens: 1,
            status: 429,
            retryAfter: Duration.millis(300)
          })
        )
        const cooling = yield* stores[0]!.adaptiveConsume({
          key: "ad",
          tokens: 1,
          fallbackLimit: 10,
          fallbackWindow: Duration.seconds(10)
        })
        assert.strictEqual(cooling.phase, "cooldown")
        yield* Effect.sleep(cooling.delay)
        const learning = yield* many(60, (store) =>
          store.adaptiveConsume({
            key: "ad",
            tokens: 1,
            fallbackLimit: 10,
            fallbackWindow: Duration.seconds(10)
          })
        )
        assert.isTrue(learning.every((result) => result.phase === "learning" && result.epoch === 1))
        // The 429 that ends learning: everything counted but its own request is the learned limit.
        yield* stores[1]!.adaptiveFeedback({
          key: "ad",
          epoch: 1,
          tokens: 1,
          status: 429,
          retryAfter: Duration.seconds(1)
        })
        const sql = yield* Effect.map(Layer.build(pool(url, 1)), (context) =>
          Context.get(context, SqlClient.SqlClient)
        )
        const rows = yield* sql<{
          phase: string
          learned_limit: number
        }>`SELECT phase, learned_limit FROM effect_belvo_rate_limit_adaptive WHERE key = 'ad'`
        assert.deepStrictEqual(
          rows.map((row) => [row.phase, Number(row.learned_limit)]),
          [["learned", 59]]
        )
      })
  )

  it.live("keeps the database's time: a caller whose clock is a day off shares the same bucket", () =>
    Effect.gen(function* () {
      const url = yield* database("clock")
      const [a, b] = yield* Effect.all([storeOn(url), storeOn(url)], { concurrency: 2 })
      // A bucket of 4, one token back every 10 s. Caller B's clock runs a day ahead: were the store
      // timed by it, B would find the bucket refilled.
      const take = (store: RateLimiter.RateLimiterStore["Service"]) =>
        store.tokenBucket({
          key: "skew",
          tokens: 1,
          limit: 4,
          refillRate: Duration.seconds(10),
          allowOverflow: false
        })
      const ahead = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        Effect.andThen(TestClock.setTime(Date.now() + 86_400_000), effect).pipe(
          Effect.provide(TestClock.layer())
        )
      const answers = [
        yield* take(a),
        yield* ahead(take(b)),
        yield* take(a),
        yield* ahead(take(b)),
        yield* ahead(take(b)),
        yield* take(a)
      ]
      assert.deepStrictEqual(
        answers.map(([remaining]) => remaining),
        [3, 2, 1, 0, -1, -1]
      )
      // A fixed window's time to live is the database's too.
      const [, ttl] = yield* ahead(
        a.fixedWindow({ key: "skew", tokens: 1, refillRate: Duration.seconds(30), limit: undefined })
      )
      assert.isAtMost(ttl, 30_000)
      assert.isAbove(ttl, 25_000)
    })
  )

  it.live("processes starting together on an empty database all get the tables and functions", () =>
    Effect.gen(function* () {
      for (let round = 0; round < 3; round++) {
        const url = yield* database(`fresh_${round}`)
        const stores = yield* Effect.all(
          Array.from({ length: 4 }, () => storeOn(url)),
          { concurrency: "unbounded" }
        )
        const counts = yield* Effect.forEach(
          stores,
          (store) =>
            store.fixedWindow({ key: "k", tokens: 1, refillRate: Duration.seconds(1), limit: undefined }),
          { concurrency: 4 }
        )
        assert.sameMembers(
          counts.map(([count]) => count),
          [1, 2, 3, 4]
        )
      }
    })
  )

  it.live(
    "a prefix that is not a plain SQL name of at most 45 characters fails the layer with a RateLimiterError",
    () =>
      Effect.gen(function* () {
        const url = yield* database("prefix")
        for (const prefix of ["x; DROP TABLE y", "Upper", "a".repeat(46)]) {
          const error = yield* Effect.flip(storeOn(url, { prefix }))
          assert.instanceOf(error, RateLimiter.RateLimiterError)
          assert.strictEqual(error.reason._tag, "RateLimitStoreError")
          assert.include(error.message, "not a plain lowercase SQL name")
        }
        // The longest allowed prefix makes names PostgreSQL keeps whole.
        const store = yield* storeOn(url, { prefix: "b".repeat(45) })
        const [count] = yield* store.fixedWindow({
          key: "k",
          tokens: 1,
          refillRate: Duration.seconds(1),
          limit: 1
        })
        assert.strictEqual(count, 1)
      })
  )
})
