/**
 * Shared benchmark plumbing: the sandbox server in its own process, timing with client CPU, and
 * small statistics helpers.
 */
import { type ChildProcess, fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { Ready, Reply, Request } from "./server.js"

/** `node --import tsx`: how every helper process is started. */
export const tsxExecArgv = ["--import", "tsx"]

export interface Server {
  readonly url: string
  readonly bigLinkId: string
  readonly setLatency: (ms: number) => Promise<void>
  /** Server counters and CPU time; `reset` zeroes `maxInFlight` and `requests` afterwards. */
  readonly stats: (reset?: boolean) => Promise<Reply>
  readonly stop: () => Promise<void>
}

/** Forks `bench/server.ts` and waits for its address. */
export const startServer = (): Promise<Server> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = fork(fileURLToPath(new URL("./server.ts", import.meta.url)), [], {
      execArgv: tsxExecArgv,
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    let nextId = 1
    const pending = new Map<number, (reply: Reply) => void>()
    const ask = (request: Request) =>
      new Promise<Reply>((done) => {
        pending.set(request.id, done)
        child.send(request)
      })
    child.on("message", (message: Ready | Reply) => {
      if (message.type === "ready") {
        resolve({
          url: message.url,
          bigLinkId: message.bigLinkId,
          setLatency: async (ms) => {
            await ask({ type: "latency", id: nextId++, ms })
          },
          stats: (reset) => ask({ type: "stats", id: nextId++, reset: reset ?? false }),
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done()
              child.once("exit", () => done())
              child.disconnect()
            })
        })
      } else {
        pending.get(message.id)?.(message)
        pending.delete(message.id)
      }
    })
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`bench server exited early (code ${code})`)))
  })

export interface Sample {
  readonly wallMs: number
  readonly cpuMs: number
  readonly serverCpuMs: number
  readonly maxInFlight: number
  readonly items: number
}

/** Runs `task` once, timing wall clock and this process's CPU, and reading the server's counters. */
export const measure = async (server: Server, task: () => Promise<number>): Promise<Sample> => {
  const before = await server.stats(true)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const items = await task()
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const after = await server.stats(true)
  return {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    serverCpuMs: (after.cpuMillis ?? 0) - (before.cpuMillis ?? 0),
    maxInFlight: after.maxInFlight ?? 0,
    items
  }
}

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export const min = (values: ReadonlyArray<number>): number => Math.min(...values)
export const max = (values: ReadonlyArray<number>): number => Math.max(...values)

export const fmt = (value: number, digits = 0): string =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })

export const ratio = (value: number, base: number): string => `${(value / base).toFixed(2)}x`
