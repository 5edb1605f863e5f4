/**
 * The scale section of `npm run bench`: plain sandbox links (25 ms per request) synced with
 * `LinkSync` on `ClusterWorkflowEngine` by 1 and 2 runner processes (PostgreSQL for the engine, the
 * sync store and the shared rate limit; sharding as `ClusterConfig.sharding()`), every link launched
 * at once by a client-only process (this one): 1,000, 10,000 and 50,000 links with nothing killed,
 * then 10,000 links with one of two runners SIGKILLed at 30%. The sandbox server runs in its own
 * process and logs every request's arrival; the report gives links per second, CPU per sync of the
 * runners and of PostgreSQL, lost shard locks, re-runs, re-sends, failover and the longest stretch
 * below half the rate limit.
 *
 * `runScale` returns the markdown section (bench/run.ts puts it in its report). Run alone,
 * `npx tsx bench/scale.ts` prints it and writes it into bench/results.md (replacing an earlier scale
 * section). BENCH_QUICK=1: 1,000 links, and a kill run of 1,000 (a smoke test; nothing is written).
 * BENCH_SCALE_LINKS ("1000,10000"), BENCH_SCALE_RUNNERS ("1,2") and BENCH_SCALE_KILL_LINKS (0: no
 * kill run), BENCH_SCALE_UNBOUNDED_LINKS (0: no comparison run without the bound) override the plan; MAX_SYNCS overrides the runners' `maxSyncs`; BENCH_SCALE_TIMELINE=1
 * logs each run's requests per second.
 */
import { type ChildProcess, fork } from "node:child_process"
import { cpus } from "node:os"
import * as fs from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as ShardingConfig from "effect/cluster/ShardingConfig"
import * as Snowflake from "effect/cluster/Snowflake"
import * as SqlClient from "effect/sql/SqlClient"
import { ClusterConfig, LinkSync } from "../src/workflow/index.js"
import { stopChild } from "../test/support/servers.js"
import {
  asClient,
  awaitAll,
  peakWithin,
  type Servers,
  servers,
  startRunners
} from "../test/workflow/cluster/harness.js"
import { shardHolders, shardingConfig } from "../test/workflow/cluster/cluster.js"
import { type Child, lockTrouble, loopDelayMax } from "../test/workflow/cluster/processes.js"
import { fmt, tsxExecArgv } from "./harness.js"
import type { ScaleReady, ScaleReply, ScaleRequest } from "./scaleServer.js"

const LATENCY_MS = 25
const RATE_LIMIT = 200
/** Longest a run may take before the section reports it as incomplete: far beyond any run's need. */
const RUN_DEADLINE_MS = 30 * 60_000
/** The engine's own bound on resident entities (`ShardingConfig.defaults.maxResidentEntities`). */
const ENGINE_DEFAULT_MAX_RESIDENT = ShardingConfig.defaults.maxResidentEntities as number
/** The kill run's runner dies once this share of the syncs finished. */
const KILL_AT = 0.3

interface SandboxProcess {
  readonly url: string
  readonly addLinks: (count: number) => Promise<ReadonlyArray<string>>
  readonly arrivals: () => Promise<{
    readonly arrivals: ReadonlyArray<readonly [string, number, number, boolean, string]>
    readonly cpuMillis: number
  }>
}

/** Forks bench/scaleServer.ts for the scope. */
const sandboxProcess: Effect.Effect<SandboxProcess, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(
    () =>
      new Promise<{ child: ChildProcess; sandbox: SandboxProcess }>((resolve, reject) => {
        const child = fork(fileURLToPath(new URL("./scaleServer.ts", import.meta.url)), [], {
          execArgv: tsxExecArgv,
          env: { ...process.env, LATENCY_MS: String(LATENCY_MS) },
          stdio: ["ignore", "inherit", "inherit", "ipc"]
        })
        let nextId = 1
        const pending = new Map<number, (reply: ScaleReply) => void>()
        const ask = (request: ScaleRequest) =>
          new Promise<ScaleReply>((done) => {
            pending.set(request.id, done)
            child.send(request)
          })
        child.on("message", (message: ScaleReady | ScaleReply) => {
          if (message.type === "ready") {
            resolve({
              child,
              sandbox: {
                url: message.url,
                addLinks: async (count) => (await ask({ type: "links", id: nextId++, count })).links ?? [],
                arrivals: async () => {
                  const reply = await ask({ type: "arrivals", id: nextId++ })
                  return { arrivals: reply.arrivals ?? [], cpuMillis: reply.cpuMillis ?? 0 }
                }
              }
            })
          } else {
            pending.get(message.id)?.(message)
            pending.delete(message.id)
          }
        })
        child.once("exit", (code) => reject(new Error(`scale sandbox server exited early (code ${code})`)))
      })
  ),
  ({ child }) => Effect.promise(() => stopChild(child, "SIGTERM", 5_000))
).pipe(Effect.map(({ sandbox }) => sandbox))

