/**
 * Throwaway PostgreSQL 15 and Redis servers on 127.0.0.1 for the multi-process tests: each on a free
 * port, in its own temporary directory, stopped and deleted in the scope's finalizer (even when the
 * test fails). PostgreSQL runs from /usr/lib/postgresql/15/bin (`PG_BIN` overrides it), as the
 * `postgres` account when the tests run as root (initdb and postgres refuse root); Redis is
 * `redis-server` from `PATH` (`REDIS_SERVER` overrides it). `.ci/run` installs both where missing.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin"
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

const onPath = (command: string): boolean => {
  if (command.includes("/")) return fs.existsSync(command)
  return (process.env.PATH ?? "")
    .split(path.delimiter)
    .some((dir) => dir !== "" && fs.existsSync(path.join(dir, command)))
}

/** The account PostgreSQL runs as: `postgres` when we are root (initdb refuses root), else ourselves. */
const pgIdentity = (): { readonly uid: number; readonly gid: number } | undefined => {
  if (process.getuid?.() !== 0) return undefined
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim())
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim())
    return { uid, gid }
  } catch {
    throw new Error(
      "running as root, but there is no `postgres` account to run PostgreSQL as: .ci/run installs postgresql-15, which creates it"
    )
  }
}

export interface Postgres {
  readonly port: number
  /** `postgres://postgres@127.0.0.1:<port>/<database>`, trust authentication. */
  readonly urlOf: (database: string) => string
  /** Creates a database (one per test, so the engine's and the store's tables start empty). */
  readonly createDatabase: (name: string) => Promise<string>
  readonly startMillis: number
  readonly stop: () => Promise<void>
}

/**
 * Starts PostgreSQL 15: `initdb` into a temporary directory, then `postgres` as a child process
 * listening on 127.0.0.1 only, durability off (fsync, synchronous commit, full page writes).
 */
export const startPostgres = async (): Promise<Postgres> => {
  const t0 = performance.now()
  const postgresBin = path.join(PG_BIN, "postgres")
  if (!fs.existsSync(postgresBin)) {
    throw new Error(
      `PostgreSQL 15 is not installed (${postgresBin} is missing): .ci/run installs it (apt-get install postgresql-15), or set PG_BIN to its bin directory`
    )
  }
  const id = pgIdentity()
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "effect-belvo-pg-"))
  const cleanup = () => fs.rmSync(root, { recursive: true, force: true })
  const dataDir = path.join(root, "data")
  const socketDir = path.join(root, "sock")
  fs.mkdirSync(socketDir)
  if (id !== undefined) {
    fs.chownSync(root, id.uid, id.gid)
    fs.chownSync(socketDir, id.uid, id.gid)
  }
  const spawnOptions = {
    ...(id ?? {}),
    cwd: root,
    env: { PATH: process.env.PATH ?? "", LC_ALL: "C.UTF-8", LANG: "C.UTF-8" }
  }
  let child: ChildProcess | undefined
  try {
    execFileSync(
      path.join(PG_BIN, "initdb"),
      ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
      { ...spawnOptions, stdio: "pipe" }
    )
    const port = await freePort()
    // A child process, not `pg_ctl start`: it dies with its owner, and SIGINT is a fast shutdown.
    const started = spawn(
      postgresBin,
      [
        ...["-D", dataDir, "-h", "127.0.0.1", "-p", String(port), "-k", socketDir],
        ...["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
        ...["-c", "max_connections=200", "-c", "log_min_messages=warning"]
      ],
      { ...spawnOptions, stdio: ["ignore", "ignore", "pipe"] }
    )
    child = started
    let stderr = ""
    started.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    await tcpReady(port, Date.now() + 30_000).catch((error: unknown) => {
      throw new Error(`PostgreSQL did not start: ${String(error)}\n${stderr}`)
    })
    const psql = (sql: string) =>
      execFileSync(
        path.join(PG_BIN, "psql"),
        [
          "-h",
          "127.0.0.1",
          "-p",
          String(port),
          "-U",
          "postgres",
          "-d",
          "postgres",
          "-v",
          "ON_ERROR_STOP=1"
        ].concat(["-qAt", "-c", sql]),
        { stdio: "pipe", env: { PATH: process.env.PATH ?? "" } }
      )
    // Accepting TCP is not yet serving ("the database system is starting up"): retry a moment.
    for (let i = 0; ; i++) {
      try {
        psql("SELECT 1")
        break
      } catch (error) {
        if (i >= 400) throw error
        await sleep(25)
      }
    }
    const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`
    return {
      port,
      urlOf,
      createDatabase: async (name) => {
        if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`)
        psql(`CREATE DATABASE ${name}`)
        return urlOf(name)
      },
      startMillis: performance.now() - t0,
      stop: async () => {
        await stopChild(started, "SIGINT", 10_000)
        cleanup()
      }
    }
  } catch (error) {
    if (child !== undefined) await stopChild(child, "SIGKILL", 2_000)
    cleanup()
    throw error
  }
}

export interface Redis {
  readonly port: number
  readonly url: string
  readonly startMillis: number
  readonly stop: () => Promise<void>
}

/** Starts `redis-server` on 127.0.0.1, no persistence, in a temporary directory. */
export const startRedis = async (): Promise<Redis> => {
  const t0 = performance.now()
  if (!onPath(REDIS_SERVER)) {
    throw new Error(
      "redis-server is not installed: .ci/run installs it (apt-get install --no-install-recommends redis-server); on a Mac, brew install redis"
    )
  }
  const port = await freePort()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "effect-belvo-redis-"))
  const child = spawn(
    REDIS_SERVER,
    [
      ...["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"],
      ...["--dir", dir, "--daemonize", "no", "--loglevel", "warning"]
    ],
    { stdio: ["ignore", "pipe", "pipe"] }
  )
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
