/**
 * One of the processes of test/workflow/RateLimiterShared.test.ts: a `RateLimiter` on
 * `RateLimiterSql.layer()` (PG_URL), with this process's Effect clock CLOCK_OFFSET_MS away from the
 * real one. Prints `{"event":"ready"}`, waits for SIGUSR2 (so that every process starts at once),
 * then takes the permits of every batch of BATCHES (JSON: `Batch[]`) at once and prints
 * `{"event":"done","batches":[…]}`: for each permit, its `remaining`, its delay and the
 * milliseconds from SIGUSR2 to its answer, or its error's tag.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as RateLimiter from "effect/persistence/RateLimiter"
import { RateLimiterSql } from "../../../src/workflow/index.js"
import { database } from "./cluster.js"

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === "") throw new Error(`limiter: ${name} is not set`)
  return value
}

const offset = Number(process.env.CLOCK_OFFSET_MS ?? 0)

/** The real clock, `offset` milliseconds off: what a machine whose clock is wrong reads. */
const skewed = (base: Clock.Clock): Clock.Clock => ({
  currentTimeMillisUnsafe: () => base.currentTimeMillisUnsafe() + offset,
  currentTimeMillis: Effect.map(base.currentTimeMillis, (ms) => ms + offset),
  currentTimeNanosUnsafe: () => base.currentTimeNanosUnsafe() + BigInt(offset) * 1_000_000n,
  currentTimeNanos: Effect.map(base.currentTimeNanos, (ns) => ns + BigInt(offset) * 1_000_000n),
  monotonicTimeNanosUnsafe: () => base.monotonicTimeNanosUnsafe(),
  monotonicTimeNanos: base.monotonicTimeNanos,
  sleep: (duration) => base.sleep(duration)
})

// Listening before saying ready: SIGUSR2 would otherwise end the process.
const signalled = new Promise<void>((resolve) => process.once("SIGUSR2", () => resolve()))
const go = Effect.promise(() => signalled)

export interface Batch {
  readonly key: string
  readonly count: number
  readonly limit: number
  readonly windowMillis: number
  readonly algorithm: "fixed-window" | "token-bucket"
  readonly onExceeded: "delay" | "fail"
}

export type Permit =
  | { readonly remaining: number; readonly delay: number; readonly afterGo: number }
  | { readonly error: string }

const main = Effect.gen(function* () {
  const batches: ReadonlyArray<Batch> = JSON.parse(env("BATCHES"))
  const limiter = yield* RateLimiter.RateLimiter
  console.log(JSON.stringify({ event: "ready", pid: process.pid }))
  yield* go
  const started = performance.now()
  const take = (batch: Batch) =>
    limiter
      .consume({
        key: batch.key,
        limit: batch.limit,
        window: Duration.millis(batch.windowMillis),
        algorithm: batch.algorithm,
        onExceeded: batch.onExceeded
      })
      .pipe(
        Effect.map(
          (result): Permit => ({
            remaining: result.remaining,
            delay: Duration.toMillis(result.delay),
            afterGo: performance.now() - started
          })
        ),
        Effect.catch((error) => Effect.succeed<Permit>({ error: error.reason._tag }))
      )
  const results = yield* Effect.forEach(
    batches,
    (batch) =>
      Effect.forEach(Array.from({ length: batch.count }), () => take(batch), { concurrency: "unbounded" }),
    { concurrency: "unbounded" }
  )
  console.log(JSON.stringify({ event: "done", pid: process.pid, batches: results }))
}).pipe(
  Effect.provide(RateLimiterSql.layer().pipe(Layer.provide(database(env("PG_URL"), 4)))),
  Effect.provideServiceEffect(
    Clock.Clock,
    Effect.clockWith((base) => Effect.succeed(skewed(base)))
  )
)

NodeRuntime.runMain(main)
