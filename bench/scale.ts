/**
 * The scale section of `npm run bench`: 10,000 plain sandbox links (25 ms per request) synced with
 * `LinkSync` on `ClusterWorkflowEngine` by 1, 2 and 4 runner processes (PostgreSQL for the engine,
 * the sync store and the shared rate limit), started by a client-only process (this one).
 * The sandbox server runs in its own process and logs every request's arrival; the report gives
 * links per second and the peak request rate in any 1-second window against the configured limit.
 *
 * `runScale` returns the markdown section (bench/run.ts puts it in its report). Run alone,
 * `npx tsx bench/scale.ts` prints it and writes it into bench/results.md (replacing an earlier scale
 * section). BENCH_QUICK=1: 1,000 links (a smoke test; nothing is written). BENCH_SCALE_LINKS and
 * BENCH_SCALE_RUNNERS (e.g. "1,2") override the link count and the runner counts.
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
import * as SqlClient from "effect/sql/SqlClient"
import { LinkSync } from "../src/workflow/index.js"
import { stopChild } from "../test/support/servers.js"
import {
  asClient,
  awaitAll,
  peakWithin,
  type Servers,
  servers,
  startRunners
} from "../test/workflow/cluster/harness.js"
import { type Child, lockTrouble } from "../test/workflow/cluster/processes.js"
import { fmt, tsxExecArgv } from "./harness.js"
import type { ScaleReady, ScaleReply, ScaleRequest } from "./scaleServer.js"

const LATENCY_MS = 25
const RATE_LIMIT = 200
/** Longest a run may take before the section reports it as incomplete. */
const RUN_DEADLINE_MS = 150_000

interface SandboxProcess {
  readonly url: string
  readonly addLinks: (count: number) => Promise<ReadonlyArray<string>>
  readonly arrivals: () => Promise<{
    readonly arrivals: ReadonlyArray<readonly [string, number, number, boolean]>
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
  readonly completed: number
  /** Syncs that did not succeed, by error tag ("unfinished": not done by the deadline). */
  readonly failed: Readonly<Record<string, number>>
  /** Retrieves run again after a runner lost its shards, that found their claim (recovery listings). */
  readonly rerun: number
  readonly seconds: number
  readonly launchSeconds: number
  readonly requests: number
  readonly peakPerSecond: number
  readonly meanPerSecond: number
  readonly runnersCpuSeconds: number
  readonly sandboxCpuSeconds: number
  readonly lockTrouble: number
}

/** One run: a fresh sandbox process and database, `runners` runners, `links` syncs. */
const oneRun = (servers: Servers, runners: number, links: number, log: (line: string) => void) =>
  Effect.gen(function* () {
    const sandbox = yield* sandboxProcess
    const ids = yield* Effect.promise(() => sandbox.addLinks(links))
    const cluster = yield* startRunners(servers, {
      name: `scale_${runners}_${links}`,
      runners,
      sandboxUrl: sandbox.url,
      rateLimit: RATE_LIMIT
    })
    const children: ReadonlyArray<Child> = cluster.runners
    return yield* asClient(
      cluster.pgUrl,
      runners,
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const sandboxCpu0 = (yield* Effect.promise(() => sandbox.arrivals())).cpuMillis
        const cpu0 = children.map((child) => cpuSeconds(child.pid))
        const started = performance.now()
        const deadline = Date.now() + RUN_DEADLINE_MS
        const executions = yield* Effect.forEach(ids, (link) => LinkSync.launch({ link, run: "scale" }), {
          concurrency: 64
        })
        const launchSeconds = (performance.now() - started) / 1000
        // Completion, cheaply: a plain link's sync never suspends, so its run request's final reply
        // is its end. (Polling 10,000 executions twice a second would take the runners' CPU.)
        let completed = 0
        while (completed < links && Date.now() < deadline) {
          const rows = yield* sql<{ n: number }>`
            SELECT count(*)::int AS n FROM cluster_replies r JOIN cluster_messages m ON r.request_id = m.id
            WHERE m.tag = 'run' AND r.kind = 0`
          completed = rows[0]?.n ?? 0
          if (completed < links) yield* Effect.sleep("200 millis")
        }
        const seconds = (performance.now() - started) / 1000
        const runnersCpu = children.reduce((sum, child, i) => sum + cpuSeconds(child.pid) - cpu0[i]!, 0)
        const served = yield* Effect.promise(() => sandbox.arrivals())
        // Then every execution's result, through the engine (not timed).
        const done = yield* awaitAll(executions, Date.now() + 60_000)
        const failed: Record<string, number> = {}
        for (const exit of done.values()) {
          if (Exit.isSuccess(exit)) continue
          const tag = Option.getOrUndefined(Cause.findErrorOption(exit.cause))?._tag ?? "defect"
          failed[tag] = (failed[tag] ?? 0) + 1
        }
        if (done.size < links) failed.unfinished = links - done.size
        const times = served.arrivals.map(([, at]) => at)
        const span = times.length < 2 ? 1 : (Math.max(...times) - Math.min(...times)) / 1000
        const row: ScaleRow = {
          runners,
          links,
          completed: links - Object.values(failed).reduce((a, b) => a + b, 0),
          failed,
          rerun: served.arrivals.filter(([, , , recovery]) => recovery).length,
          seconds,
          launchSeconds,
          requests: times.length,
          peakPerSecond: peakWithin(times, 1000),
          meanPerSecond: times.length / span,
          runnersCpuSeconds: runnersCpu,
          sandboxCpuSeconds: (served.cpuMillis - sandboxCpu0) / 1000,
          lockTrouble: children.reduce((sum, child) => sum + lockTrouble(child), 0)
        }
        log(
          `  ${runners} runner(s): ${fmt(row.completed)}/${fmt(links)} synced in ${row.seconds.toFixed(1)} s ` +
            `(${fmt(links / row.seconds)} links/s), peak ${row.peakPerSecond} requests in 1 s, limit ${RATE_LIMIT}/s`
        )
        return row
      })
    )
  })

