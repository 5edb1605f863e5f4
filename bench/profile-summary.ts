/**
 * Summarizes a V8 `.cpuprofile`: self time by function and by file, top entries.
 *
 *   npx tsx bench/profile-summary.ts <file.cpuprofile> [top]
 */
import { readFileSync } from "node:fs"

interface Node {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly children?: ReadonlyArray<number>
}

interface Profile {
  readonly nodes: ReadonlyArray<Node>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const [file = "", topArg = "30"] = process.argv.slice(2)
const top = Number(topArg)
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const self = new Map<number, number>()
profile.samples.forEach((id, i) => {
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
})
const total = [...self.values()].reduce((a, b) => a + b, 0)

const shortUrl = (url: string) =>
  url
    .replace(/^file:\/\/.*?\/node_modules\//, "")
    .replace(/^file:\/\/.*?\/work\/main\//, "")
    .replace(/^node:/, "node:") || "(native/VM)"

const add = (map: Map<string, number>, key: string, value: number) =>
  map.set(key, (map.get(key) ?? 0) + value)
const byFunction = new Map<string, number>()
const byFile = new Map<string, number>()
const byPackage = new Map<string, number>()
for (const [id, micros] of self) {
  const frame = byId.get(id)!.callFrame
  const url = shortUrl(frame.url)
  add(byFunction, `${frame.functionName || "(anonymous)"}  ${url}:${frame.lineNumber + 1}`, micros)
  add(byFile, url, micros)
  const pkg = url.startsWith("effect/")
    ? "effect"
    : url.startsWith("@effect/")
      ? url.split("/").slice(0, 2).join("/")
      : url.startsWith("src/")
        ? url
        : url.startsWith("node:") || url.startsWith("internal/")
          ? "node internals"
          : url
  add(byPackage, pkg, micros)
}

const print = (title: string, map: Map<string, number>, n: number) => {
  console.log(`\n## ${title}`)
  for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(
      `${((100 * micros) / total).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${key}`
    )
  }
}

console.log(`total sampled: ${(total / 1000).toFixed(0)} ms`)
print("self time by package / file group", byPackage, 15)
print("self time by file", byFile, 20)
print("self time by function", byFunction, top)
