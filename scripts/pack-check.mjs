// Packs the package and checks the tarball the way a user meets it:
//
// 1. The entry points are in it, and every relative link of its markdown (README.md, and any other
//    .md it ships) points at a file it ships: a link to docs/ or examples/ that is not packed is
//    broken on npmjs.com and in node_modules. Every broken link is listed with what to add to
//    package.json `files`.
// 2. Installed into an empty project with its peer dependencies (`effect`, `@effect/platform-node`)
//    at the versions of package.json's devDependencies, npm sees every peer satisfied, and both
//    entry points import and run there: a retrieve over the in-process sandbox, and one over the
//    loopback server (which loads @effect/platform-node).
// 3. The `effect-belvo` command runs from the installed tarball as a user runs it: `npx effect-belvo
//    --help`, `balances list --format csv` on the embedded sandbox (`--sandbox`), and the same
//    listing against `effect-belvo sandbox` serving on loopback, which must print the same bytes.
//
// Run by `npm run test:pack` (with the repo's Node); the packed project runs on the same Node.
import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, normalize, relative, resolve, sep } from "node:path"
import { pathToFileURL } from "node:url"

const root = resolve(import.meta.dirname, "..")
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
const work = mkdtempSync(join(tmpdir(), "effect-belvo-pack-"))
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" })