/** CPU seconds (user + system) a process has used, from /proc (Linux); 0 elsewhere. */
const cpuSeconds = (pid: number): number => {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? []
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return 0
  }
}

export interface ScaleRow {
  readonly runners: number
  readonly links: number
  /** When one of the runners was SIGKILLed: after this share of the syncs had finished. */
  readonly killAt: number | undefined
  readonly completed: number
  /** Syncs that did not succeed, by error tag ("unfinished": not done by the deadline). */
  readonly failed: Readonly<Record<string, number>>
  /** Retrieves run again that found their claim taken (their recovery listings at the server). */
  readonly rerun: number
  /** POSTs beyond the first for the same link: a sync's one re-send after a lost answer. */
  readonly resent: number
  readonly seconds: number
  readonly launchSeconds: number
  readonly requests: number
  readonly peakPerSecond: number
  readonly meanPerSecond: number
  /** The longest run of whole seconds with fewer than half the limit's requests, before the last 1% of them. */
  readonly longestSlowSeconds: number
  /** The same from the kill on (kill runs). */
  readonly slowAfterKillSeconds: number | undefined
  /** From the kill until the survivor held every shard. */
  readonly failoverSeconds: number | undefined
  readonly runnersCpuSeconds: number
  /** The largest peak resident memory of a runner, MiB. */
  readonly runnerPeakMiB: number
  readonly databaseCpuSeconds: number
  readonly sandboxCpuSeconds: number
  readonly lockTrouble: number
  /** The longest event-loop delay of a runner, ms. */
  readonly loopDelayMillis: number
  /** Each runner's bound (`maxSyncs`). */
  readonly maxSyncs: number
}

/** A process's peak resident memory in MiB, from /proc (Linux); 0 elsewhere. */
const peakRssMiB = (pid: number): number => {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))
    return match === null ? 0 : Number(match[1]) / 1024
  } catch {
    return 0
  }
}

/** The PostgreSQL server's processes: their CPU seconds, by pid (a backend that exits takes its own along). */
const postgresCpu = (): Map<number, number> => {
  const cpu = new Map<number, number>()
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== "postgres") continue
      cpu.set(Number(entry), cpuSeconds(Number(entry)))
    } catch {
      // gone meanwhile
    }
  }
  return cpu
}

const cpuSince = (before: Map<number, number>, after: Map<number, number>): number => {
  let sum = 0
  for (const [pid, seconds] of after) sum += seconds - (before.get(pid) ?? 0)
  return sum
}

/**
 * The longest run of whole seconds with fewer than `floor` arrivals, from `from` (the first arrival
 * when absent) up to the arrival of 99% of them.
 */
const longestBelow = (times: ReadonlyArray<number>, floor: number, from?: number): number => {
  if (times.length === 0) return 0
  const sorted = [...times].sort((a, b) => a - b)
  const first = from ?? sorted[0]!
  const until = sorted[Math.floor(sorted.length * 0.99)]!
  const buckets = new Array<number>(Math.max(1, Math.floor((until - first) / 1000))).fill(0)
  for (const at of sorted) {
    const i = Math.floor((at - first) / 1000)
    if (i >= 0 && i < buckets.length) buckets[i]! += 1
  }
  let longest = 0
  let current = 0
  for (const count of buckets) {
    current = count < floor ? current + 1 : 0
    longest = Math.max(longest, current)
  }
  return longest
}

/** The time of the last final reply to a sync's run request, from its snowflake id, and how many there are. */
const finalReplies = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ n: number; last: string | null }>`
    SELECT count(*)::int AS n, max(r.id)::text AS last
    FROM cluster_replies r JOIN cluster_messages m ON r.request_id = m.id
    WHERE m.tag = 'run' AND r.kind = 0`
  const row = rows[0]
  return {
    count: row?.n ?? 0,
    lastAt: row?.last == null ? undefined : Snowflake.timestamp(Snowflake.Snowflake(BigInt(row.last)))
  }
})

interface RunOptions {
  readonly runners: number
  readonly links: number
  readonly killAt?: number | undefined
  /** The runners' bound, when not `ClusterConfig`'s default. */
  readonly maxSyncs?: number | undefined
}

