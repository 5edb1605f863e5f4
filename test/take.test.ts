/**
 * What docs/pagination.md promises about a consumer that stops early (`Stream.take(10)` within the
 * first page), in-process and on loopback alike: at the default concurrency exactly one request is
 * sent; at concurrency 1 the read-ahead asks for at most two more.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { Balances, BelvoClient } from "../src/index.js"
import { Sandbox, SandboxClient, SandboxModel, SandboxServer } from "../src/testing/index.js"

const takeTen = (concurrency: number) =>
  Effect.gen(function* () {
    const items = yield* Balances.list(
      { link: SandboxModel.largeLinkId, page_size: 100 },
      { concurrency }
    ).pipe(Stream.take(10), Stream.runCount)
    assert.strictEqual(items, 10)
    // Whatever read-ahead was in flight has landed before the log is read.
    yield* Effect.sleep("200 millis")
    return (yield* Sandbox.requests).length
  })

const loopback = Layer.unwrap(
  Effect.map(SandboxServer.url, (url) =>
    BelvoClient.layer({
      baseUrl: url,
      secretId: Redacted.make(SandboxModel.defaultSecretId),
      secretPassword: Redacted.make(SandboxModel.defaultSecretPassword)
    })
  )
).pipe(
  Layer.provide(FetchHttpClient.layer),
  Layer.provideMerge(SandboxServer.layerWithSandbox({ largeLinkBalances: 5_000 })),
  Layer.orDie
)

describe("Stream.take(10) on a listing", () => {
  const layers: ReadonlyArray<readonly [string, Layer.Layer<BelvoClient.BelvoClient | Sandbox.Sandbox>]> = [
    ["in-process (SandboxClient)", SandboxClient.layer({ largeLinkBalances: 5_000 })],
    ["loopback (SandboxServer, fetch)", loopback]
  ]
  for (const [name, layer] of layers) {
    it.live(`${name}: the default concurrency sends one request`, () =>
      Effect.gen(function* () {
        assert.strictEqual(yield* takeTen(Balances.defaultConcurrency), 1)
      }).pipe(Effect.provide(layer))
    )

    it.live(`${name}: concurrency 1 reads ahead, at most two requests more`, () =>
      Effect.gen(function* () {
        const requests = yield* takeTen(1)
        assert.isAtLeast(requests, 1)
        assert.isAtMost(requests, 3)
      }).pipe(Effect.provide(layer))
    )
  }
})
