/**
 * A body is kept as bytes until its text is asked for; the text, whole or its head, is the UTF-8
 * reading of the bytes and never shows the client's credentials.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { Body } from "../src/internal/body.js"

const SECRET = "s3cr3t-password"
const redact = (text: string) => text.replaceAll(SECRET, "<redacted>")
const bytesOf = (text: string) => new TextEncoder().encode(text)
const reference = (text: string) => redact(new TextDecoder().decode(bytesOf(text)))

/** Texts as bodies carry them: JSON-ish ASCII, any Unicode, the secret here and there, short and long. */
const bodyText = fc
  .tuple(
    fc.array(
      fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.string({ unit: "binary", maxLength: 20 }),
        fc.constant(SECRET),
        fc.constant('{"count":1,"next":null,"results":['),
        fc.constant("x".repeat(1500))
      ),
      { maxLength: 12 }
    )
  )
  .map(([parts]) => parts.join(""))

describe("Body", () => {
  it("gives the UTF-8 text of its bytes, redacted, for any text", () =>
    fc.assert(
      fc.property(bodyText, (text) => {
        const body = new Body(bytesOf(text), redact)
        assert.strictEqual(body.text(), reference(text))
        // Decoded once: the same text again.
        assert.strictEqual(body.text(), reference(text))
      }),
      { numRuns: 1000 }
    ))

  it("gives a head that starts the text and is redacted (what is cut at its end aside)", () =>
    fc.assert(
      fc.property(bodyText, (text) => {
        const head = new Body(bytesOf(text), redact).head()
        const whole = reference(text)
        let common = 0
        while (common < head.length && head[common] === whole[common]) common++
        // Only the end may differ: a character cut in two, or a secret cut before it could be redacted.
        assert.isAtLeast(common, head.length - SECRET.length, JSON.stringify(head.slice(common)))
        assert.notInclude(head, SECRET)
      }),
      { numRuns: 1000 }
    ))

  it("decodes only the head of a long body, and the whole text once asked", () => {
    const page = `{"count":2000,"next":"https://api.example/?page=2&k=${SECRET}","previous":null,"results":[${"1,".repeat(10_000)}1]}`
    const body = new Body(bytesOf(page), redact)
    const head = body.head()
    assert.isBelow(head.length, page.length)
    assert.isTrue(head.startsWith('{"count":2000,"next":"https://api.example/?page=2&k=<redacted>"'))
    assert.strictEqual(body.text(), redact(page))
    assert.strictEqual(body.head(), redact(page))
  })
})
