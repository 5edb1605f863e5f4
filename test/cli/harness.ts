/**
 * Running the built `effect-belvo` command as a separate process, the way a user runs it.
 *
 * - `build` compiles src/ with tsconfig.build.json (the same JavaScript `npm run build` emits,
 *   without declarations) into a package directory under node_modules/.cache, with package.json
 *   beside it: dist/cli/bin.js there is the installed command, and `effect` resolves from the
 *   repository's node_modules. Incremental, so a second run compiles only what changed.
 * - `run` runs it to the end with stdout and stderr as pipes; `start` keeps it running.
 * - `pty` runs it under a pseudo-terminal with util-linux `script(1)` (no native addon): keys are
 *   typed into the terminal, the screen is read back. Where `script` is missing or is not
 *   util-linux's, `ptyMissing` says why and the terminal tests print one line and do not run.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process"
import { copyFileSync, mkdirSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Effect from "effect/Effect"

const root = fileURLToPath(new URL("../../", import.meta.url))
const packageDir = join(root, "node_modules", ".cache", "effect-belvo-cli")

/** The built command. */
export const bin = join(packageDir, "dist", "cli", "bin.js")

/** Compiles the command (see the module comment); throws with tsc's output on an error. */
export const build = (): void => {
  mkdirSync(packageDir, { recursive: true })
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  try {
    execFileSync(
      process.execPath,
      [
        tsc,
        "-p",
        "tsconfig.build.json",
        "--outDir",
        join(packageDir, "dist"),
        "--declaration",
        "false",
        "--declarationMap",
        "false",
        "--sourceMap",
        "false",
        "--incremental",
        "--tsBuildInfoFile",
        join(packageDir, "tsbuildinfo")
      ],
      { cwd: root, stdio: "pipe", encoding: "utf8" }
    )
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string }
    throw new Error(`building the command failed:\n${output.stdout ?? ""}${output.stderr ?? ""}`)
  }
  copyFileSync(join(root, "package.json"), join(packageDir, "package.json"))
}

/** The environment of a run: this process's, without any BELVO_* or PORT, plus `extra`. */
export const environment = (extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("BELVO_") && key !== "PORT") env[key] = value
  }
  return { ...env, ...extra }
}

export interface Options {
  readonly env?: Readonly<Record<string, string>> | undefined
  readonly cwd?: string | undefined
}

export interface Result {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** A running command: its output so far, a way to wait for some of it, and its end. */
export interface Running {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  /** Waits until `pattern` is in stdout + stderr (at most `timeout` ms): the match. */
  readonly waitFor: (pattern: RegExp, timeout?: number) => Effect.Effect<RegExpExecArray>
  readonly exit: Effect.Effect<Result>
}

const track = (child: ChildProcess): Running => {
  let stdout = ""
  let stderr = ""
  const listeners = new Set<() => void>()
  const changed = () => {
    for (const listener of listeners) listener()
  }
  child.stdout?.setEncoding("utf8").on("data", (text: string) => {
    stdout += text
    changed()
  })
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    stderr += text
    changed()
  })
  const ended = new Promise<Result>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
  )
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: (pattern, timeout = 60_000) =>
      Effect.callback<RegExpExecArray>((resume) => {
        const check = () => {
          const match = pattern.exec(stdout + stderr)
          if (match === null) return false
          cleanup()
          resume(Effect.succeed(match))
          return true
        }
        const timer = setTimeout(() => {
          cleanup()
          resume(
            Effect.die(new Error(`timed out waiting for ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`))
          )
        }, timeout)
        const cleanup = () => {
          clearTimeout(timer)
          listeners.delete(listener)
        }
        const listener = () => void check()
        listeners.add(listener)
        check()
        return Effect.sync(cleanup)
      }),
    exit: Effect.promise(() => ended)
  }
}

/** Starts the command with `args`; stdin, stdout and stderr are pipes. */
export const start = (args: ReadonlyArray<string>, options: Options = {}): Running =>
  track(
    spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? root,
      env: environment(options.env),
      stdio: ["pipe", "pipe", "pipe"]
    })
  )

/** Runs the command with `args` to its end, stdin closed. */
export const run = (args: ReadonlyArray<string>, options: Options = {}): Effect.Effect<Result> =>
  Effect.suspend(() => {
    const running = start(args, options)
    running.child.stdin?.end()
    return running.exit
  })

// --- pseudo-terminal ---

const scriptHelp = spawnSync("script", ["--help"], { encoding: "utf8" })

/** Why the pseudo-terminal tests cannot run here, or `undefined` when they can. */
export const ptyMissing: string | undefined =
  scriptHelp.error !== undefined
    ? "script(1) is not installed (util-linux)"
    : !/--echo/.test(`${scriptHelp.stdout}${scriptHelp.stderr}`)
      ? "script(1) here is not util-linux 2.35 or later (no --echo)"
      : undefined

const shellQuote = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`

/**
 * Runs the command under a pseudo-terminal: stdin, stdout and stderr are the terminal, unless
 * `redirect` sends stdout to a file (the shell's `>`, inside the terminal session). Typed keys go to
 * `child.stdin`; the screen is `stdout()`.
 */
export const pty = (
  args: ReadonlyArray<string>,
  options: Options & { readonly redirect?: string } = {}
): Running => {
  const command = [process.execPath, bin, ...args].map(shellQuote).join(" ")
  const line = options.redirect === undefined ? command : `${command} > ${shellQuote(options.redirect)}`
  return track(
    spawn("script", ["--quiet", "--return", "--echo", "never", "--command", line, "/dev/null"], {
      cwd: options.cwd ?? root,
      env: environment({ TERM: "xterm-256color", ...options.env }),
      stdio: ["pipe", "pipe", "pipe"]
    })
  )
}

/**
 * What a terminal shows after `output`: a small terminal that keeps lines and a cursor column,
 * handling what the prompts use (carriage return, cursor to a column, erase line, erase to the
 * end of the line) and ignoring colours and cursor visibility. Lines end with `\n`.
 */
export const screen = (output: string): string => {
  const lines: Array<string> = []
  let line = ""
  let column = 0
  const put = (text: string) => {
    line = line.slice(0, column).padEnd(column) + text + line.slice(column + text.length)
    column += text.length
  }
  // CSI sequences, OSC sequences, the controls handled, and runs of text.
  const controls =
    // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal control sequences
    /\u001b\[([0-9;?]*)([A-Za-z])|\u001b\][^\u0007]*\u0007|([\r\n\u0007\x08])|([^\u001b\r\n\u0007\x08]+)/g
  const tokens = output.matchAll(controls)
  for (const [, parameters = "", command, control, text] of tokens) {
    if (text !== undefined) put(text)
    else if (control === "\r") column = 0
    else if (control === "\n") {
      lines.push(line)
      line = ""
      column = 0
    } else if (control === "\b") column = Math.max(0, column - 1)
    else if (command === "G") column = Math.max(0, Number(parameters || "1") - 1)
    else if (command === "K")
      line =
        parameters === "2"
          ? ""
          : parameters === "1"
            ? " ".repeat(column) + line.slice(column)
            : line.slice(0, column)
  }
  if (line !== "") lines.push(line)
  return lines.map((text) => `${text.trimEnd()}\n`).join("")
}