/** One run: a fresh sandbox process and database, `runners` runners, `links` syncs, maybe a kill. */
const oneRun = (servers: Servers, options: RunOptions, log: (line: string) => void) =>
  Effect.gen(function* () {
    const { runners, links, killAt, maxSyncs } = options
    const sandbox = yield* sandboxProcess
    const ids = yield* Effect.promise(() => sandbox.addLinks(links))
    const cluster = yield* startRunners(servers, {
      name: `scale_${runners}_${links}${killAt === undefined ? "" : "_kill"}${maxSyncs === undefined ? "" : `_${maxSyncs}`}`,
      runners,
      sandboxUrl: sandbox.url,
      rateLimit: RATE_LIMIT,
      maxSyncs
    })
    const children: ReadonlyArray<Child> = cluster.runners
    return yield* asClient(
      cluster.pgUrl,
      runners,
      Effect.gen(function* () {
        const sandboxCpu0 = (yield* Effect.promise(() => sandbox.arrivals())).cpuMillis
        const cpu0 = children.map((child) => cpuSeconds(child.pid))
        const database0 = postgresCpu()
        const startedAt = Date.now()
        const deadline = startedAt + RUN_DEADLINE_MS
        const executions = yield* Effect.forEach(ids, (link) => LinkSync.launch({ link, run: "scale" }), {
          concurrency: 64
        })
        const launchSeconds = (Date.now() - startedAt) / 1000
        // Completion, cheaply: a plain link's sync never suspends, so its run request's final reply
        // is its end, and the reply's snowflake id says when it was written. (Polling 50,000
        // executions would take the runners' CPU.)
        let done = yield* finalReplies
        let killedAt: number | undefined
        let victimCpu = 0
        let victimPeak = 0
        let failoverSeconds: number | undefined
        while (done.count < links && Date.now() < deadline) {
          if (killAt !== undefined && killedAt === undefined && done.count >= links * killAt) {
            victimCpu = cpuSeconds(children[0]!.pid) - cpu0[0]!
            victimPeak = peakRssMiB(children[0]!.pid)
            children[0]!.process.kill("SIGKILL")
            killedAt = Date.now()
          }
          if (killedAt !== undefined && failoverSeconds === undefined) {
            const holders = yield* shardHolders
            const total = holders.reduce((n, row) => n + row.shards, 0)
            if (holders.length === 1 && total === shardingConfig().shardsPerGroup)
              failoverSeconds = (Date.now() - killedAt) / 1000
            yield* Effect.sleep("200 millis")
          } else yield* Effect.sleep("1 second")
          done = yield* finalReplies
        }
        const endedAt = done.count === links && done.lastAt !== undefined ? done.lastAt : Date.now()
        const seconds = (endedAt - startedAt) / 1000
        const runnersCpu = children.reduce(
          (sum, child, i) =>
            sum + (i === 0 && killedAt !== undefined ? victimCpu : cpuSeconds(child.pid) - cpu0[i]!),
          0
        )
        const databaseCpu = cpuSince(database0, postgresCpu())
        const served = yield* Effect.promise(() => sandbox.arrivals())
        // Then every execution's result, through the engine (not timed).
        const exits = yield* awaitAll(executions, Date.now() + 120_000)
        const failed: Record<string, number> = {}
        for (const exit of exits.values()) {
          if (Exit.isSuccess(exit)) continue
          const tag = Option.getOrUndefined(Cause.findErrorOption(exit.cause))?._tag ?? "defect"
          failed[tag] = (failed[tag] ?? 0) + 1
        }
        if (exits.size < links) failed.unfinished = links - exits.size
        const times = served.arrivals.map(([, at]) => at)
        const span = times.length < 2 ? 1 : (Math.max(...times) - Math.min(...times)) / 1000
        if (process.env.BENCH_SCALE_TIMELINE === "1") {
          const first = Math.min(...times)
          const perSecond: Array<number> = []
          for (const at of times) {
            const second = Math.floor((at - first) / 1000)
            perSecond[second] = (perSecond[second] ?? 0) + 1
          }
          const kill = killedAt === undefined ? "" : `, kill at ${((killedAt - first) / 1000).toFixed(1)} s`
          log(
            `  requests per second from the first${kill}: ${Array.from(perSecond, (n) => n ?? 0).join(" ")}`
          )
        }
        const posts = served.arrivals.filter(([method]) => method === "POST")
        const row: ScaleRow = {
          runners,
          links,
          killAt,
          completed: links - Object.values(failed).reduce((a, b) => a + b, 0),
          failed,
          rerun: served.arrivals.filter(([, , , recovery]) => recovery).length,
          resent: posts.length - new Set(posts.map(([, , , , link]) => link)).size,
          seconds,
          launchSeconds,
          requests: times.length,
          peakPerSecond: peakWithin(times, 1000),
          meanPerSecond: times.length / span,
          longestSlowSeconds: longestBelow(times, RATE_LIMIT / 2),
          slowAfterKillSeconds:
            killedAt === undefined ? undefined : longestBelow(times, RATE_LIMIT / 2, killedAt),
          failoverSeconds,
          runnersCpuSeconds: runnersCpu,
          runnerPeakMiB: Math.max(victimPeak, ...children.map((child) => peakRssMiB(child.pid))),
          databaseCpuSeconds: databaseCpu,
          sandboxCpuSeconds: (served.cpuMillis - sandboxCpu0) / 1000,
          lockTrouble: children.reduce((sum, child) => sum + lockTrouble(child), 0),
          loopDelayMillis: Math.max(...children.map(loopDelayMax)),
          maxSyncs: options.maxSyncs ?? ClusterConfig.defaults.maxResidentEntities
        }
        log(
          `  ${runners} runner(s)${killAt === undefined ? "" : `, one killed at ${killAt * 100}%`}: ` +
            `${fmt(row.completed)}/${fmt(links)} synced in ${row.seconds.toFixed(1)} s ` +
            `(${fmt(links / row.seconds)} links/s), runners ${((runnersCpu * 1000) / links).toFixed(2)} ms CPU per sync, ` +
            `${row.lockTrouble} lost locks, ${row.rerun} re-runs, ${row.resent} re-sent`
        )
        return row
      })
    )
  })

