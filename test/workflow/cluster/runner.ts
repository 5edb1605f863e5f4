/**
 * A runner process of the multi-process tests and the scale benchmark:
 * `node --import tsx test/workflow/cluster/runner.ts`, configured by environment variables
 * (PG_URL, SANDBOX_URL, RUNNER_PORT, RATE_LIMIT, RATE_INTERVAL_MS, RATE_KEY,
 * MONTHLY_BUDGET, MAX_SYNCS; LOG_DEBUG=1 for the cluster's debug logs). Prints `{"event":"ready",…}`
 * once its layers are built, then runs syncs until it is stopped, printing its event loop's delay
 * every 2 s (`{"event":"loop","p99":…,"max":…}`, in ms) for the scale benchmark.
 */
import { monitorEventLoopDelay } from "node:perf_hooks"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as References from "effect/References"
import { runnerLayer } from "./cluster.js"

const required = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === "") throw new Error(`runner: ${name} is not set`)
  return value
}

const started = performance.now()

// How late the event loop runs, every 2 s: what a runner busy beyond its means shows first.
const loop = monitorEventLoopDelay({ resolution: 10 })
loop.enable()
setInterval(() => {
  console.log(JSON.stringify({ event: "loop", p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 }))
  loop.reset()
}, 2_000).unref()
const port = Number(required("RUNNER_PORT"))

const main = Effect.gen(function* () {
  yield* Layer.build(
    runnerLayer({
      pgUrl: required("PG_URL"),
      sandboxUrl: required("SANDBOX_URL"),
      port,
      rateLimit: Number(required("RATE_LIMIT")),
      rateIntervalMillis: Number(required("RATE_INTERVAL_MS")),
      rateKey: required("RATE_KEY"),
      monthlyBudget: Number(process.env.MONTHLY_BUDGET ?? 420)
    })
  )
  const ms = Math.round(performance.now() - started)
  console.log(JSON.stringify({ event: "ready", pid: process.pid, port, ms }))
  return yield* Effect.never
}).pipe(
  Effect.scoped,
  Effect.provideService(References.MinimumLogLevel, process.env.LOG_DEBUG === "1" ? "Debug" : "Info")
)

NodeRuntime.runMain(main)
