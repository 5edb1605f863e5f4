/**
 * Peak memory of one listing, in a fresh process. `npm run bench` compiles this file to plain
 * JavaScript first (so the TypeScript loader is not measured) and runs `node rss.js <mode> <url>
 * <link> <expected> <transport> <secretId> <secretPassword>` with mode `stream` (count with `Stream.runCount`), `collect`
 * (`Stream.runCollect` into memory) or `idle` (imports loaded, nothing listed). Prints one JSON line:
 * `{ mode, items, maxRssMiB, sampledPeakMiB, heapUsedMiB, wallMs }`.
 */
// Effect's modules by path, as the library imports them: the `effect` barrel loads every module.
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { Balances, BelvoClient } from "../src/index.js"

// Only the library and one transport are loaded (not the sandbox), so `idle` is the client's floor.
const [mode = "idle", url = "", link = "", expected = "0", transport = "fetch", id = "", password = ""] =
  process.argv.slice(2)

const transportLayer = async () =>
  transport === "undici"
    ? (await import("@effect/platform-node/NodeHttpClient")).layerUndici
    : (await import("effect/http/FetchHttpClient")).layer

const MiB = 1024 * 1024
let sampledPeak = process.memoryUsage().rss
const sampler = setInterval(() => {
  sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss)
}, 10)

const main = async () => {
  const t0 = performance.now()
  let items = 0
  let held: unknown
  if (mode !== "idle") {
    const runtime = ManagedRuntime.make(
      BelvoClient.layer({
        baseUrl: url,
        secretId: Redacted.make(id),
        secretPassword: Redacted.make(password)
      }).pipe(Layer.provide(await transportLayer()), Layer.orDie)
    )
    const stream = Balances.list({ link }, { concurrency: Balances.defaultConcurrency })
    if (mode === "collect") {
      const all = await runtime.runPromise(Stream.runCollect(stream))
      items = all.length
      held = all
    } else {
      items = await runtime.runPromise(Stream.runCount(stream))
    }
    await runtime.dispose()
    if (items !== Number(expected)) throw new Error(`rss ${mode}: expected ${expected} items, got ${items}`)
  }
  const wallMs = performance.now() - t0
  clearInterval(sampler)
  sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss)
  const heapUsedMiB = process.memoryUsage().heapUsed / MiB
  // Linux reports maxRSS in KiB.
  const maxRssMiB = process.resourceUsage().maxRSS / 1024
  console.log(
    JSON.stringify({
      mode,
      items,
      maxRssMiB,
      sampledPeakMiB: sampledPeak / MiB,
      heapUsedMiB,
      wallMs,
      held: held !== undefined
    })
  )
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
