/**
 * Summarizes a V8 `.cpuprofile`: self time by function and by file, top entries.
 *
 *   npx tsx bench/profile-summary.ts <file.cpuprofile> [top]
 */
import { readFileSync } from "node:fs"
import { root } from "./compile.js"

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
    // The compiled tree (bench/compile.ts) or the repository itself.
    .replace(/^file:\/\/.*?\/effect-belvo-bench-[^/]+\//, "")
    .replace(new RegExp(`^file://${root}`), "") || "(native/VM)"

const add = (map: Map<string, number>, key: string, value: number) =>
  map.set(key, (map.get(key) ?? 0) + value)
/**
 * What a frame's self time is spent on, for the library's list path: `JSON.parse` is a builtin
 * and counts in its caller (`parseLossless`, or the raw loop's own function).
 */
const partOf = (functionName: string, url: string): string => {
  if (functionName === "(idle)") return "(idle: waiting for the server)"
  if (functionName === "(garbage collector)") return "garbage collection (main thread)"
  if (functionName.startsWith("RegExp: ")) return "regular expressions (the long-number pre-scan)"
  if (url === "src/internal/json.js") return "JSON.parse (parseLossless, parseHead)"
  if (url === "src/internal/timestamp.js" || url.startsWith("effect/dist/internal/dateTime"))
    return "timestamps (read, DateTime.Utc)"
  if (url === "src/internal/amount.js" || url === "effect/dist/BigDecimal.js") return "amounts (BigDecimal)"
  if (url === "src/internal/fastDecode.js") return "page decoder (ids, objects)"
  if (url.startsWith("src/")) return "rest of the library (attempt, paging, redaction)"
  if (url.startsWith("effect/")) return "Effect runtime and http"
  if (url.startsWith("undici/") || url.startsWith("@effect/platform-node")) return "transport (undici)"
  if (url.startsWith("node:") || url === "(native/VM)" || url.startsWith("internal/"))
    return "Node internals (fetch, streams, text decoding, modules)"
  return url
}

const byFunction = new Map<string, number>()
const byFile = new Map<string, number>()
const byPackage = new Map<string, number>()
const byPart = new Map<string, number>()
for (const [id, micros] of self) {
  const frame = byId.get(id)!.callFrame
  const url = shortUrl(frame.url)
  add(byPart, partOf(frame.functionName, url), micros)
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
print("self time by part", byPart, 20)
// The same without waiting: what the process spends its CPU on.
const idle = byPart.get("(idle: waiting for the server)") ?? 0
console.log(`\n## busy time by part (${((total - idle) / 1000).toFixed(0)} ms, idle left out)`)
for (const [part, micros] of [...byPart].filter(([, m]) => m !== idle).sort((a, b) => b[1] - a[1])) {
  console.log(`| ${part} | ${((100 * micros) / (total - idle)).toFixed(1)}% |`)
}
print("self time by package / file group", byPackage, 15)
print("self time by file", byFile, 20)
print("self time by function", byFunction, top)
