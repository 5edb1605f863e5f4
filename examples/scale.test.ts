/** examples/scale.ts does what docs/scale.md says: every link synced once, MFA answered from outside. */
import { assert, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Sandbox, SandboxClient, SandboxModel } from "../src/testing/index.js"
import { LinkSync } from "../src/workflow/index.js"
import { counting, nightly } from "./scale.js"

it.live("the nightly job syncs every link once, answering the MFA links from the web app", () =>
  Effect.gen(function* () {
    const { layer, memory } = yield* counting
    const { summaries, requests } = yield* Effect.gen(function* () {
      const summaries = yield* nightly("test-run")
      return { summaries, requests: yield* Sandbox.requests }
    }).pipe(
      Effect.provide(
        LinkSync.layerEmbedded(layer).pipe(Layer.provideMerge(SandboxClient.layer({ largeLinkBalances: 0 })))
      )
    )
    assert.lengthOf(summaries, 23)
    const rounds = Object.fromEntries(summaries.map((s) => [s.link, s.rounds]))
    assert.strictEqual(rounds[SandboxModel.mfaLinkId], 1)
    assert.strictEqual(rounds[SandboxModel.confirmLinkId], 1)
    assert.strictEqual(rounds[SandboxModel.plainLinkId], 0)
    // One retrieve per link, one resume per MFA link, and every page delivered exactly once.
    assert.strictEqual(requests.filter((r) => r.method === "POST").length, 23)
    assert.strictEqual(requests.filter((r) => r.method === "PATCH").length, 2)
    assert.strictEqual(memory.repeated(), 0)
    assert.strictEqual(
      memory.deliveries().reduce((n, d) => n + d.balances.length, 0),
      summaries.reduce((n, s) => n + s.listed, 0)
    )
  })
)
