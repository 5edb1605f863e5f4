/**
 * Profiling aid (not part of `npm run bench`): runs one case of bench/cpuCase.ts (compiled to
 * plain JavaScript, so functions keep their names and lines) under `node --cpu-prof` against the
 * sandbox server in its own process, then prints bench/profile-summary.ts's summary of the
 * profile. The profile covers the whole process: warm-up listings and start-up included.
 *
 *   npx tsx bench/profile.ts [case] [listings] [top]
 *
 * `case` as bench/cpuCase.ts takes it: `lib:undici:8` (the default), `lib:fetch:1`, `raw`,
 * `reviver`. The .cpuprofile file is kept (its path is printed) for Chrome DevTools or speedscope.
 * With BENCH_BASE=<git rev>, that revision's `src/` is profiled too, after this tree's.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Balance } from "../src/index.js"
import { SandboxModel } from "../src/testing/index.js"
import type { Build } from "./compile.js"
import { runStandalone } from "./cpu.js"

const [kase = "lib:undici:8", listings = "10", top = "40"] = process.argv.slice(2)

/** Profiles `kase` on one build and prints the summary. */
const profile = (build: Build, url: string) => {
  const dir = mkdtempSync(join(tmpdir(), "effect-belvo-profile-"))
  const out = execFileSync(
    process.execPath,
    [
      "--cpu-prof",
      `--cpu-prof-dir=${dir}`,
      build.compiled.path("bench/cpuCase.ts"),
      kase,
      url,
      SandboxModel.largeLinkId,
      "100000",
      "1",
      String(Number(listings) - 1),
      SandboxModel.defaultSecretId,
      SandboxModel.defaultSecretPassword,
      Balance.amountFieldNames.join(",")
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }
  )
  const { cpuMs } = JSON.parse(out.trim().split("\n").pop() ?? "{}") as { cpuMs: Array<number> }
  console.log(
    `\n# ${kase}${build.name === "" ? "" : ` at ${build.name}`}: ${cpuMs.map((ms) => ms.toFixed(0)).join(", ")} ms client CPU per listing (profiler on)`
  )
  const file = join(dir, readdirSync(dir)[0]!)
  console.log(`profile: ${file}`)
  execFileSync(
    process.execPath,
    ["--import", "tsx", new URL("./profile-summary.ts", import.meta.url).pathname, file, top],
    { stdio: "inherit" }
  )
}

runStandalone(async (url, builds) => {
  for (const build of builds) profile(build, url)
})
