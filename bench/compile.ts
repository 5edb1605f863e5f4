/**
 * Compiles benchmark entry points (and the src/ they import) to plain JavaScript in a temporary
 * directory, so what a child process measures (peak RSS, CPU, a CPU profile) is the library as a
 * user runs it, not the TypeScript loader (tsx alone adds ~60 MiB and about a third more CPU).
 */
import { execFileSync } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository root. */
export const root = fileURLToPath(new URL("..", import.meta.url))

export interface Compiled {
  readonly outDir: string
  /** The compiled file of an entry given relative to the root, e.g. `bench/rss.ts`. */
  readonly path: (entry: string) => string
  readonly remove: () => void
}

/**
 * Compiles `entries` (paths relative to `from`, the repository root by default) into a fresh
 * temporary directory; the repository's node_modules serve the compiled files.
 */
export const compile = (entries: ReadonlyArray<string>, from: string = root): Compiled => {
  const outDir = mkdtempSync(join(tmpdir(), "effect-belvo-bench-"))
  execFileSync(
    process.execPath,
    [
      join(root, "node_modules/typescript/bin/tsc"),
      "--outDir",
      outDir,
      "--rootDir",
      from,
      "--module",
      "nodenext",
      "--moduleResolution",
      "nodenext",
      "--target",
      "es2022",
      "--skipLibCheck",
      "--noCheck",
      "--types",
      "node",
      ...entries.map((entry) => join(from, entry))
    ],
    { stdio: "inherit" }
  )
  writeFileSync(join(outDir, "package.json"), '{"type":"module"}\n')
  symlinkSync(join(root, "node_modules"), join(outDir, "node_modules"))
  return {
    outDir,
    path: (entry) => join(outDir, entry.replace(/\.ts$/, ".js")),
    remove: () => rmSync(outDir, { recursive: true, force: true })
  }
}

/**
 * Compiles `entries` of this tree (with every bench/ file they import) against the `src/` of git
 * commit `rev`, to measure the library as it was there with today's benchmark code.
 */
export const compileAt = (
  rev: string,
  entries: ReadonlyArray<string>
): Compiled & { readonly commit: string } => {
  const commit = execFileSync("git", ["rev-parse", "--short", rev], { cwd: root, encoding: "utf8" }).trim()
  const tree = mkdtempSync(join(tmpdir(), "effect-belvo-src-"))
  try {
    execFileSync("sh", ["-c", `git archive ${commit} src | tar -x -C "${tree}"`], { cwd: root })
    // ES modules, as in the repository (nodenext reads the nearest package.json).
    writeFileSync(join(tree, "package.json"), '{"type":"module"}\n')
    for (const entry of entries) {
      mkdirSync(join(tree, entry, ".."), { recursive: true })
      copyFileSync(join(root, entry), join(tree, entry))
    }
    return { ...compile(entries, tree), commit }
  } finally {
    rmSync(tree, { recursive: true, force: true })
  }
}

/** A build of the library to measure: this tree's (`name` ""), or an earlier commit's. */
export interface Build {
  readonly name: string
  readonly compiled: Compiled
}

/**
 * `entries` compiled for this tree and, when BENCH_BASE names a git revision, against that
 * revision's `src/` too, so one run measures both side by side.
 */
export const benchBuilds = (
  entries: ReadonlyArray<string>
): { readonly builds: ReadonlyArray<Build>; readonly remove: () => void } => {
  const builds: Array<Build> = [{ name: "", compiled: compile(entries) }]
  const base = process.env.BENCH_BASE
  if (base !== undefined && base !== "") {
    const at = compileAt(base, entries)
    builds.push({ name: `${base} (${at.commit})`, compiled: at })
  }
  return {
    builds,
    remove: () => {
      for (const build of builds) build.compiled.remove()
    }
  }
}
