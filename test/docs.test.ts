/**
 * Code in the docs is quoted from examples/, and each block stands alone: copied into a user's
 * project, it compiles as it is, imports included (scripts/jsdoc-examples.mjs compiles every block
 * on its own; the pack check compiles them again in a project that installed the tarball).
 *
 * Every ```ts block of README.md and docs/*.md names its example (a line ``From `examples/x.ts`:``,
 * then a blank line, just above it) and is, in order:
 *
 * 1. its import statements, each of which stands in that example: the example imports every name
 *    the statement binds, from the same module, the same way (a value import for a value; a type
 *    import may take either). Examples import the package's own entry points by path
 *    (`../src/index.js`), a user by name (`effect-belvo`): the two count as the same module.
 *    Nothing else is imported by a relative path, since a user's project has no such file;
 * 2. then a contiguous run of the example's lines (indentation aside).
 *
 * A ```json block that names an example is that whole file.
 */
import { existsSync, readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import ts from "typescript"
import { blocksOf, checkedBlocks, type DocBlock, documents, entryPoints } from "../scripts/doc-blocks.js"

const root = new URL("../", import.meta.url)
const rootPath = root.pathname
const read = (path: string) => readFileSync(new URL(path, root), "utf8")
const entries = entryPoints(rootPath)

/** One name an import statement binds: how (`default`, `*`, or the exported name), as what, and whether only as a type. */
interface Binding {
  readonly imported: string
  readonly local: string
  readonly typeOnly: boolean
}

interface Import {
  readonly module: string
  readonly bindings: ReadonlyArray<Binding>
  readonly text: string
}

const importOf = (declaration: ts.ImportDeclaration, source: ts.SourceFile, byName: boolean): Import => {
  const specifier = (declaration.moduleSpecifier as ts.StringLiteral).text
  const clause = declaration.importClause
  const typeOnly = clause?.isTypeOnly ?? false
  const bindings: Array<Binding> = []
  if (clause?.name) bindings.push({ imported: "default", local: clause.name.text, typeOnly })
  const named = clause?.namedBindings
  if (named && ts.isNamespaceImport(named)) bindings.push({ imported: "*", local: named.name.text, typeOnly })
  if (named && ts.isNamedImports(named)) {
    for (const element of named.elements) {
      bindings.push({
        imported: (element.propertyName ?? element.name).text,
        local: element.name.text,
        typeOnly: typeOnly || element.isTypeOnly
      })
    }
  }
  const module = byName ? (entries.get(specifier) ?? specifier) : specifier
  return { module, bindings, text: declaration.getText(source) }
}

const parse = (name: string, code: string) =>
  ts.createSourceFile(name, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)

/** A block's leading import statements, and the code after them. */
const splitBlock = (code: string) => {
  const source = parse("block.ts", code)
  const imports: Array<Import> = []
  let end = 0
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement)) break
    imports.push(importOf(statement, source, false))
    end = statement.getEnd()
  }
  return { imports, body: code.slice(end) }
}

const importsOf = (code: string): ReadonlyArray<Import> => {
  const source = parse("example.ts", code)
  return source.statements
    .filter(ts.isImportDeclaration)
    .map((statement) => importOf(statement, source, true))
}

/** Lines without their indentation, and without the blank lines around them. */
const lines = (code: string) => {
  const all = code.split("\n").map((line) => line.replace(/^[ \t]+/, "").trimEnd())
  while (all[0] === "") all.shift()
  while (all.at(-1) === "") all.pop()
  return all
}

/** Where `run` stands as consecutive lines of `within`, or -1. */
const indexOfRun = (within: ReadonlyArray<string>, run: ReadonlyArray<string>) => {
  for (let start = 0; start + run.length <= within.length; start++) {
    if (run.every((line, offset) => within[start + offset] === line)) return start
  }
  return -1
}

