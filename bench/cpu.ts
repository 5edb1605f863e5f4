/**
 * The client-CPU section of `npm run bench`: client CPU per 1,000 balances streamed, each case in
 * fresh processes of its own (compiled JavaScript, bench/cpuCase.ts), against the sandbox server
 * at 0 ms: the raw loop (`fetch` + `text()` + `JSON.parse`, following `next`), the same with a
 * reviver keeping amounts' source text, and `Balances.list` at concurrency 1 and the default, on
 * undici and fetch. CPU is the whole process's (user + system, GC and I/O threads included), read
 * per listing after warm-up listings; medians over every listing of every process.
 *
 * Run alone, `npx tsx bench/cpu.ts` starts the sandbox server and prints the section.
 * BENCH_BASE=<git rev> (alone or in `npm run bench`) adds the library rows of that commit's
 * `src/`, measured in the same run, round-robin with this tree's. BENCH_CPU_ROUNDS (default 3)
 * processes per case, BENCH_CPU_RUNS (default 5) measured listings per process.
 */
import { spawn } from "node:child_process"
import { pathToFileURL } from "node:url"
import { Balance, Balances } from "../src/index.js"
import { SandboxModel } from "../src/testing/index.js"
import { type Build, benchBuilds } from "./compile.js"
import { fmt, max, median, min, startServer } from "./harness.js"

/** Client CPU per 1,000 balances the library may take at the default concurrency. */
export const TARGET_MS_PER_1K = { undici: 8, fetch: 9 } as const

/** The entries a CPU case process needs compiled. */
export const cpuEntries = ["bench/cpuCase.ts", "bench/raw.ts"]

export interface CpuCase {
  /** What bench/cpuCase.ts is asked to run. */
  readonly run: string
  readonly label: string
  readonly transport: "fetch" | "undici"
  readonly concurrency: number
  readonly build: Build
}

export interface CpuRow {
  readonly kase: CpuCase
  /** CPU ms of each measured listing, every process's. */
  readonly cpuMs: ReadonlyArray<number>
  /** Each process's median CPU ms per listing. */
  readonly processMedians: ReadonlyArray<number>
  readonly wallMs: ReadonlyArray<number>
}

const c = Balances.defaultConcurrency

/** The raw loops (run from the first build: they use nothing of the library), then the library cases. */
const casesOf = (builds: ReadonlyArray<Build>): ReadonlyArray<CpuCase> => [
  {
    run: "raw",
    label: "raw: fetch + text() + JSON.parse, follow next",
    transport: "fetch",
    concurrency: 1,
    build: builds[0]!
  },
  {
    run: "reviver",
    label: "raw + JSON.parse reviver keeping amounts' source text",
    transport: "fetch",
    concurrency: 1,
    build: builds[0]!
  },
  // Each library case on every build back to back, so a change in the machine's load between
  // cases moves both sides of a comparison alike.
  ...(["undici", "fetch"] as const).flatMap((transport) =>
    [1, c].flatMap((concurrency) =>
      builds.map((build) => ({
        run: `lib:${transport}:${concurrency}`,
        label: `effect-belvo list${concurrency === c ? " (default)" : ", follow next"}${build.name === "" ? "" : `, ${build.name}`}`,
        transport,
        concurrency,
        build
      }))
    )
  )
]

const keyOf = (kase: CpuCase) => `${kase.run}@${kase.build.name}`

interface Listing {
  readonly url: string
  readonly link: string
  readonly expected: number
  readonly warmups: number
  readonly runs: number
}

const runCase = (kase: CpuCase, listing: Listing): Promise<{ cpuMs: Array<number>; wallMs: Array<number> }> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        kase.build.compiled.path("bench/cpuCase.ts"),
        kase.run,
        listing.url,
        listing.link,
        String(listing.expected),
        String(listing.warmups),
        String(listing.runs),
        SandboxModel.defaultSecretId,
        SandboxModel.defaultSecretPassword,
        Balance.amountFieldNames.join(",")
      ],
      { stdio: ["ignore", "pipe", "inherit"] }
    )
    let out = ""
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.on("exit", (code) => {
      const line = out.trim().split("\n").pop() ?? ""
      if (code !== 0) reject(new Error(`cpu case ${keyOf(kase)} exited with ${code}: ${out}`))
      else resolve(JSON.parse(line))
    })
  })

