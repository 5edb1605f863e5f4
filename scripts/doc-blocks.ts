/**
 * The code blocks of the docs (README.md and docs/*.md), read one way for the three checks that
 * use them: test/docs.test.ts (each ```ts block is quoted from the example it names),
 * scripts/jsdoc-examples.mjs (each compiles on its own, effect-belvo mapped to the sources) and
 * scripts/pack-check.mjs (each compiles in an empty project that installed the packed tarball).
 *
 * Plain TypeScript that Node runs as is (the scripts import it as `./doc-blocks.ts`).
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

/** One fenced block of a document. */
export interface DocBlock {
  /** The document, relative to the package root: `README.md`, `docs/mfa.md`. */
  readonly document: string
  /** The block's position among the document's fenced blocks, from 0. */
  readonly index: number
  /** Its 1-based line in the document. */
  readonly line: number
  /** The fence's language: `ts`, `json`, `sh`, or `""`. */
  readonly language: string
  /** The example it quotes, from a line ``From `examples/x.ts`…:`` then a blank line above it. */
  readonly source: string | undefined
  readonly code: string
}

/** README.md and every docs/*.md under `root`, as paths relative to it. */
export const documents = (root: string): ReadonlyArray<string> => [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`)
]

/** The fenced blocks of one document. */
export const blocksOf = (document: string, markdown: string): ReadonlyArray<DocBlock> =>
  Array.from(markdown.matchAll(/^```(\w*)\n([\s\S]*?)\n```[ \t]*$/gm), (match, index) => {
    const before = markdown.slice(0, match.index)
    const source = /From `(examples\/[^`]+)`[^\n]*:\n\n$/.exec(before)?.[1]
    return {
      document,
      index,
      line: before.split("\n").length,
      language: match[1] ?? "",
      source,
      code: match[2] ?? ""
    }
  })

/** The first block that opens after `phrase` in a document (the phrase may sit in a block before it), or undefined. */
export const blockAfter = (document: string, markdown: string, phrase: string): DocBlock | undefined => {
  const at = markdown.indexOf(phrase)
  if (at < 0) return undefined
  const line = markdown.slice(0, at + phrase.length).split("\n").length
  return blocksOf(document, markdown).find((block) => block.line >= line)
}

/** Every block of README.md and docs/*.md under `root`. */
export const checkedBlocks = (root: string): ReadonlyArray<DocBlock> =>
  documents(root).flatMap((document) => blocksOf(document, readFileSync(join(root, document), "utf8")))

/** A file name for a block, unique within the docs: `docs_mfa_md_2.ts`. */
export const fileNameOf = (block: DocBlock): string =>
  `${block.document.replace(/[/\\.]/g, "_")}_${block.index}.${block.language}`

/**
 * How examples/ imports each entry point, and how a user does: `../src/testing/index.js` is
 * `effect-belvo/testing`. Derived from package.json `exports` (`./dist/X.d.ts` is `src/X.ts`).
 */
export const entryPoints = (root: string): ReadonlyMap<string, string> => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    readonly name: string
    readonly exports: Record<string, string | { readonly types?: string }>
  }
  const entries = new Map<string, string>()
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const types = typeof target === "string" ? undefined : target.types
    if (types === undefined) continue
    const example = types.replace(/^\.\/dist\//, "../src/").replace(/\.d\.ts$/, ".js")
    entries.set(example, `${pkg.name}${subpath.slice(1)}`)
  }
  return entries
}
