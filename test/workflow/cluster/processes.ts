/**
 * Starting the helper processes of the multi-process tests and the benchmark (runners, the
 * answerer, the rate limit's sharers): `node --import tsx <script>` (one process, so SIGKILL kills the real thing; the `tsx`
 * binary would fork a child that survives it), from the repository root, with the environment
 * variables NodeClusterSocket reads removed. Output is kept in memory (and printed on failure by
 * the tests); every process is SIGKILLed in its scope's finalizer.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { stopChild } from "../../support/servers.js"
import { shardingEnvironment } from "./cluster.js"

const ROOT = fileURLToPath(new URL("../../../", import.meta.url))

export const runnerScript = fileURLToPath(new URL("./runner.ts", import.meta.url))
export const answererScript = fileURLToPath(new URL("./answerer.ts", import.meta.url))
export const limiterScript = fileURLToPath(new URL("./limiter.ts", import.meta.url))

export interface Child {
  readonly name: string
  readonly process: ChildProcess
  readonly pid: number
  /** Every line it printed so far (stdout and stderr). */
  readonly lines: () => ReadonlyArray<string>
  /** Its JSON lines with an `event` field. */
  readonly events: () => ReadonlyArray<{ readonly event: string } & Record<string, unknown>>
  /** Resolves on its `{"event":"ready"}` line; rejects if it exits first. */
  readonly ready: Promise<void>
  readonly exited: Promise<void>
}

const childEnv = (env: Record<string, string>): NodeJS.ProcessEnv => {
  const base: NodeJS.ProcessEnv = { ...process.env }
  for (const key of shardingEnvironment) delete base[key]
  return { ...base, ...env }
}

/** Spawns `node --import tsx <script>` with `env` added. */
export const spawnScript = (name: string, script: string, env: Record<string, string>): Child => {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ["ignore", "pipe", "pipe"]
  })
  const lines: Array<string> = []
  const events: Array<{ readonly event: string } & Record<string, unknown>> = []
  let onReady: () => void = () => {}
  let onEarlyExit: (error: Error) => void = () => {}
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve
    onEarlyExit = reject
  })
  // Not every caller waits for it; a rejection nobody handles must not fail the run.
  ready.catch(() => {})
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let partial = ""
    stream?.on("data", (chunk: Buffer) => {
      partial += chunk.toString()
      const complete = partial.split("\n")
      partial = complete.pop() ?? ""
      for (const line of complete) {
        lines.push(line)
        if (!line.startsWith("{")) continue
        try {
          const parsed: unknown = JSON.parse(line)
          if (typeof parsed === "object" && parsed !== null && "event" in parsed) {
            const event = parsed as { readonly event: string } & Record<string, unknown>
            events.push(event)
            if (event.event === "ready") onReady()
          }
        } catch {
          // a log line that merely starts with a brace
        }
      }
    })
  }
  collect(child.stdout)
  collect(child.stderr)
  const exited = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      onEarlyExit(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${lines.join("\n")}`))
      resolve()
    })
  })
  return {
    name,
    process: child,
    pid: child.pid ?? -1,
    lines: () => lines,
    events: () => events,
    ready,
    exited
  }
}

/** A spawned script for the scope: SIGKILLed (if still running) when the scope closes. */
export const scopedScript = (
  name: string,
  script: string,
  env: Record<string, string>
): Effect.Effect<Child, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => spawnScript(name, script, env)),
    (child) => Effect.promise(() => stopChild(child.process, "SIGKILL", 5_000))
  )

/** Waits for its ready line, failing the test with its output after `millis`. */
export const awaitReady = (child: Child, millis: number): Effect.Effect<void> =>
  Effect.promise(() => child.ready).pipe(
    Effect.timeoutOrElse({
      duration: millis,
      orElse: () =>
        Effect.die(new Error(`${child.name} not ready after ${millis} ms:\n${child.lines().join("\n")}`))
    })
  )

/** How often a runner logged that it could not refresh its own shard locks (it then drops them all). */
export const lockTrouble = (child: Child): number =>
  child.lines().filter((line) => line.includes("Shard lock storage is unhealthy")).length

/** The longest event-loop delay a runner reported (its `loop` events, in ms), 0 when none. */
export const loopDelayMax = (child: Child): number =>
  child.events().reduce((max, event) => (event.event === "loop" ? Math.max(max, Number(event.max)) : max), 0)
