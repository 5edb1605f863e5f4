/**
 * One case of the client-CPU section of `npm run bench`, in a process of its own: bench/cpu.ts
 * compiles this file to plain JavaScript first and runs
 *
 *   node cpuCase.js <case> <url> <link> <expected> <warmups> <runs> <secretId> <secretPassword> <amountKeys>
 *
 * `case` is `raw` (fetch + text() + JSON.parse, following `next`), `reviver` (the same with a
 * reviver keeping the amounts' source text) or `lib:<fetch|undici>:<concurrency>` (`Balances.list`
 * counted with `Stream.runCount`). The link is listed `warmups` times unmeasured, then `runs`
 * times, each listing's CPU (user + system, every thread of the process) and wall time measured;
 * prints one JSON line `{ cpuMs: [...], wallMs: [...] }`. A raw case loads nothing of the library,
 * a library case nothing of the sandbox.
 */
import * as Raw from "./raw.js"

const [
  kase = "raw",
  url = "",
  link = "",
  expected = "0",
  warmups = "1",
  runs = "5",
  id = "",
  password = "",
  keys = ""
] = process.argv.slice(2)

const authorization = `Basic ${Buffer.from(`${id}:${password}`).toString("base64")}`

/** The listing the case measures, and how to let go of what it holds. */
const listing = async (): Promise<{
  readonly run: () => Promise<number>
  readonly dispose: () => Promise<void>
}> => {
  if (kase === "raw") return { run: () => Raw.naive(url, link, authorization), dispose: async () => {} }
  if (kase === "reviver") {
    const parse = Raw.keepingAmountSource(keys.split(","))
    return { run: () => Raw.naive(url, link, authorization, parse), dispose: async () => {} }
  }
  const [, transport, concurrency] = kase.split(":")
  // Effect's modules by path, as the library imports them: the `effect` barrel loads every module.
  const Layer = await import("effect/Layer")
  const ManagedRuntime = await import("effect/ManagedRuntime")
  const Redacted = await import("effect/Redacted")
  const Stream = await import("effect/Stream")
  const { Balances, BelvoClient } = await import("../src/index.js")
  const http =
    transport === "undici"
      ? (await import("@effect/platform-node/NodeHttpClient")).layerUndici
      : (await import("effect/http/FetchHttpClient")).layer
  const runtime = ManagedRuntime.make(
    BelvoClient.layer({
      baseUrl: url,
      secretId: Redacted.make(id),
      secretPassword: Redacted.make(password)
    }).pipe(Layer.provide(http), Layer.orDie)
  )
  return {
    run: () =>
      runtime.runPromise(Stream.runCount(Balances.list({ link }, { concurrency: Number(concurrency) }))),
    dispose: () => runtime.dispose()
  }
}

const main = async () => {
  const { run, dispose } = await listing()
  const once = async () => {
    const items = await run()
    if (items !== Number(expected)) throw new Error(`${kase}: expected ${expected} items, got ${items}`)
  }
  for (let i = 0; i < Number(warmups); i++) await once()
  const cpuMs: Array<number> = []
  const wallMs: Array<number> = []
  for (let i = 0; i < Number(runs); i++) {
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    await once()
    wallMs.push(performance.now() - t0)
    const cpu = process.cpuUsage(cpu0)
    cpuMs.push((cpu.user + cpu.system) / 1000)
  }
  await dispose()
  console.log(JSON.stringify({ cpuMs, wallMs }))
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
