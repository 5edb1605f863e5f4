/**
 * The send hook of retrieve and resume (`beforeSend`): it runs inside the client's limits, just
 * before a request leaves, once per request that leaves; its failure is the call's, typed, and
 * sends nothing. The workflow's claims rely on exactly this (test/workflow/LinkSyncClaims.test.ts).
 */
import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"
import { Balances, BelvoError, type BelvoClient } from "../src/index.js"
import { SandboxClient, SandboxModel } from "../src/testing/index.js"
import { clientLayer, errorBody, json, link, mockHttp, wireBalance } from "./support/mockHttp.js"

/** A hook that records when it ran, beside the transport's own record. */
const recorder = () => {
  const events: Array<string> = []
  return { events, hook: Effect.sync(() => void events.push("hook")) }
}

class LedgerDown extends BelvoError.TransportError {}

describe("beforeSend", () => {
  it.effect("runs once, just before the request reaches the transport", () => {
    const { events, hook } = recorder()
    const http = mockHttp(() => {
      events.push("sent")
      return json(201, [wireBalance()])
    })
    return Effect.gen(function* () {
      const retrieval = yield* Balances.retrieve({ link }, { beforeSend: hook })
      assert.strictEqual(retrieval.status, 201)
      assert.deepStrictEqual(events, ["hook", "sent"])
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("its failure is the call's failure, typed; nothing is sent and nothing retried", () => {
    const http = mockHttp(() => json(201, []))
    // A hook failing with what looks like a never-sent transport error is still not retried.
    const down = new LedgerDown({ message: "ledger down", method: "POST", path: "/", sent: false })
    let runs = 0
    const hook = Effect.suspend(() => {
      runs += 1
      return Effect.fail(down)
    })
    return Effect.gen(function* () {
      const program = Balances.retrieve({ link }, { beforeSend: hook })
      expectTypeOf(program).toEqualTypeOf<
        Effect.Effect<
          Balances.Retrieval<import("../src/Balance.js").Balance>,
          Balances.RetrieveError | LedgerDown,
          BelvoClient.BelvoClient
        >
      >()
      const error = yield* Effect.flip(program)
      assert.strictEqual(error, down)
      assert.strictEqual(runs, 1)
      assert.lengthOf(http.requests, 0)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("does not run while the request waits for the rate limit", () => {
    const { events, hook } = recorder()
    const http = mockHttp(() => {
      events.push("sent")
      return json(201, [])
    })
    return Effect.gen(function* () {
      const first = yield* Effect.forkChild(Balances.retrieve({ link }, { beforeSend: hook }))
      const second = yield* Effect.forkChild(Balances.retrieve({ link }, { beforeSend: hook }))
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(events, ["hook", "sent"])
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(first)
      yield* Fiber.join(second)
      assert.deepStrictEqual(events, ["hook", "sent", "hook", "sent"])
    }).pipe(Effect.provide(clientLayer(http.layer, { rateLimit: { limit: 1, interval: "1 minute" } })))
  })

  it.effect("does not run while the request waits for an in-flight slot", () => {
    const { events, hook } = recorder()
    const http = mockHttp(() => {
      events.push("sent")
      return Effect.as(Effect.sleep("10 seconds"), json(201, []))
    })
    return Effect.gen(function* () {
      const both = yield* Effect.forkChild(
        Effect.all(
          [
            Balances.retrieve({ link }, { beforeSend: hook }),
            Balances.retrieve({ link }, { beforeSend: hook })
          ],
          {
            concurrency: 2
          }
        )
      )
      yield* TestClock.adjust("5 seconds")
      assert.deepStrictEqual(events, ["hook", "sent"])
      yield* TestClock.adjust("10 seconds")
      yield* Effect.repeat(Effect.yieldNow, { times: 10 })
      assert.deepStrictEqual(events, ["hook", "sent", "hook", "sent"])
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(both)
    }).pipe(Effect.provide(clientLayer(http.layer, { maxConcurrentRequests: 1 })))
  })

  it.effect("a retry of a request that never left is the same request: the hook ran once", () => {
    const { events, hook } = recorder()
    const http = mockHttp((_, index) => {
      events.push(index === 0 ? "refused" : "sent")
      return index === 0 ? { transport: "refused" } : json(201, [])
    })
    return Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(Balances.retrieve({ link }, { beforeSend: hook }))
      yield* TestClock.adjust("10 seconds")
      const retrieval = yield* Fiber.join(fiber)
      assert.strictEqual(retrieval.status, 201)
      assert.deepStrictEqual(events, ["hook", "refused", "sent"])
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("a request that left and failed is not sent again, so the hook ran once", () => {
    const { events, hook } = recorder()
    const http = mockHttp(() => {
      events.push("sent")
      return json(500, errorBody("unexpected_error", "boom"))
    })
    return Effect.gen(function* () {
      const error = yield* Effect.flip(Balances.retrieve({ link }, { beforeSend: hook }))
      assert.strictEqual(error._tag, "UnexpectedError")
      assert.deepStrictEqual(events, ["hook", "sent"])
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("resume runs it once for its PATCH", () => {
    const { events, hook } = recorder()
    return Effect.gen(function* () {
      const required = yield* Effect.flip(Balances.retrieve({ link: SandboxModel.mfaLinkId }))
      assert.strictEqual(required._tag, "TokenRequired")
      if (required._tag !== "TokenRequired") return
      const value = required.challenge.token_generation_data?.value ?? ""
      const resumed = yield* Balances.resume(required.challenge, SandboxModel.tokenFor(value), {
        beforeSend: hook
      })
      assert.strictEqual(resumed.status, 201)
      assert.deepStrictEqual(events, ["hook"])
    }).pipe(Effect.provide(SandboxClient.layer()))
  })

  it.effect("a misspelled hook key is refused before anything is sent", () => {
    const http = mockHttp(() => json(201, []))
    return Effect.gen(function* () {
      const options: Balances.RetrieveOptions = JSON.parse('{"beforeSnd": 1}')
      const error = yield* Effect.flip(Balances.retrieve({ link }, options))
      assert.strictEqual(error._tag, "InvalidQuery")
      assert.include(error.message, '"beforeSend"')
      assert.lengthOf(http.requests, 0)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })
})
