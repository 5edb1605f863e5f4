/**
 * Code in the docs is quoted from examples/, which the test command typechecks (and partly runs):
 * every ```ts block of README.md and docs/*.md must stand verbatim in the example file it names
 * ("From `examples/x.ts`:" just above it) or, when it names none, in some file under examples/
 * (indentation aside).
 */
import { readdirSync, readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"

const root = new URL("../", import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), "utf8")
// Indentation is not compared: a doc may quote a block from inside a function.
const flat = (code: string) => code.replace(/^[ \t]+/gm, "")
const examples = readdirSync(new URL("examples/", root)).map(
  (name) => [`examples/${name}`, flat(read(`examples/${name}`))] as const
)
const documents = ["README.md", ...readdirSync(new URL("docs/", root)).map((name) => `docs/${name}`)]

describe("docs quote compiled examples", () => {
  for (const document of documents) {
    it(document, () => {
      const text = read(document)
      const blocks = Array.from(
        text.matchAll(/(?:From `(examples\/[^`]+)`[^\n]*:\n\n)?```ts\n([\s\S]*?)\n```/g)
      )
      for (const [, named, code = ""] of blocks) {
        const sources = named ? examples.filter(([path]) => path === named) : examples
        assert.isAbove(sources.length, 0, `${document}: ${named} does not exist`)
        assert.isTrue(
          sources.some(([, source]) => source.includes(flat(code))),
          `${document}: a code block is not quoted verbatim from ${named ?? "examples/"}:\n${code.slice(0, 200)}`
        )
      }
    })
  }

  it("every guide the README links to exists", () => {
    const links = Array.from(read("README.md").matchAll(/\]\((docs\/[^)#]+)\)/g)).map((match) => match[1])
    assert.isAtLeast(links.length, 8)
    for (const link of links) assert.include(documents, link)
  })
})
