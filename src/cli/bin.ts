#!/usr/bin/env node
/**
 * The `effect-belvo` command (package.json `bin`). Before loading anything else, it checks what
 * the command needs and says plainly what is missing (exit 2): Node as package.json's `engines`
 * asks, and the two peer dependencies the command runs on, `effect` and `@effect/platform-node`
 * (the library itself needs only `effect`; `@effect/platform-node` is an optional peer).
 */
import { readFileSync } from "node:fs"

interface Manifest {
  readonly version: string
  readonly engines: { readonly node: string }
  readonly peerDependencies: Readonly<Record<string, string>>
}

// This file is dist/cli/bin.js (or src/cli/bin.ts): package.json is two levels up.
const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as Manifest

const numbers = (version: string): ReadonlyArray<number> =>
  (/(\d+)\.(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number)

const atLeast = (version: ReadonlyArray<number>, minimum: ReadonlyArray<number>): boolean => {
  for (let i = 0; i < minimum.length; i++) {
    const have = version[i] ?? 0
    const want = minimum[i] ?? 0
    if (have !== want) return have > want
  }
  return true
}

const resolves = (name: string): boolean => {
  try {
    import.meta.resolve(name)
    return true
  } catch {
    return false
  }
}

const problems: Array<string> = []
if (!atLeast(numbers(process.versions.node), numbers(manifest.engines.node))) {
  problems.push(`effect-belvo needs Node ${manifest.engines.node}; this is Node ${process.versions.node}.`)
}
const missing = ["effect", "@effect/platform-node"].filter((name) => !resolves(name))
if (missing.length > 0) {
  const install = missing.map((name) => `${name}@${manifest.peerDependencies[name] ?? "latest"}`).join(" ")
  problems.push(
    `The effect-belvo command needs ${missing.join(" and ")}, ${missing.length === 1 ? "a peer dependency" : "peer dependencies"} of effect-belvo: npm install ${install}`
  )
}

if (problems.length > 0) {
  process.stderr.write(`${problems.join("\n")}\n`)
  process.exitCode = 2
} else {
  const cli = await import("./main.js")
  cli.main(manifest.version)
}
