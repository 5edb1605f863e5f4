/** docs/testing.md quotes its code from examples/ verbatim, so the quoted code typechecks and runs. */
import { assert, describe, it } from "@effect/vitest"
import { readFileSync } from "node:fs"

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8")

describe("docs/testing.md", () => {
  it("every TypeScript sample is quoted from the example file it names", () => {
    const doc = read("docs/testing.md")
    const samples = Array.from(doc.matchAll(/From `(examples\/[^`]+)`:\n\n```ts\n([\s\S]*?)\n```/g))
    assert.strictEqual(samples.length, (doc.match(/```ts/g) ?? []).length)
    assert.isAtLeast(samples.length, 5)
    for (const [, path, code] of samples) assert.include(read(path!), code!, path)
  })

  it("keeps the section the client's author fills in", () => {
    assert.include(read("docs/testing.md"), "## Using the client against the sandbox")
  })
})
