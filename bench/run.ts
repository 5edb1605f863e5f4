/**
 * `npm run bench`: effect-belvo against a plain fetch loop and a naive `next` follower, on the
 * sandbox served from its own process, at 0 ms and 25 ms per-page latency; then client CPU per
 * 1,000 balances and peak memory, each case in fresh processes of compiled JavaScript
 * (bench/cpu.ts, bench/rss.ts), a per-page decode micro-benchmark, and 10,000 links synced by 1, 2
 * and 4 runner processes (bench/scale.ts: PostgreSQL started on 127.0.0.1). Prints a
 * markdown report and writes it to bench/results.md.
 *
 * Environment: BENCH_RUNS (default 5 at 0 ms), BENCH_RUNS_SLOW (default 3 at 25 ms),
 * BENCH_CPU_ROUNDS (default 3 processes per CPU case), BENCH_CPU_RUNS (default 5 listings each),
 * BENCH_BASE=<git rev> (the CPU and memory rows of that revision's src/ too, in the same run),
 * BENCH_QUICK=1 (1 run each, no RSS, 1,000 links to scale: a smoke test).
 */
import { execFileSync, spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import { cpus } from "node:os"
import { Balances } from "../src/index.js"
import { SandboxModel } from "../src/testing/index.js"
import * as Cases from "./cases.js"
import { benchBuilds, type Compiled } from "./compile.js"
import { type CpuRow, cpuEntries, cpuReport, runCpu } from "./cpu.js"
import { fmt, max, measure, median, min, ratio, type Sample, type Server, startServer } from "./harness.js"
import { microTable, runMicro } from "./micro.js"
import { runScale } from "./scale.js"

const EXPECTED = 100_000
const HEAP_CAP = "--max-old-space-size=96"
const BIG_EXPECTED = 1_000_000
const quick = process.env.BENCH_QUICK === "1"
const runsFast = quick ? 1 : Number(process.env.BENCH_RUNS ?? 5)
const runsSlow = quick ? 1 : Number(process.env.BENCH_RUNS_SLOW ?? 3)
const runsSizes = quick ? 1 : 2
const cpuRounds = quick ? 1 : Number(process.env.BENCH_CPU_ROUNDS ?? 3)
const cpuRuns = quick ? 1 : Number(process.env.BENCH_CPU_RUNS ?? 5)
const cpuWarmups = quick ? 1 : 2
const SWEEP = [1, 2, 4, 8, 16]
const PAGE_SIZES = [100, 250, 500, 1000]
const CREDENTIALS = [SandboxModel.defaultSecretId, SandboxModel.defaultSecretPassword]
const defaultConcurrency = Balances.defaultConcurrency

const log = (line: string) => process.stderr.write(`${line}\n`)

interface Case {
  readonly id: string
  readonly label: string
  readonly transport: string
  readonly concurrency: number
  readonly run: () => Promise<number>
}

interface Row {
  readonly latency: number
  readonly kase: Case
  readonly samples: ReadonlyArray<Sample>
}

const wall = (row: Row) => median(row.samples.map((s) => s.wallMs))
const cpu = (row: Row) => median(row.samples.map((s) => s.cpuMs))

/** Runs the cases round-robin (`runs` rounds after one unrecorded warm-up round), checking every count. */
const runCases = async (
  server: Server,
  latency: number,
  cases: ReadonlyArray<Case>,
  runs: number,
  warmup: boolean
): Promise<Array<Row>> => {
  await server.setLatency(latency)
  const samples = new Map<string, Array<Sample>>(cases.map((c) => [c.id, []]))
  for (let round = warmup ? 0 : 1; round <= runs; round++) {
    for (const kase of cases) {
      const sample = await measure(server, kase.run)
      if (sample.items !== EXPECTED) {
        throw new Error(`${kase.label} at ${latency} ms counted ${sample.items}, expected ${EXPECTED}`)
      }
      if (round > 0) samples.get(kase.id)!.push(sample)
      log(
        `  ${latency} ms ${round === 0 ? "warm-up" : `run ${round}/${runs}`} ${kase.label}: ${fmt(sample.wallMs)} ms wall, ${fmt(sample.cpuMs)} ms client CPU`
      )
    }
  }
  return cases.map((kase) => ({ latency, kase, samples: samples.get(kase.id)! }))
}

const rowLine = (row: Row, base: Row): string => {
  const walls = row.samples.map((s) => s.wallMs)
  const items = row.samples.every((s) => s.items === EXPECTED) ? fmt(EXPECTED) : "MISMATCH"
  return [
    `${row.latency} ms`,
    row.kase.label,
    row.kase.transport,
    String(row.kase.concurrency),
    fmt(wall(row)),
    `${fmt(min(walls))}–${fmt(max(walls))}`,
    ratio(wall(row), wall(base)),
    fmt(cpu(row)),
    ratio(cpu(row), cpu(base)),
    fmt(median(row.samples.map((s) => s.serverCpuMs))),
    String(max(row.samples.map((s) => s.maxInFlight))),
    items
  ].join(" | ")
}

const TABLE_HEAD = [
  "| latency | case | transport | concurrency | median ms | min–max ms | × baseline | client CPU ms | CPU × baseline | server CPU ms | max in flight | items |",
  "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
]

const table = (rows: ReadonlyArray<Row>, base: (latency: number) => Row) =>
  rows.map((row) => `| ${rowLine(row, base(row.latency))} |`)

interface RssResult {
  readonly label?: string
  readonly mode: string
  readonly items: number
  readonly maxRssMiB: number
  readonly sampledPeakMiB: number
  readonly heapUsedMiB: number
  readonly wallMs: number
}

const rssRun = (
  compiled: Compiled,
  args: ReadonlyArray<string>,
  nodeFlags: ReadonlyArray<string> = []
): Promise<RssResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, compiled.path("bench/rss.ts"), ...args], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.on("exit", (code) => {
      const line = out.trim().split("\n").pop() ?? ""
      if (code !== 0) reject(new Error(`rss ${args[0]} exited with ${code}: ${out}`))
      else resolve(JSON.parse(line) as RssResult)
    })
  })

