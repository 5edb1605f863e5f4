// Packs the package, installs the tarball into an empty temporary project and imports both entry
// points there, the way a user would. Peer dependencies come from the local npm cache.
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

const root = resolve(import.meta.dirname, "..")
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
const work = mkdtempSync(join(tmpdir(), "effect-belvo-pack-"))
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" })

try {
  const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], root))
  const tarball = join(work, packed.filename)
  const files = packed.files.map((file) => file.path)
  for (const required of [
    "dist/index.js",
    "dist/index.d.ts",
    "dist/testing/index.js",
    "dist/testing/index.d.ts"
  ]) {
    if (!files.includes(required)) throw new Error(`the tarball lacks ${required}`)
  }
  const app = join(work, "app")
  run("mkdir", ["-p", app], work)
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }))
  const peers = Object.keys(pkg.peerDependencies).map((name) => `${name}@${pkg.devDependencies[name]}`)
  run(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball, ...peers],
    app
  )
  writeFileSync(
    join(app, "check.mjs"),
    `import { Balance, BalanceQuery, Balances, BelvoClient, BelvoError, Mfa, MfaChallenge } from "effect-belvo"
import * as Testing from "effect-belvo/testing"
const names = { Balance, BalanceQuery, Balances, BelvoClient, BelvoError, Mfa, MfaChallenge }
for (const [name, mod] of Object.entries(names)) if (typeof mod !== "object" || Object.keys(mod).length === 0) throw new Error(name + " is empty")
if (typeof Balances.list !== "function" || Object.keys(Testing).length === 0) throw new Error("missing exports")
console.log("imported effect-belvo and effect-belvo/testing from the packed tarball")
`
  )
  process.stdout.write(run("node", ["check.mjs"], app))
} finally {
  rmSync(work, { recursive: true, force: true })
}