const failures = (failed: Readonly<Record<string, number>>): string => {
  const entries = Object.entries(failed)
  return entries.length === 0 ? "0" : entries.map(([tag, n]) => `${n} ${tag}`).join(", ")
}

const runnerCounts = (): ReadonlyArray<number> =>
  (process.env.BENCH_SCALE_RUNNERS ?? "1,2,4").split(",").map((n) => Number(n.trim()))

/** Runs the scale benchmark; returns its markdown section. */
export const runScale = async (options: {
  readonly quick: boolean
  readonly log: (line: string) => void
}): Promise<ReadonlyArray<string>> => {
  const links = Number(process.env.BENCH_SCALE_LINKS ?? (options.quick ? 1_000 : 10_000))
  const started = performance.now()
  options.log(`\n== scale: ${fmt(links)} links, ${LATENCY_MS} ms per request, limit ${RATE_LIMIT}/s ==`)
  const rows = await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const shared = yield* servers
        const rows: Array<ScaleRow> = []
        // Each run in its own scope: its runners and sandbox are gone before the next starts.
        for (const count of runnerCounts())
          rows.push(yield* Effect.scoped(oneRun(shared, count, links, options.log)))
        return rows
      })
    )
  )
  const wholeSeconds = (performance.now() - started) / 1000
  return [
    `## Scale: ${fmt(links)} links synced by runner processes`,
    "",
    `One \`LinkSync\` per plain sandbox link (a POST retrieve, ${LATENCY_MS} ms per request) on \`ClusterWorkflowEngine\` ` +
      `with PostgreSQL 17 (engine messages, shard locks, \`SyncStore.layerSql\`), launched from a client-only process; ` +
      `every runner's \`BelvoClient\` shares one rate limit of ${RATE_LIMIT} requests per 1-second window through a ` +
      `\`RateLimiter\` in the same database (\`RateLimiterSql\`). The sandbox server runs in its own process and logs each request's arrival. ` +
      `"s" runs from the first launch to the last sync's final reply; "peak in 1 s" is the most arrivals in any ` +
      `sliding second (the limiter allows up to 2 × limit − 1 there), "mean" the arrivals over their whole span. ` +
      `${cpus().length} cores shared by everything (runners, PostgreSQL, sandbox, client). ` +
      `"lock trouble": runners' "Shard lock storage is unhealthy" errors: a runner too busy to refresh its shard ` +
      `locks in time (6 s expiry, refreshed every 2 s) drops its shards, and what it was running runs again; ` +
      `"re-run retrieves" are those that found their claim and listed what Belvo stored instead of sending again ` +
      `(an \`OutcomeUnknown\` when nothing was stored yet).`,
    "",
    "| runners | links | synced | failed | s | links/s | launch s | requests | peak in 1 s | mean req/s | limit /s | runners CPU s | sandbox CPU s | lock trouble | re-run retrieves |",
    "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (row) =>
        `| ${row.runners} | ${fmt(row.links)} | ${fmt(row.completed)} | ${failures(row.failed)} | ${row.seconds.toFixed(1)} | ` +
        `${fmt(row.links / row.seconds)} | ${row.launchSeconds.toFixed(1)} | ${fmt(row.requests)} | ${row.peakPerSecond} | ` +
        `${row.meanPerSecond.toFixed(1)} | ${RATE_LIMIT} | ${row.runnersCpuSeconds.toFixed(1)} | ` +
        `${row.sandboxCpuSeconds.toFixed(1)} | ${row.lockTrouble} | ${fmt(row.rerun)} |`
    ),
    "",
    `Scale section: ${wholeSeconds.toFixed(0)} s, servers and processes included.`,
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
