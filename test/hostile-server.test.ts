/**
 * The hostile server itself: it records what it receives, refuses past its cap, and its streamed
 * bomb stops when the client hangs up, so the other hostile tests can rely on what it reports.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { BOMB_PREFIX, CAP_STATUS, compressedBomb, send, serve, streamBomb } from "./hostile/server.js"

describe("the hostile server", () => {
  it.live("records each request and refuses every one past its cap with a 410", () =>
    Effect.gen(function* () {
      const server = yield* serve((_, response, self) => send(self, response, 200, { ok: true }), {
        maxRequests: 3
      })
      const statuses: Array<number> = []
      for (let i = 0; i < 5; i++) {
        const response = yield* Effect.promise(() =>
          fetch(`${server.url}/api/br/balances/?page=${i}`, {
            method: "POST",
            headers: { authorization: "Basic abc", "content-type": "application/json" },
            body: JSON.stringify({ i })
          })
        )
        statuses.push(response.status)
        yield* Effect.promise(() => response.text())
      }
      assert.deepStrictEqual(statuses, [200, 200, 200, CAP_STATUS, CAP_STATUS])
      assert.strictEqual(server.refused, 2)
      assert.deepStrictEqual(
        server.requests.map((r) => [r.index, r.method, r.url, r.headers.authorization, r.body]),
        [0, 1, 2, 3, 4].map((i) => [
          i,
          "POST",
          `/api/br/balances/?page=${i}`,
          "Basic abc",
          JSON.stringify({ i })
        ])
      )
    })
  )

  it.live("a compressed bomb inflates to what it claims", () =>
    Effect.gen(function* () {
      const zlib = yield* Effect.promise(() => import("node:zlib"))
      const bomb = yield* Effect.promise(() => compressedBomb("gzip", 3_000_000))
      const inflated = zlib.gunzipSync(bomb)
      assert.strictEqual(inflated.length, 3_000_000)
      assert.strictEqual(inflated.subarray(0, BOMB_PREFIX.length).toString(), BOMB_PREFIX)
      assert.strictEqual(inflated.subarray(BOMB_PREFIX.length).toString().trim(), "")
    })
  )

  it.live("a streamed bomb stops generating when the client hangs up", () =>
    Effect.gen(function* () {
      const size = 400_000_000
      const server = yield* serve((_, response, self) => streamBomb(self, response, "gzip", size))
      yield* Effect.promise(async () => {
        const controller = new AbortController()
        const response = await fetch(server.url, { signal: controller.signal })
        const reader = response.body!.getReader()
        let read = 0
        while (read < 1024 * 1024) {
          const { value, done } = await reader.read()
          if (done) break
          read += value.length
        }
        controller.abort()
        await reader.cancel().catch(() => {})
      })
      // Let the server notice the closed socket.
      yield* Effect.sleep("100 millis")
      const generated = server.inflatedGenerated
      yield* Effect.sleep("100 millis")
      assert.strictEqual(server.inflatedGenerated, generated, "still generating")
      assert.isBelow(generated, size / 2)
      assert.isAbove(server.bytesSent, 0)
    })
  )
})
