// Every `@example` in src/ must compile: this extracts each one into .jsdoc/ as its own module,
// with "effect-belvo" mapped to the sources (tsconfig.jsdoc.json), and typechecks them all.
import { execFileSync } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join, relative, resolve } from "node:path"

const root = resolve(import.meta.dirname, "..")
const out = join(root, "jsdoc-examples")
rmSync(out, { recursive: true, force: true })
mkdirSync(out)

const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : path.endsWith(".ts") ? [path] : []
  })

let count = 0
const missing = []
for (const file of walk(join(root, "src"))) {
  const source = readFileSync(file, "utf8")
  const name = relative(join(root, "src"), file).replace(/[/.]/g, "_")
  for (const [index, match] of [
    ...source.matchAll(/@example\s*\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/g)
  ].entries()) {
    const code = match[1]
      .split("\n")
      .map((line) => line.replace(/^\s*\* ?/, ""))
      .join("\n")
    writeFileSync(join(out, `${name}_${index}.ts`), `${code}\n\nexport {}\n`)
    count++
  }
  // An exported declaration whose doc comment has no @example.
  if (!file.includes("/internal/")) {
    for (const match of source.matchAll(
      /(\/\*\*[\s\S]*?\*\/)\s*\nexport (?:const|class|interface|type|function) (\w+)/g
    )) {
      if (!match[1].includes("@since")) missing.push(`${relative(root, file)}: ${match[2]} has no @since`)
    }
  }
}
if (missing.length > 0) {
  console.error(missing.join("\n"))
  process.exit(1)
}
execFileSync("npx", ["tsc", "-p", "tsconfig.jsdoc.json", "--noEmit"], { cwd: root, stdio: "inherit" })
console.log(`${count} JSDoc examples typecheck`)