/** Why a ```ts block is not quoted from its example as the rule says, or undefined when it is. */
const problemOf = (block: DocBlock): string | undefined => {
  if (block.source === undefined)
    return "names no example (a line ``From `examples/x.ts`:`` then a blank line above it)"
  if (!existsSync(new URL(block.source, root))) return `quotes ${block.source}, which does not exist`
  const example = read(block.source)
  const available = importsOf(example)
  const { imports, body } = splitBlock(block.code)
  for (const statement of imports) {
    if (statement.module.startsWith(".")) {
      return `imports ${statement.module}: a block imports packages only, as a user's project has no such file`
    }
    const candidates = available.filter((other) => other.module === statement.module)
    const missing = statement.bindings.filter(
      (binding) =>
        !candidates.some((other) =>
          other.bindings.some(
            (mine) =>
              mine.imported === binding.imported &&
              mine.local === binding.local &&
              (binding.typeOnly || !mine.typeOnly)
          )
        )
    )
    if (candidates.length === 0 || missing.length > 0) {
      return `imports what ${block.source} does not (${missing.map((b) => b.local).join(", ") || statement.module}): ${statement.text}`
    }
  }
  const run = lines(body)
  if (run.length === 0) return "has imports and nothing else"
  if (indexOfRun(lines(example), run) < 0) {
    return `after its imports, is not a contiguous run of ${block.source}'s lines:\n${run.slice(0, 8).join("\n")}`
  }
  return undefined
}

const where = (block: DocBlock) => `${block.document}:${block.line}`

describe("docs quote compiled examples, each block on its own", () => {
  const blocks = checkedBlocks(rootPath)

  for (const document of documents(rootPath)) {
    it(document, () => {
      for (const block of blocks.filter((b) => b.document === document && b.language === "ts")) {
        const problem = problemOf(block)
        assert.isUndefined(problem, `${where(block)}: the block ${problem}`)
      }
      for (const block of blocks.filter((b) => b.document === document && b.language === "json")) {
        if (block.source === undefined) continue
        assert.strictEqual(`${block.code}\n`, read(block.source), `${where(block)} is not ${block.source}`)
      }
    })
  }

  it("the rule refuses what a user could not paste", () => {
    const errors = "examples/errors.ts"
    const block = (code: string, source: string | undefined = errors): DocBlock => ({
      document: "docs/x.md",
      index: 0,
      line: 1,
      language: "ts",
      source,
      code
    })
    const findBalance = `export const findBalance = (id: string) =>
  Balances.get(id).pipe(Effect.catchTag("NotFound", () => Effect.succeed(undefined)))`
    const imports = `import { Effect } from "effect"\nimport { Balances } from "effect-belvo"\n`
    assert.isUndefined(problemOf(block(`${imports}\n${findBalance}`)))
    assert.isUndefined(problemOf(block(`import { type Effect } from "effect"\n\n${findBalance}`)))
    // No example named, or another one than the lines come from.
    assert.include(
      problemOf({ ...block(`${imports}\n${findBalance}`), source: undefined }),
      "names no example"
    )
    assert.include(problemOf(block(`${imports}\n${findBalance}`, "examples/mfa.ts")), "contiguous run")
    // An import the example lacks, a value import of what it imports as a type, a relative path.
    assert.include(problemOf(block(`${imports}import { Stream } from "effect"\n\n${findBalance}`)), "Stream")
    assert.include(
      problemOf(
        block(`import { BelvoClient } from "effect-belvo"\n\nexport {}`, "examples/testing-client.test.ts")
      ),
      "BelvoClient"
    )
    assert.include(
      problemOf(block(`import { Balances } from "../src/index.js"\n\n${findBalance}`)),
      "packages only"
    )
    // Lines that are each in the example, but not in a row; code before an import.
    assert.include(problemOf(block(`${imports}\n${findBalance}\n}`)), "contiguous run")
    assert.include(problemOf(block(`${findBalance}\n${imports}`)), "contiguous run")
  })

  it("reads the example a block names", () => {
    const [named, unnamed] = blocksOf(
      "x.md",
      "From `examples/mfa.ts` (run it):\n\n```ts\nA\n```\n\ntext\n\n```ts\nB\n```\n"
    )
    assert.strictEqual(named?.source, "examples/mfa.ts")
    assert.strictEqual(named?.code, "A")
    assert.isUndefined(unnamed?.source)
  })

  it("every guide the README links to exists", () => {
    const links = Array.from(read("README.md").matchAll(/\]\((docs\/[^)#]+)\)/g)).map((match) => match[1])
    assert.isAtLeast(links.length, 8)
    for (const link of links) assert.include(documents(rootPath), link)
  })
})