const perThousand = (ms: number, items: number) => ((ms * 1000) / items).toFixed(2)

/** Runs every case of `builds` in `rounds` fresh processes each, round-robin. */
export const runCpu = async (
  options: Listing & {
    readonly builds: ReadonlyArray<Build>
    readonly rounds: number
    readonly log: (line: string) => void
  }
): Promise<ReadonlyArray<CpuRow>> => {
  const cases = casesOf(options.builds)
  const rows = new Map(
    cases.map((kase) => [
      keyOf(kase),
      { cpuMs: [] as Array<number>, processMedians: [] as Array<number>, wallMs: [] as Array<number> }
    ])
  )
  for (let round = 1; round <= options.rounds; round++) {
    for (const kase of cases) {
      const result = await runCase(kase, options)
      const row = rows.get(keyOf(kase))!
      row.cpuMs.push(...result.cpuMs)
      row.processMedians.push(median(result.cpuMs))
      row.wallMs.push(...result.wallMs)
      options.log(
        `  round ${round}/${options.rounds} ${keyOf(kase)}: ${perThousand(median(result.cpuMs), options.expected)} ms CPU per 1k (${result.cpuMs.map((ms) => fmt(ms)).join(", ")} ms per listing)`
      )
    }
  }
  return cases.map((kase) => ({ kase, ...rows.get(keyOf(kase))! }))
}

/** The section's table and its target lines (this tree's rows only). */
export const cpuReport = (
  rows: ReadonlyArray<CpuRow>,
  expected: number
): { readonly table: Array<string>; readonly targets: Array<string> } => {
  const rawMedian = median(rows.find((row) => row.kase.run === "raw")!.cpuMs)
  const table = [
    "| case | transport | concurrency | client CPU ms per 1k balances | min–max of processes | × raw | wall ms per listing |",
    "|---|---|---:|---:|---:|---:|---:|",
    ...rows.map((row) => {
      const cpu = median(row.cpuMs)
      return `| ${row.kase.label} | ${row.kase.transport} | ${row.kase.concurrency} | ${perThousand(cpu, expected)} | ${perThousand(min(row.processMedians), expected)}–${perThousand(max(row.processMedians), expected)} | ${(cpu / rawMedian).toFixed(2)}x | ${fmt(median(row.wallMs))} |`
    })
  ]
  const targets = (["undici", "fetch"] as const).map((transport) => {
    const row = rows.find((r) => r.kase.run === `lib:${transport}:${c}` && r.kase.build.name === "")!
    const cpu = median(row.cpuMs)
    const perK = (cpu * 1000) / expected
    const limit = TARGET_MS_PER_1K[transport]
    return `| client CPU, default (c=${c}), ${transport}: at most ${limit} ms per 1k balances | ${perK.toFixed(2)} ms (${(cpu / rawMedian).toFixed(2)}x raw) | ${perK <= limit ? "PASS" : "MISS"} |`
  })
  return { table, targets }
}

/**
 * Runs `body` as a script: the sandbox server started and the CPU entries built (this tree, and
 * BENCH_BASE's), both let go of afterwards; a failure exits 1.
 */
export const runStandalone = (body: (url: string, builds: ReadonlyArray<Build>) => Promise<void>): void => {
  const main = async () => {
    const server = await startServer()
    const { builds, remove } = benchBuilds(cpuEntries)
    try {
      await body(server.url, builds)
    } finally {
      remove()
      await server.stop()
    }
  }
  main().catch((error) => {
    console.error(error)
    process.exit(1)
  })
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const quick = process.env.BENCH_QUICK === "1"
  const expected = 100_000
  runStandalone(async (url, builds) => {
    const rows = await runCpu({
      builds,
      url,
      link: SandboxModel.largeLinkId,
      expected,
      rounds: quick ? 1 : Number(process.env.BENCH_CPU_ROUNDS ?? 3),
      runs: quick ? 1 : Number(process.env.BENCH_CPU_RUNS ?? 5),
      warmups: quick ? 1 : 2,
      log: (line) => process.stderr.write(`${line}\n`)
    })
    const { table, targets } = cpuReport(rows, expected)
    console.log([...table, "", "| target | measured | result |", "|---|---|---|", ...targets].join("\n"))
  })
}
