/**
 * A rate limit shared through a `RateLimiter` in context: two clients (two processes, as far as
 * the limiter can tell) start at most `limit` requests per window between them, and a 429 one of
 * them receives holds the other back too. Time is a TestClock.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as RateLimiter from "effect/persistence/RateLimiter"
import { TestClock } from "effect/testing"
import { Balances, type BelvoClient } from "../src/index.js"
import { balanceId, clientLayer, json, mockHttp, wireBalance } from "./support/mockHttp.js"

const SharedLimiter = RateLimiter.layer.pipe(Layer.provide(RateLimiter.layerStoreMemory))

/** Two clients over two transports, one limiter between them: what two runner processes share. */
const twoClients = (handler: Parameters<typeof mockHttp>[0]) =>
  Effect.gen(function* () {
    const limiter = yield* RateLimiter.RateLimiter
    const options = { rateLimit: { limit: 2, interval: "1 second" }, retry: false } as const
    const a = mockHttp(handler)
    const b = mockHttp(handler)
    const build = (layer: Layer.Layer<BelvoClient.BelvoClient>) =>
      Layer.build(layer.pipe(Layer.provide(Layer.succeed(RateLimiter.RateLimiter, limiter))))
    return {
      a: { http: a, context: yield* build(clientLayer(a.layer, options)) },
      b: { http: b, context: yield* build(clientLayer(b.layer, options)) }
    }
  })

describe("a rate limit shared by clients through one RateLimiter", () => {
  it.effect("two clients start at most `limit` requests per window between them", () =>
    Effect.gen(function* () {
      const { a, b } = yield* twoClients(() => json(200, wireBalance()))
      const get = (context: typeof a.context) => Effect.provide(Balances.get(balanceId), context)
      const fiber = yield* Effect.forkChild(
        Effect.all(
          [get(a.context), get(b.context), get(a.context), get(b.context), get(a.context), get(b.context)],
          {
            concurrency: "unbounded"
          }
        )
      )
      yield* TestClock.adjust("10 millis")
      assert.strictEqual(a.http.requests.length + b.http.requests.length, 2)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(a.http.requests.length + b.http.requests.length, 4)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      const starts = [...a.http.requests, ...b.http.requests].map((r) => r.at).sort((x, y) => x - y)
      assert.deepStrictEqual(starts, [0, 0, 1000, 1000, 2000, 2000])
    }).pipe(Effect.scoped, Effect.provide(SharedLimiter))
  )

  it.effect("a 429 to one client spends the window for both: the other waits", () =>
    Effect.gen(function* () {
      let answered = 0
      const { a, b } = yield* twoClients(() =>
        answered++ === 0
          ? json(429, [{ code: "too_many_requests", message: "slow down" }])
          : json(200, wireBalance())
      )
      const refused = yield* Effect.flip(Effect.provide(Balances.get(balanceId), a.context))
      assert.strictEqual(refused._tag, "TooManyRequests")
      const fiber = yield* Effect.forkChild(Effect.provide(Balances.get(balanceId), b.context))
      yield* TestClock.adjust("500 millis")
      assert.lengthOf(b.http.requests, 0, "b waits out the window a was refused in")
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(fiber)
      assert.lengthOf(b.http.requests, 1)
      assert.isAtLeast(b.http.requests[0]?.at ?? 0, 1000)
    }).pipe(Effect.scoped, Effect.provide(SharedLimiter))
  )

  it.effect("a Retry-After longer than the window holds everyone back that long", () =>
    Effect.gen(function* () {
      let answered = 0
      const { a, b } = yield* twoClients(() =>
        answered++ === 0
          ? json(429, [{ code: "too_many_requests", message: "slow down" }], { "retry-after": "3" })
          : json(200, wireBalance())
      )
      yield* Effect.flip(Effect.provide(Balances.get(balanceId), a.context))
      const fiber = yield* Effect.forkChild(Effect.provide(Balances.get(balanceId), b.context))
      yield* TestClock.adjust("2500 millis")
      assert.lengthOf(b.http.requests, 0)
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(fiber)
      assert.isAtLeast(b.http.requests[0]?.at ?? 0, 3000)
    }).pipe(Effect.scoped, Effect.provide(SharedLimiter))
  )

  it.effect(
    "a client holds at most one window of permits it is still waiting on; the rest of its queue holds none",
    () =>
      Effect.gen(function* () {
        const limiter = yield* RateLimiter.RateLimiter
        let consumed = 0
        const counting = RateLimiter.RateLimiter.of({
          ...limiter,
          consume: (options) =>
            Effect.tap(limiter.consume(options), () =>
              Effect.sync(() => {
                consumed += 1
              })
            )
        })
        const a = mockHttp(() => json(200, wireBalance()))
        const context = yield* Layer.build(
          clientLayer(a.layer, { rateLimit: { limit: 2, interval: "1 second" }, retry: false }).pipe(
            Layer.provide(Layer.succeed(RateLimiter.RateLimiter, counting))
          )
        )
        const fiber = yield* Effect.forkChild(
          Effect.all(
            Array.from({ length: 10 }, () => Effect.provide(Balances.get(balanceId), context)),
            { concurrency: "unbounded" }
          )
        )
        yield* TestClock.adjust("10 millis")
        // Two sent, two holding the next window's permits, six waiting without any.
        assert.strictEqual(a.requests.length, 2)
        assert.strictEqual(consumed, 4)
        yield* TestClock.adjust("5 seconds")
        yield* Fiber.join(fiber)
        assert.strictEqual(consumed, 10)
        assert.deepStrictEqual(
          a.requests.map((r) => r.at),
          [0, 0, 1000, 1000, 2000, 2000, 3000, 3000, 4000, 4000]
        )
      }).pipe(Effect.scoped, Effect.provide(SharedLimiter))
  )

  it.effect("a client stopped with a long queue wastes at most one window of the shared limit", () =>
    Effect.gen(function* () {
      const { a, b } = yield* twoClients(() => json(200, wireBalance()))
      // Ten requests queued by a, which stops (a runner killed) before any but the first two left.
      const queued = yield* Effect.forkChild(
        Effect.all(
          Array.from({ length: 10 }, () => Effect.provide(Balances.get(balanceId), a.context)),
          { concurrency: "unbounded" }
        )
      )
      yield* TestClock.adjust("10 millis")
      yield* Fiber.interrupt(queued)
      assert.lengthOf(a.http.requests, 2)
      const fiber = yield* Effect.forkChild(Effect.provide(Balances.get(balanceId), b.context))
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(fiber)
      // The next window went to a's two waiting permits; b's request takes the one after, not the
      // fifth window that a's whole queue would have reserved.
      assert.deepStrictEqual(
        b.http.requests.map((r) => r.at),
        [2000]
      )
    }).pipe(Effect.scoped, Effect.provide(SharedLimiter))
  )
})