const failures = (failed: Readonly<Record<string, number>>): string => {
  const entries = Object.entries(failed)
  return entries.length === 0 ? "0" : entries.map(([tag, n]) => `${n} ${tag}`).join(", ")
}

const list = (name: string, fallback: string): ReadonlyArray<number> =>
  (process.env[name] ?? fallback).split(",").map((n) => Number(n.trim()))

/** The runs: every link count with every runner count, nothing killed, then the kill run. */
const plan = (quick: boolean): ReadonlyArray<RunOptions> => {
  const links = list("BENCH_SCALE_LINKS", quick ? "1000" : "1000,10000,50000")
  const runners = list("BENCH_SCALE_RUNNERS", "1,2")
  const kill = Number(process.env.BENCH_SCALE_KILL_LINKS ?? (quick ? 1_000 : 10_000))
  const unbounded = Number(process.env.BENCH_SCALE_UNBOUNDED_LINKS ?? (quick ? 0 : 10_000))
  return [
    ...links
      .filter((count) => count > 0)
      .flatMap((count) => runners.map((n) => ({ runners: n, links: count }))),
    ...(kill > 0 ? [{ runners: 2, links: kill, killAt: KILL_AT }] : []),
    // For comparison: one runner admitting as many syncs as the engine's default lets it.
    ...(unbounded > 0 ? [{ runners: 1, links: unbounded, maxSyncs: ENGINE_DEFAULT_MAX_RESIDENT }] : [])
  ]
}

