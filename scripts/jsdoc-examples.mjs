// Every export in src/ (outside internal/) is documented, every `@example` in src/ compiles, and
// so does every ```ts block of README.md and docs/*.md, on its own, as a user would paste it.
//
// 1. Each exported declaration (`export const|let|class|interface|type|function|enum`, and
//    `export * as` in index files) must sit right under a `/** … */` doc comment carrying `@since`.
//    All but `export * as` also need an `@example` with a ```ts block. Anything missing is listed
//    (file:line and name) and the script exits 1 before typechecking.
// 2. Each ```ts block after `@example` is extracted into jsdoc-examples/ as its own module, with
//    "effect-belvo" mapped to the sources (tsconfig.jsdoc.json), and they are all typechecked.
// 3. So is each ```ts block of README.md and docs/*.md: quoted from examples/ (test/docs.test.ts),
//    each must carry its own imports and compile alone. (The pack check compiles them again in a
//    project that installed the tarball.)
import { execFileSync } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join, relative, resolve, sep } from "node:path"
import { checkedBlocks, fileNameOf } from "./doc-blocks.ts"

const root = resolve(import.meta.dirname, "..")
const out = join(root, "jsdoc-examples")
rmSync(out, { recursive: true, force: true })
mkdirSync(out)

const walk = (dir) =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      return statSync(path).isDirectory() ? walk(path) : path.endsWith(".ts") ? [path] : []
    })

const exampleBlock = /@example[ \t]*\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/g
const declaration =
  /^export (?:declare )?(?:(?:const|let|var|enum|interface|type)|(?:abstract )?class|(?:async )?function\*?)\s+(\w+)|^export \* as (\w+) from/gm

const lineOf = (source, index) => source.slice(0, index).split("\n").length

let count = 0
const missing = []
for (const file of walk(join(root, "src"))) {
  const source = readFileSync(file, "utf8")
  const path = relative(root, file)
  const name = relative(join(root, "src"), file).replace(/[/\\.]/g, "_")

  // Doc comments, keyed by the offset just past their closing `*/`.
  const comments = new Map()
  for (const match of source.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    comments.set(match.index + match[0].length, match[0])
  }

  for (const [index, match] of [...source.matchAll(exampleBlock)].entries()) {
    const code = match[1]
      .split("\n")
      .map((line) => line.replace(/^\s*\* ?/, ""))
      .join("\n")
    writeFileSync(join(out, `${name}_${index}.ts`), `${code}\n\nexport {}\n`)
    count++
  }

  if (relative(join(root, "src"), file).split(sep).includes("internal")) continue
  let previous
  for (const match of source.matchAll(declaration)) {
    const exported = match[1] ?? match[2]
    const isNamespace = match[2] !== undefined
    const where = `${path}:${lineOf(source, match.index)}: ${exported}`
    const before = source.slice(0, match.index).trimEnd()
    const doc = comments.get(before.length)
    // A function overload signature after the first one shares its doc comment.
    const isOverload =
      doc === undefined && previous?.name === exported && /^export (?:async )?function/.test(match[0])
    previous = { name: exported }
    if (isOverload) continue
    if (doc === undefined) {
      missing.push(`${where} has no doc comment`)
      continue
    }
    if (!/@since\s/.test(doc)) missing.push(`${where} has no @since`)
    if (isNamespace) continue
    const examples = doc.match(/@example/g)?.length ?? 0
    const blocks = [...doc.matchAll(exampleBlock)].length
    if (examples === 0) missing.push(`${where} has no @example`)
    else if (blocks < examples) missing.push(`${where} has an @example without a \`\`\`ts block`)
  }
}
// The docs' blocks (scripts/doc-blocks.ts reads them, as test/docs.test.ts and the pack check do).
const docBlocks = checkedBlocks(root).filter((block) => block.language === "ts")
for (const block of docBlocks) {
  writeFileSync(join(out, fileNameOf(block)), `${block.code}\n\nexport {}\n`)
}

if (missing.length > 0) {
  console.error(`Undocumented exports (${missing.length}):\n${missing.join("\n")}`)
  process.exit(1)
}
execFileSync("npx", ["tsc", "-p", "tsconfig.jsdoc.json", "--noEmit"], { cwd: root, stdio: "inherit" })
console.log(
  `${count} JSDoc examples and ${docBlocks.length} code blocks of the docs typecheck, each on its own`
)
