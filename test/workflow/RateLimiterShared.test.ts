/**
 * One rate limit shared by separate processes on a real PostgreSQL (started by the test, on
 * 127.0.0.1): four processes (test/workflow/cluster/limiter.ts), each with `RateLimiterSql.layer()`
 * on its own connection pool and its own wrong clock (off by an hour, a day, or not at all), take
 * permits from the same keys at the same moment. Between them they get exactly the limit, every
 * count once, and delays that follow from the counts: the store's atomic operations and the
 * database's clock make them one limiter.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { postgres } from "../support/servers.js"
import type { Batch, Permit } from "./cluster/limiter.js"
import { awaitReady, type Child, limiterScript, scopedScript } from "./cluster/processes.js"

const HOUR = 3_600_000

const batches: ReadonlyArray<Batch> = [
  // Refused over the limit: 4 × 40 ask, 50 may have it within the hour.
  { key: "fail", count: 40, limit: 50, windowMillis: HOUR, algorithm: "fixed-window", onExceeded: "fail" },
  // Delayed over the limit, as BelvoClient asks: 4 × 30 get a slot in a window of 20 per second.
  { key: "delay", count: 30, limit: 20, windowMillis: 1_000, algorithm: "fixed-window", onExceeded: "delay" },
  // A bucket of 30 refilled over an hour: a clock a day ahead must not find it refilled.
  { key: "bucket", count: 20, limit: 30, windowMillis: HOUR, algorithm: "token-bucket", onExceeded: "fail" }
]

const offsets = [0, HOUR, -HOUR, 24 * HOUR]

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

describe("RateLimiterSql shared by processes", () => {
  it.live(
    "four processes with clocks up to a day apart share one limit: exactly the limit granted, every count once",
    () =>
      Effect.gen(function* () {
        const pg = yield* postgres
        const url = yield* Effect.promise(() => pg.createDatabase("shared_limit"))
        const children: Array<Child> = yield* Effect.forEach(
          offsets,
          (offset, i) =>
            scopedScript(`limiter-${i}`, limiterScript, {
              PG_URL: url,
              CLOCK_OFFSET_MS: String(offset),
              BATCHES: JSON.stringify(batches)
            }),
          { concurrency: "unbounded" }
        )
        yield* Effect.forEach(children, (child) => awaitReady(child, 30_000), { concurrency: "unbounded" })
        for (const child of children) child.process.kill("SIGUSR2")
        yield* Effect.forEach(children, (child) => Effect.promise(() => child.exited), {
          concurrency: "unbounded"
        })
        const outcomes = children.map((child) => {
          const done = child.events().find((event) => event.event === "done")
          assert.isDefined(done, `${child.name} finished:\n${child.lines().join("\n")}`)
          return done!.batches as ReadonlyArray<ReadonlyArray<Permit>>
        })
        const permits = (b: number) => outcomes.flatMap((outcome) => outcome[b]!)
        const granted = (b: number) => permits(b).flatMap((permit) => ("remaining" in permit ? [permit] : []))
        const refused = (b: number) =>
          permits(b).flatMap((permit) => ("error" in permit ? [permit.error] : []))

        // Refused over the limit: 50 granted, counted 1 to 50 (remaining 49 to 0), 110 refused.
        assert.sameMembers(
          granted(0).map((permit) => permit.remaining),
          range(0, 49)
        )
        assert.deepStrictEqual(new Set(refused(0)), new Set(["RateLimitExceeded"]))
        assert.lengthOf(refused(0), 4 * 40 - 50)

        // Delayed: all 120 granted, counted 1 to 120 across the processes; the n-th waits for
        // window floor((n - 1) / 20), less the time since the first window opened.
        const delayed = granted(1)
        assert.lengthOf(delayed, 120)
        assert.sameMembers(
          delayed.map((permit) => permit.remaining),
          range(20 - 120, 19)
        )
        for (const permit of delayed) {
          const window = Math.floor((20 - permit.remaining - 1) / 20)
          assert.isAtMost(permit.delay, window * 1_000, JSON.stringify(permit))
          // The first window opened at the earliest after SIGUSR2; this answer came afterGo later.
          assert.isAtLeast(permit.delay, window * 1_000 - permit.afterGo - 1, JSON.stringify(permit))
        }

        // The bucket: 30 of 80 granted, whatever each process's clock says.
        assert.sameMembers(
          granted(2).map((permit) => permit.remaining),
          range(0, 29)
        )
        assert.lengthOf(refused(2), 4 * 20 - 30)
        console.log(
          JSON.stringify({
            test: "rate-limit-shared",
            processes: children.length,
            slowestAnswerMillis: Math.round(Math.max(...delayed.map((permit) => permit.afterGo)))
          })
        )
      }),
    90_000
  )
})
