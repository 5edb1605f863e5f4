/**
 * The benchmark's sandbox server, run in its own process so the client's CPU is its own.
 *
 * Seeds the default demo model (its `largeLinkId` has 100,000 generated balances) plus one
 * generated link of 1,000,000 balances, listens on 127.0.0.1 on a free port and reports
 * `{ type: "ready", url, bigLinkId }` over IPC (or a `READY <json>` line on stdout without IPC).
 *
 * IPC requests (each answered with `{ type: "reply", id, ... }`):
 * - `{ type: "latency", id, ms }`: per-list-page latency from now on;
 * - `{ type: "stats", id, reset? }`: request counters (`maxInFlight`) and the server's CPU time.
 *
 * Run alone: `npx tsx bench/server.ts` (prints the URL; Ctrl-C stops it).
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { Sandbox, SandboxServer } from "../src/testing/index.js"

const BIG_LINK_SEED = 1_000_003
const BIG_LINK_COUNT = 1_000_000

export type Request =
  | { readonly type: "latency"; readonly id: number; readonly ms: number }
  | { readonly type: "stats"; readonly id: number; readonly reset?: boolean }

export interface Ready {
  readonly type: "ready"
  readonly url: string
  readonly bigLinkId: string
}

export interface Reply {
  readonly type: "reply"
  readonly id: number
  readonly maxInFlight?: number
  readonly requests?: number
  /** Server CPU time (user + system) since start, in milliseconds. */
  readonly cpuMillis?: number
}

const main = async () => {
  const runtime = ManagedRuntime.make(
    SandboxServer.layerWithSandbox({ seed: 1, largeLinkBalances: 100_000 }).pipe(Layer.orDie)
  )
  const setup = Effect.gen(function* () {
    const url = yield* SandboxServer.url
    const big = yield* Sandbox.addGeneratedLink({ count: BIG_LINK_COUNT, accounts: 4, seed: BIG_LINK_SEED })
    return { url, bigLinkId: big.id }
  })
  const { url, bigLinkId } = await runtime.runPromise(setup)
  const ready: Ready = { type: "ready", url, bigLinkId }
  if (process.send) process.send(ready)
  else console.log(`READY ${JSON.stringify(ready)}`)

  process.on("message", (message: Request) => {
    const program =
      message.type === "latency"
        ? Effect.as(Sandbox.setLatency({ page: Duration.millis(message.ms) }), {})
        : Effect.gen(function* () {
            const stats = yield* Sandbox.stats
            if (message.reset) yield* Sandbox.resetStats
            const cpu = process.cpuUsage()
            return {
              maxInFlight: stats.maxInFlight,
              requests: stats.requests,
              cpuMillis: (cpu.user + cpu.system) / 1000
            }
          })
    runtime.runPromiseExit(program).then((exit) => {
      const fields = Exit.isSuccess(exit) ? exit.value : {}
      const reply: Reply = { type: "reply", id: message.id, ...fields }
      process.send?.(reply)
    })
  })
  const stop = () => {
    runtime.dispose().finally(() => process.exit(0))
  }
  process.on("disconnect", stop)
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