/** Relative link targets of a markdown text, outside code blocks and code spans. */
const relativeLinks = (markdown) => {
  const prose = markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, "")
    .replace(/(`+)[\s\S]*?\1/g, "")
    .replace(/<!--[\s\S]*?-->/g, "")
  const targets = [
    // [text](target "title") and ![alt](target)
    ...Array.from(prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+["'(][^)]*)?\)/g), (m) => m[1]),
    // [label]: target
    ...Array.from(prose.matchAll(/^[ \t]{0,3}\[[^\]]+\]:[ \t]*<?(\S+?)>?(?:[ \t]+.*)?$/gm), (m) => m[1]),
    // <a href="target">, <img src="target">
    ...Array.from(prose.matchAll(/\b(?:href|src)=["']([^"']+)["']/g), (m) => m[1])
  ]
  return targets.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith("#"))
}

/** Every relative link of the packed markdown files that does not resolve to a packed file. */
const brokenLinks = (packageDir, files) => {
  const broken = []
  for (const file of files.filter((path) => path.toLowerCase().endsWith(".md"))) {
    const text = readFileSync(join(packageDir, file), "utf8")
    for (const target of relativeLinks(text)) {
      const path = decodeURIComponent(target.split(/[?#]/)[0])
      if (path === "") continue
      const resolved = normalize(join(dirname(join(packageDir, file)), path))
      const inside = relative(packageDir, resolved)
      const outside = inside.startsWith("..") || resolve(inside) === inside
      if (
        outside ||
        !existsSync(resolved) ||
        (!statSync(resolved).isFile() && !statSync(resolved).isDirectory())
      ) {
        broken.push({ file, target, path: outside ? undefined : inside.split(sep).join("/") })
      }
    }
  }
  return broken
}

/** Starts the installed `effect-belvo sandbox` on a free port, runs the command against it, stops it. */
const overTheSandboxServer = (app, args, SandboxModel) =>
  new Promise((resolve, reject) => {
    const server = spawn(join(app, "node_modules", ".bin", "effect-belvo"), ["sandbox", "--port", "0"], {
      cwd: app,
      stdio: ["ignore", "pipe", "inherit"]
    })
    let banner = ""
    const timer = setTimeout(() => {
      server.kill("SIGINT")
      reject(new Error(`effect-belvo sandbox did not start:\n${banner}`))
    }, 30_000)
    server.stdout.setEncoding("utf8").on("data", (text) => {
      banner += text
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1]
      if (url === undefined || !banner.includes("Ctrl-C to stop.")) return
      clearTimeout(timer)
      server.stdout.removeAllListeners("data")
      try {
        const env = {
          ...process.env,
          BELVO_BASE_URL: url,
          BELVO_SECRET_ID: SandboxModel.defaultSecretId,
          BELVO_SECRET_PASSWORD: SandboxModel.defaultSecretPassword
        }
        const output = execFileSync("npx", ["--no-install", "effect-belvo", ...args], {
          cwd: app,
          env,
          stdio: ["ignore", "pipe", "inherit"],
          encoding: "utf8"
        })
        server.once("close", () => resolve(output))
      } catch (error) {
        server.once("close", () => reject(error))
      }
      server.kill("SIGINT")
    })
  })

try {
  // --- the tarball ---
  const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], root))
  const tarball = join(work, packed.filename)
  const files = packed.files.map((file) => file.path)
  for (const required of [
    "dist/index.js",
    "dist/index.d.ts",
    "dist/testing/index.js",
    "dist/testing/index.d.ts",
    "dist/workflow/index.js",
    "dist/workflow/index.d.ts",
    "dist/cli/bin.js",
    "README.md"
  ]) {
    if (!files.includes(required)) throw new Error(`the tarball lacks ${required}`)
  }

  // --- links of the packed markdown ---
  const unpacked = join(work, "unpacked")
  mkdirSync(unpacked)
  run("tar", ["-xzf", tarball, "-C", unpacked], work)
  const packageDir = join(unpacked, "package")
  const broken = brokenLinks(packageDir, files)
  if (broken.length > 0) {
    const missingTops = [
      ...new Set(
        broken
          .filter((b) => b.path !== undefined && existsSync(join(root, b.path)))
          .map((b) => b.path.split("/")[0])
      )
    ]
    const lines = broken.map(
      (b) =>
        `  ${b.file}: (${b.target}) ${b.path === undefined ? "points outside the package" : `-> ${b.path} is not in the tarball`}`
    )
    throw new Error(
      `${broken.length} relative link(s) in the packed markdown do not resolve to a packed file:\n${lines.join("\n")}\n` +
        (missingTops.length > 0
          ? `The targets exist in the repository: add ${missingTops.map((top) => JSON.stringify(top)).join(", ")} to package.json "files".`
          : "Fix the links (or ship their targets).")
    )
  }
  console.log(
    `${files.length} files packed; every relative link of the packed markdown resolves inside the package`
  )

  // --- an empty project with the tarball and its peers ---
  const app = join(work, "app")
  mkdirSync(app)
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }))
  const peerNames = Object.keys(pkg.peerDependencies)
  const peers = peerNames.map((name) => {
    const range = pkg.devDependencies[name]
    if (range === undefined) throw new Error(`peer dependency ${name} is not in devDependencies`)
    return `${name}@${range}`
  })
  run(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball, ...peers],
    app
  )
  // npm lists unmet or invalid peers (and duplicate copies) as problems.
  let tree
  try {
    tree = JSON.parse(run("npm", ["ls", "--all", "--json"], app))
  } catch (error) {
    throw new Error(`npm ls reports problems in the installed project:\n${error.stdout ?? error}`)
  }
  if (tree.problems?.length > 0) throw new Error(`npm ls reports problems:\n${tree.problems.join("\n")}`)
  const installed = peerNames.map(
    (name) =>
      `${name}@${JSON.parse(readFileSync(join(app, "node_modules", name, "package.json"), "utf8")).version}`
  )
  if (existsSync(join(app, "node_modules", "@effect", "platform", "package.json"))) {
    throw new Error("@effect/platform was installed: nothing should depend on it with Effect 4")
  }

  // --- every entry point, imported and run ---
  writeFileSync(
    join(app, "check.mjs"),
    `import { Effect, Layer, Redacted } from "effect"
import { FetchHttpClient } from "effect/http"
import { Balance, BalanceQuery, Balances, BelvoClient, BelvoError, Mfa, MfaChallenge } from "effect-belvo"
import * as Testing from "effect-belvo/testing"
import * as Workflow from "effect-belvo/workflow"

const names = { Balance, BalanceQuery, Balances, BelvoClient, BelvoError, Mfa, MfaChallenge, ...Testing, ...Workflow }
for (const [name, mod] of Object.entries(names)) {
  if (typeof mod !== "object" || Object.keys(mod).length === 0) throw new Error(name + " is empty")
}
const { SandboxClient, SandboxModel, SandboxServer } = Testing
const retrieve = Balances.retrieve({ link: SandboxModel.plainLinkId, save_data: false })

const inProcess = await Effect.runPromise(retrieve.pipe(Effect.provide(SandboxClient.layer())))
if (inProcess.status !== 200 || inProcess.balances.length === 0) throw new Error("in-process retrieve failed")

const overLoopback = await Effect.runPromise(
  Effect.gen(function* () {
    const url = yield* SandboxServer.url
    return yield* retrieve.pipe(
      Effect.provide(
        BelvoClient.layer({
          baseUrl: url,
          secretId: Redacted.make(SandboxModel.defaultSecretId),
          secretPassword: Redacted.make(SandboxModel.defaultSecretPassword)
        }).pipe(Layer.provide(FetchHttpClient.layer))
      )
    )
  }).pipe(Effect.provide(SandboxServer.layerWithSandbox({ port: 0 })), Effect.scoped)
)
if (overLoopback.status !== 200 || overLoopback.balances.length !== inProcess.balances.length) {
  throw new Error("loopback retrieve failed")
}
const summary = await Effect.runPromise(
  Workflow.LinkSync.start({ link: SandboxModel.plainLinkId, run: "pack-check" }).pipe(
    Effect.provide(Workflow.LinkSync.layerEmbedded().pipe(Layer.provideMerge(SandboxClient.layer())))
  )
)
if (summary.status !== 201 || summary.retrieved === 0) throw new Error("embedded link sync failed")
console.log("imported and ran effect-belvo, effect-belvo/testing and effect-belvo/workflow from the packed tarball")
`
  )
  process.stdout.write(run(process.execPath, ["check.mjs"], app))

  // --- the command, as a user runs it: npx, then its own sandbox server ---
  const help = run("npx", ["--no-install", "effect-belvo", "--help"], app)
  if (!help.includes("USAGE\n  effect-belvo <subcommand>"))
    throw new Error(`npx effect-belvo --help printed:\n${help}`)
  const { SandboxModel } = await import(
    pathToFileURL(join(app, "node_modules", "effect-belvo", "dist", "testing", "index.js")).href
  )
  const listArgs = ["balances", "list", "--link", SandboxModel.plainLinkId, "--format", "csv"]
  const embedded = run("npx", ["--no-install", "effect-belvo", ...listArgs, "--sandbox"], app)
  const rows = embedded.trimEnd().split("\n")
  if (!rows[0]?.startsWith("id,link,account_id,") || rows.length < 2) {
    throw new Error(`npx effect-belvo ${listArgs.join(" ")} --sandbox printed:\n${embedded}`)
  }
  const served = await overTheSandboxServer(app, listArgs, SandboxModel)
  if (served !== embedded) throw new Error("the sandbox server's listing differs from the embedded sandbox's")
  console.log(
    `ran npx effect-belvo --help, and balances list --format csv (${rows.length - 1} rows) with --sandbox and against effect-belvo sandbox`
  )
  console.log(`with ${installed.join(", ")} on Node ${process.version}`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