const machine = () => {
  const cpu = cpus()[0]?.model.trim() ?? "unknown"
  let commit = "unknown"
  let dirty = ""
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim()
    const status = execFileSync("git", ["status", "--porcelain", "--", "src"], { encoding: "utf8" }).trim()
    if (status !== "") dirty = " (src/ has uncommitted changes)"
  } catch {}
  return { cpu, cores: cpus().length, commit: `${commit}${dirty}` }
}

const verdict = (pass: boolean) => (pass ? "PASS" : "MISS")

const main = async () => {
  const started = performance.now()
  const host = machine()
  const out: Array<string> = []
  const emit = (...lines: Array<string>) => out.push(...lines)
  log(`effect-belvo bench: Node ${process.version}, ${host.cpu} x${host.cores}, runs ${runsFast}/${runsSlow}`)

  const server = await startServer()
  const link = SandboxModel.largeLinkId
  log(`sandbox at ${server.url}`)
  const runtimes = {
    fetch: Cases.libRuntime(server.url, "fetch"),
    undici: Cases.libRuntime(server.url, "undici")
  }
  const baselineCase: Case = {
    id: "baseline",
    label: "baseline: fetch + JSON.parse, page numbers",
    transport: "fetch",
    concurrency: 1,
    run: () => Cases.baseline(server.url, link, 1)
  }
  const baselineConcurrent: Case = {
    id: "baseline-c",
    label: `baseline, ${defaultConcurrency} pages at a time`,
    transport: "fetch",
    concurrency: defaultConcurrency,
    run: () => Cases.baseline(server.url, link, defaultConcurrency)
  }
  const naiveCase: Case = {
    id: "naive",
    label: "naive: follow next, fetch + JSON.parse",
    transport: "fetch",
    concurrency: 1,
    run: () => Cases.naive(server.url, link)
  }
  const libCase = (transport: Cases.Transport, concurrency: number): Case => ({
    id: `lib-${transport}-${concurrency}`,
    label:
      concurrency === 1
        ? "effect-belvo list, follow next"
        : `effect-belvo list${concurrency === defaultConcurrency ? " (default)" : ""}`,
    transport,
    concurrency,
    run: () => Cases.lib(runtimes[transport], link, concurrency)
  })

  // 0 ms: both transports for concurrency 1 and the default, to pick the faster one.
  log("\n== 0 ms per page: baseline, naive, both transports ==")
  const zeroA = await runCases(
    server,
    0,
    [
      baselineCase,
      baselineConcurrent,
      naiveCase,
      ...Cases.transports.flatMap((t) => [libCase(t, 1), libCase(t, defaultConcurrency)])
    ],
    runsFast,
    true
  )
  const byId = (rows: ReadonlyArray<Row>, id: string) => rows.find((row) => row.kase.id === id)!
  const transportScore = (t: Cases.Transport) =>
    wall(byId(zeroA, `lib-${t}-1`)) + wall(byId(zeroA, `lib-${t}-${defaultConcurrency}`))
  const chosen: Cases.Transport = transportScore("undici") < transportScore("fetch") ? "undici" : "fetch"
  const other: Cases.Transport = chosen === "fetch" ? "undici" : "fetch"
  log(`faster transport: ${chosen}`)

  const sweep = SWEEP.filter((c) => c !== 1 && c !== defaultConcurrency)
  log("\n== 0 ms per page: concurrency sweep ==")
  const zeroB = await runCases(
    server,
    0,
    sweep.map((c) => libCase(chosen, c)),
    runsFast,
    false
  )
  log("\n== 25 ms per page ==")
  const slow = await runCases(
    server,
    25,
    [
      baselineCase,
      baselineConcurrent,
      naiveCase,
      ...[1, ...SWEEP.filter((c) => c !== 1)].map((c) => libCase(chosen, c))
    ],
    runsSlow,
    false
  )
  // Page size at 25 ms with the default concurrency (fewer runs: small pages are slow).
  log("\n== 25 ms per page: page size ==")
  const sizes = await runCases(
    server,
    25,
    PAGE_SIZES.map((size) => ({
      id: `size-${size}`,
      label: `effect-belvo list, page_size ${size}`,
      transport: chosen,
      concurrency: defaultConcurrency,
      run: () => Cases.lib(runtimes[chosen], link, defaultConcurrency, size)
    })),
    runsSizes,
    false
  )
  await server.setLatency(0)
  await Promise.all([runtimes.fetch.dispose(), runtimes.undici.dispose()])

  const baseOf = (latency: number) => byId(latency === 0 ? zeroA : slow, "baseline")
  const ordered = (rows: ReadonlyArray<Row>) =>
    [...rows].sort((a, b) => {
      const rank = (r: Row) => (r.kase.id.startsWith("lib") ? 2 : r.kase.id === "naive" ? 1 : 0)
      return rank(a) - rank(b) || a.kase.concurrency - b.kase.concurrency
    })
  const zeroMain = ordered([...zeroA.filter((r) => !r.kase.id.startsWith(`lib-${other}`)), ...zeroB])
  const zeroOther = zeroA.filter((r) => r.kase.id.startsWith(`lib-${other}`))

  // Client CPU and peak memory, each in fresh processes running compiled JavaScript.
  const built = benchBuilds([...cpuEntries, "bench/rss.ts"])
  let cpuRows: ReadonlyArray<CpuRow> = []
  const rss: Array<RssResult & { readonly build: string }> = []
  try {
    log("\n== client CPU per 1,000 balances (fresh processes, compiled JavaScript, 0 ms) ==")
    cpuRows = await runCpu({
      builds: built.builds,
      url: server.url,
      link,
      expected: EXPECTED,
      rounds: cpuRounds,
      runs: cpuRuns,
      warmups: cpuWarmups,
      log
    })
    if (!quick) {
      log("\n== peak RSS (fresh processes, compiled JavaScript, 0 ms) ==")
      const big = ["stream", server.url, server.bigLinkId, String(BIG_EXPECTED), chosen, ...CREDENTIALS]
      const runs: ReadonlyArray<readonly [string, ReadonlyArray<string>, ReadonlyArray<string>]> = [
        ["idle: imports loaded, nothing listed", ["idle"], []],
        [
          "stream into a counter (Stream.runCount)",
          ["stream", server.url, link, String(EXPECTED), chosen, ...CREDENTIALS],
          []
        ],
        [
          "collect into memory (Stream.runCollect)",
          ["collect", server.url, link, String(EXPECTED), chosen, ...CREDENTIALS],
          []
        ],
        ["stream into a counter (Stream.runCount)", big, []],
        [`stream into a counter, heap capped (${HEAP_CAP})`, big, [HEAP_CAP]]
      ]
      for (const build of built.builds) {
        for (const [label, args, flags] of runs) {
          const result = await rssRun(build.compiled, args, flags)
          const named = build.name === "" ? label : `${label}, ${build.name}`
          log(
            `  ${named} ${result.items}: maxRSS ${result.maxRssMiB.toFixed(1)} MiB in ${fmt(result.wallMs)} ms`
          )
          rss.push({ ...result, label: named, build: build.name })
        }
      }
    }
  } finally {
    built.remove()
  }

  // Micro-benchmark on one real page.
  log("\n== decode micro-benchmark ==")
  const pageText = await (
    await fetch(`${server.url}/api/br/balances/?link=${link}&page_size=1000`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${SandboxModel.defaultSecretId}:${SandboxModel.defaultSecretPassword}`).toString("base64")}`
      }
    })
  ).text()
  await server.stop()
  const micro = runMicro(pageText, quick ? 300 : 1500)

  // Report.
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z")
  emit(
    "# effect-belvo benchmark results",
    "",
    `${date} · Node ${process.version} · ${host.cpu} · ${host.cores} cores · commit ${host.commit}`,
    "",
    `100,000 balances (page_size 1000, 100 pages) from the sandbox server in its own process on 127.0.0.1. ` +
      `Runs: ${runsFast} at 0 ms, ${runsSlow} at 25 ms (after one warm-up round at 0 ms), round-robin. ` +
      `"× baseline" compares medians with the baseline of the same latency in this run; ` +
      `client CPU is the benchmark process's user+system time, server CPU the sandbox process's. ` +
      `"max in flight" is what the server saw. Library rows use the ${chosen} transport ` +
      `(the faster here; ${other} below).`,
    "",
    ...TABLE_HEAD,
    ...table(zeroMain, baseOf),
    ...table(ordered(slow), baseOf),
    "",
    `Other transport (${other}) at 0 ms:`,
    "",
    ...TABLE_HEAD,
    ...table(zeroOther, baseOf),
    ""
  )

  // Concurrency sweep summary.
  const libAt = (rows: ReadonlyArray<Row>, c: number) => rows.find((r) => r.kase.id === `lib-${chosen}-${c}`)
  const sweepLine = (rows: ReadonlyArray<Row>) =>
    SWEEP.map((c) => {
      const row = libAt(rows, c)
      return row === undefined ? "–" : fmt(wall(row))
    })
  const slowBest = Math.min(...SWEEP.map((c) => wall(libAt(slow, c)!)))
  const knee = SWEEP.find((c) => wall(libAt(slow, c)!) <= slowBest * 1.1) ?? defaultConcurrency
  const zeroRows = [...zeroA, ...zeroB]
  const zeroBest = SWEEP.reduce((best, c) =>
    wall(libAt(zeroRows, c)!) < wall(libAt(zeroRows, best)!) ? c : best
  )
  emit(
    "## Concurrency sweep (median ms for 100,000 balances)",
    "",
    `| latency | ${SWEEP.map((c) => `c=${c}`).join(" | ")} |`,
    `|---|${SWEEP.map(() => "---:").join("|")}|`,
    `| 0 ms | ${sweepLine(zeroRows).join(" | ")} |`,
    `| 25 ms | ${sweepLine(slow).join(" | ")} |`,
    "",
    `Smallest concurrency within 10% of the best at 25 ms: **${knee}**; fastest at 0 ms: ${zeroBest}. ` +
      `Current default: ${defaultConcurrency}.`,
    ""
  )

  emit(
    `## Page size (25 ms per page, concurrency ${defaultConcurrency}, ${runsSizes} runs each)`,
    "",
    "| page_size | requests | median ms | min–max ms | client CPU ms | server CPU ms |",
    "|---:|---:|---:|---:|---:|---:|",
    ...sizes.map((row, i) => {
      const size = PAGE_SIZES[i]!
      const walls = row.samples.map((s) => s.wallMs)
      return `| ${size} | ${Math.ceil(EXPECTED / size)} | ${fmt(wall(row))} | ${fmt(min(walls))}–${fmt(max(walls))} | ${fmt(cpu(row))} | ${fmt(median(row.samples.map((s) => s.serverCpuMs)))} |`
    }),
    ""
  )

  // Targets.
  const zeroBase = wall(baseOf(0))
  const zeroC1 = wall(libAt(zeroRows, 1)!)
  const zeroDefault = wall(libAt(zeroRows, defaultConcurrency)!)
  const slowNaive = wall(byId(slow, "naive"))
  const slowDefault = wall(libAt(slow, defaultConcurrency)!)
  const ours = rss.filter((r) => r.build === "")
  const stream100k = ours.find((r) => r.mode === "stream" && r.items === EXPECTED)
  const stream1m = ours.find(
    (r) => r.mode === "stream" && r.items === BIG_EXPECTED && r.label?.includes("capped") !== true
  )
  const stream1mCapped = ours.find((r) => r.label?.includes("capped"))
  const targets = [
    `| 0 ms: list (c=1) within 1.5x of baseline | ${ratio(zeroC1, zeroBase)} (${fmt(zeroC1)} vs ${fmt(zeroBase)} ms) | ${verdict(zeroC1 <= 1.5 * zeroBase)} |`,
    `| 0 ms: default (c=${defaultConcurrency}) within 1.15x of baseline | ${ratio(zeroDefault, zeroBase)} (${fmt(zeroDefault)} vs ${fmt(zeroBase)} ms) | ${verdict(zeroDefault <= 1.15 * zeroBase)} |`,
    `| 25 ms: default (c=${defaultConcurrency}) at least 3x faster than naive | ${(slowNaive / slowDefault).toFixed(2)}x faster (${fmt(slowDefault)} vs ${fmt(slowNaive)} ms) | ${verdict(slowNaive >= 3 * slowDefault)} |`
  ]
  if (stream100k && stream1m) {
    targets.push(
      `| streaming 1M: peak RSS under 200 MiB | ${stream1m.maxRssMiB.toFixed(1)} MiB | ${verdict(stream1m.maxRssMiB < 200)} |`,
      ...(stream1mCapped
        ? [
            `| (informative) streaming 1M with ${HEAP_CAP}: peak RSS under 200 MiB | ${stream1mCapped.maxRssMiB.toFixed(1)} MiB | ${verdict(stream1mCapped.maxRssMiB < 200)} |`
          ]
        : []),
      `| streaming 1M: within 1.3x of streaming 100k | ${ratio(stream1m.maxRssMiB, stream100k.maxRssMiB)} (${stream1m.maxRssMiB.toFixed(1)} vs ${stream100k.maxRssMiB.toFixed(1)} MiB) | ${verdict(stream1m.maxRssMiB <= 1.3 * stream100k.maxRssMiB)} |`
    )
  }
  const cpu1k = cpuReport(cpuRows, EXPECTED)
  targets.push(...cpu1k.targets)
  emit("## Targets", "", "| target | measured | result |", "|---|---|---|", ...targets, "")

  emit(
    `## Client CPU per 1,000 balances (fresh processes, compiled JavaScript, 0 ms)`,
    "",
    `${fmt(EXPECTED)} balances per listing; each case in ${cpuRounds} fresh processes (round-robin), each listing ` +
      `${cpuWarmups} times unmeasured, then ${cpuRuns} times measured. CPU is the client process's user + system ` +
      `time (every thread: GC, I/O), so another process on the machine moves it less than wall time; ` +
      `medians over all measured listings. "× raw" compares with the raw loop's median in this run.`,
    "",
    ...cpu1k.table,
    ""
  )

  if (rss.length > 0) {
    emit(
      `## Peak memory (fresh process each, compiled JavaScript, concurrency ${defaultConcurrency}, ${chosen}, 0 ms)`,
      "",
      "| run | items | peak RSS MiB (maxRSS) | sampled peak RSS MiB | heap used at end MiB | wall ms |",
      "|---|---:|---:|---:|---:|---:|",
      ...rss.map((r) => {
        const name = r.label ?? r.mode
        return `| ${name} | ${fmt(r.items)} | ${r.maxRssMiB.toFixed(1)} | ${r.sampledPeakMiB.toFixed(1)} | ${r.heapUsedMiB.toFixed(1)} | ${fmt(r.wallMs)} |`
      }),
      ""
    )
  }

  emit("## Decode micro-benchmark", "", ...microTable(micro, Buffer.byteLength(pageText)), "")

  // Many links across runner processes (PostgreSQL, runners: bench/scale.ts).
  emit(...(await runScale({ quick, log })))
  emit(`Whole run: ${fmt((performance.now() - started) / 1000, 1)} s.`)

  const report = out.join("\n")
  console.log(report)
  if (!quick) writeFileSync(new URL("./results.md", import.meta.url), `${report}\n`)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
