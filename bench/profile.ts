/**
 * Profiling aid (not part of `npm run bench`): lists the 100k link `RUNS` times with the library
 * (or the baseline) so `node --cpu-prof` sees only the client; the sandbox runs in its own process.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile.ts [lib|baseline] [concurrency] [runs] [fetch|undici]
 *   npx tsx bench/profile-summary.ts /tmp/prof/<file>.cpuprofile
 */
import { SandboxModel } from "../src/testing/index.js"
import * as Cases from "./cases.js"
import { startServer } from "./harness.js"

const [which = "lib", concurrency = "1", runs = "5", transport = "fetch"] = process.argv.slice(2)

const main = async () => {
  const server = await startServer()
  const runtime = Cases.libRuntime(server.url, transport as Cases.Transport)
  const link = SandboxModel.largeLinkId
  const once = () =>
    which === "baseline"
      ? Cases.baseline(server.url, link, Number(concurrency))
      : Cases.lib(runtime, link, Number(concurrency))
  await once()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  for (let i = 0; i < Number(runs); i++) {
    const items = await once()
    if (items !== 100_000) throw new Error(`counted ${items}`)
  }
  const cpu = process.cpuUsage(cpu0)
  console.log(
    `${which} c=${concurrency} ${transport}: ${((performance.now() - t0) / Number(runs)).toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000 / Number(runs)).toFixed(0)} ms client CPU per run`
  )
  await runtime.dispose()
  await server.stop()
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