/** Runs the scale benchmark; returns its markdown section. */
export const runScale = async (options: {
  readonly quick: boolean
  readonly log: (line: string) => void
}): Promise<ReadonlyArray<string>> => {
  const started = performance.now()
  const runs = plan(options.quick)
  options.log(`\n== scale: ${runs.length} runs, ${LATENCY_MS} ms per request, limit ${RATE_LIMIT}/s ==`)
  const rows = await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const shared = yield* servers
        const rows: Array<ScaleRow> = []
        // Each run in its own scope: its runners and sandbox are gone before the next starts.
        for (const run of runs) rows.push(yield* Effect.scoped(oneRun(shared, run, options.log)))
        return rows
      })
    )
  )
  const wholeSeconds = (performance.now() - started) / 1000
  const sharding = ClusterConfig.defaults
  const perSync = (seconds: number, links: number) => ((seconds * 1000) / links).toFixed(2)
  return [
    `## Scale: links synced by runner processes`,
    "",
    `One \`LinkSync\` per plain sandbox link (a POST retrieve, ${LATENCY_MS} ms per request) on \`ClusterWorkflowEngine\` ` +
      `with PostgreSQL 17 (engine messages, shard locks, \`SyncStore.layerSql\`), every link launched at once from a ` +
      `client-only process; every runner's \`BelvoClient\` shares one rate limit of ${RATE_LIMIT} requests per 1-second ` +
      `window through \`RateLimiterSql\` in the same database. Sharding as \`ClusterConfig.sharding()\`: at most ` +
      `${fmt(sharding.maxResidentEntities)} syncs held by a runner at once (the rest wait in the database), ` +
      `${sharding.shardsPerGroup} shards, locks living 18 s and refreshed every 6 s. ` +
      `The sandbox server runs in its own process and logs each request's arrival. ` +
      `"s" runs from the first launch to the last sync's final reply (its id's timestamp); "kill": one of the runners ` +
      `SIGKILLed once that share of the syncs had finished; "failover s": from the kill until the survivor held every ` +
      `shard; "slowest stretch": the longest run of whole seconds with fewer than ${RATE_LIMIT / 2} requests (half the ` +
      `limit), up to the last 1% of the requests, and "after the kill" the same from the kill on (the slowest stretch of ` +
      `a run is its launch, whose client shares the 2 cores); "peak in 1 s" the most arrivals in any sliding second (the limiter ` +
      `allows up to 2 × limit − 1 there). "lost locks": runners' "Shard lock storage is unhealthy" errors (a runner ` +
      `that could not refresh its shard locks in time drops them, and what it was running runs again); "re-runs": ` +
      `retrieves run again that found their claim taken (each lists what Belvo stored instead of sending again); ` +
      `"re-sent": a link's second POST (a sync's one re-send when its answer was lost with nothing stored). ` +
      `CPU per sync: the runners' (user + system, from /proc) and PostgreSQL's processes', divided by the links; ` +
      `"runner peak MiB": the largest peak resident memory (VmHWM) of a runner; "longest loop delay": the ` +
      `longest a runner's event loop ran late (sampled every 10 ms). "max syncs": each runner's \`maxSyncs\` ` +
      `(the last row admits as many as the engine's own default, for comparison). ` +
      `${cpus().length} cores shared by everything (runners, PostgreSQL, sandbox, client).`,
    "",
    "| runners | max syncs | links | kill | synced | failed | s | links/s | launch s | requests | mean req/s | peak in 1 s | slowest stretch s | after the kill s | failover s | runners CPU ms/sync | PostgreSQL CPU ms/sync | runner peak MiB | longest loop delay ms | lost locks | re-runs | re-sent |",
    "|---:|---:|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (row) =>
        `| ${row.runners} | ${fmt(row.maxSyncs)} | ${fmt(row.links)} | ${row.killAt === undefined ? "-" : `1 at ${row.killAt * 100}%`} | ` +
        `${fmt(row.completed)} | ${failures(row.failed)} | ${row.seconds.toFixed(1)} | ${fmt(row.links / row.seconds)} | ` +
        `${row.launchSeconds.toFixed(1)} | ${fmt(row.requests)} | ${row.meanPerSecond.toFixed(1)} | ${row.peakPerSecond} | ` +
        `${row.longestSlowSeconds} | ${row.slowAfterKillSeconds ?? "-"} | ${row.failoverSeconds === undefined ? "-" : row.failoverSeconds.toFixed(1)} | ` +
        `${perSync(row.runnersCpuSeconds, row.links)} | ${perSync(row.databaseCpuSeconds, row.links)} | ` +
        `${row.runnerPeakMiB.toFixed(0)} | ${row.loopDelayMillis.toFixed(0)} | ` +
        `${row.lockTrouble} | ${fmt(row.rerun)} | ${fmt(row.resent)} |`
    ),
    "",
    `Limit ${RATE_LIMIT} requests/s. Scale section: ${wholeSeconds.toFixed(0)} s, servers and processes included.`,
    ""
  ]
}

/**
 * Puts the section into bench/results.md: in place of an earlier scale section, else before the
 * closing "Whole run" line (or at the end).
 */
const writeSection = (section: ReadonlyArray<string>) => {
  const file = new URL("./results.md", import.meta.url)
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : ""
  const block = `${section.join("\n").trimEnd()}\n\n`
  const start = text.indexOf("\n## Scale: ")
  if (start !== -1) {
    const next = text.slice(start + 1).search(/\n(## |Whole run: )/)
    const tail = next === -1 ? "" : text.slice(start + 1 + next + 1)
    fs.writeFileSync(file, `${text.slice(0, start + 1)}${block}${tail}`)
    return
  }
  const whole = text.lastIndexOf("\nWhole run: ")
  if (whole !== -1) fs.writeFileSync(file, `${text.slice(0, whole + 1)}${block}${text.slice(whole + 1)}`)
  else fs.writeFileSync(file, `${text.replace(/\n*$/, "\n\n")}${block}`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const quick = process.env.BENCH_QUICK === "1"
  runScale({ quick, log: (line) => process.stderr.write(`${line}\n`) })
    .then((section) => {
      console.log(section.join("\n"))
      if (!quick) writeSection(section)
    })
    .catch((error) => {
      console.error(error)
      process.exit(1)
    })
}
