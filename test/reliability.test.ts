import { describe, expect, it } from "@effect/vitest"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as FastCheck from "effect/FastCheck"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import { Balances, BelvoClient } from "../src/index.js"
import {
  balanceId,
  clientLayer,
  errorBody,
  json,
  link,
  mockHttp,
  type Reply,
  secretId,
  secretPassword,
  wireBalance
} from "./support/mockHttp.js"

const id = balanceId
const balance = wireBalance()

const exact: BelvoClient.RetryPolicy = { ...BelvoClient.defaultRetryPolicy, jitter: false }

/** Records the TestClock time of every request. */
const timed = (replies: ReadonlyArray<Reply>) => {
  const times: Array<number> = []
  let now = () => 0
  const http = mockHttp((_, index) => {
    times.push(now())
    const reply = replies[Math.min(index, replies.length - 1)] as Reply
    return reply instanceof Response ? reply.clone() : reply
  })
  return {
    ...http,
    times,
    setNow: (f: () => number) => {
      now = f
    }
  }
}

const runWithClock = <A, E>(effect: Effect.Effect<A, E>, advance: Duration.DurationInput = "5 minutes") =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(Effect.either(effect))
    yield* TestClock.adjust(advance)
    return yield* Fiber.join(fiber)
  })

describe("retries", () => {
  it.effect(
    "GET retries 500, 502, 503, 504, 408, 429 and transport failures with 0.5 s doubling backoff",
    () =>
      Effect.gen(function* () {
        for (const failure of [
          json(500, errorBody("unexpected_error", "x")),
          json(502, []),
          json(503, []),
          json(504, []),
          json(408, errorBody("request_timeout", "x")),
          json(429, []),
          { transport: "reset" } as const
        ]) {
          const server = timed([failure, failure, failure, json(200, balance)])
          const start = yield* TestClock.currentTimeMillis
          const clock = yield* Effect.clock
          server.setNow(() => clock.unsafeCurrentTimeMillis() - start)
          const result = yield* runWithClock(
            Balances.get(id).pipe(Effect.provide(clientLayer(server.layer, { retry: exact })))
          )
          expect(result._tag).toBe("Right")
          expect(server.times).toEqual([0, 500, 1500, 3500])
        }
      })
  )

  it.effect("gives up after maxRetries with the last typed error", () =>
    Effect.gen(function* () {
      const server = timed([json(500, errorBody("unexpected_error", "down"))])
      const result = yield* runWithClock(
        Balances.get(id).pipe(Effect.provide(clientLayer(server.layer, { retry: exact })))
      )
      expect(result._tag === "Left" && result.left._tag).toBe("UnexpectedError")
      expect(server.requests).toHaveLength(4)
    })
  )

  it.effect("each wait is capped at maxDelay", () =>
    Effect.gen(function* () {
      const server = timed([json(500, [])])
      const clock = yield* Effect.clock
      const start = clock.unsafeCurrentTimeMillis()
      server.setNow(() => clock.unsafeCurrentTimeMillis() - start)
      yield* runWithClock(
        Balances.get(id).pipe(
          Effect.provide(
            clientLayer(server.layer, { retry: { ...exact, maxRetries: 6, maxDelay: "3 seconds" } })
          )
        ),
        "1 minute"
      )
      const waits = server.times.slice(1).map((t, i) => t - (server.times[i] ?? 0))
      expect(waits).toEqual([500, 1000, 2000, 3000, 3000, 3000])
    })
  )

  it.effect.prop(
    "with jitter every wait stays within 0.8x..1.2x of the backoff",
    [FastCheck.integer({ min: 1, max: 4 })],
    ([retries]) =>
      Effect.gen(function* () {
        const server = timed([json(503, [])])
        const clock = yield* Effect.clock
        const start = clock.unsafeCurrentTimeMillis()
        server.setNow(() => clock.unsafeCurrentTimeMillis() - start)
        const fiber = yield* Effect.fork(
          Balances.get(id).pipe(
            Effect.provide(
              clientLayer(server.layer, { retry: { ...BelvoClient.defaultRetryPolicy, maxRetries: retries } })
            ),
            Effect.either
          )
        )
        for (let step = 0; step < 400; step++) yield* TestClock.adjust("50 millis")
        yield* Fiber.join(fiber)
        const waits = server.times.slice(1).map((t, i) => t - (server.times[i] ?? 0))
        expect(waits).toHaveLength(retries)
        waits.forEach((wait, n) => {
          const backoff = Math.min(500 * 2 ** n, 8000)
          expect(wait).toBeGreaterThanOrEqual(Math.floor((backoff * 0.8) / 50) * 50)
          expect(wait).toBeLessThanOrEqual(Math.ceil((backoff * 1.2) / 50) * 50)
        })
      }),
    { fastCheck: { numRuns: 5 } }
  )

  it.effect("Retry-After (seconds or HTTP date) lengthens the wait, up to maxRetryAfter", () =>
    Effect.gen(function* () {
      const clock = yield* Effect.clock
      const start = clock.unsafeCurrentTimeMillis()
      const date = new Date(start + 7000).toUTCString()
      const server = timed([
        json(429, [], { "retry-after": "3" }),
        json(503, [], { "retry-after": date }),
        json(429, [], { "retry-after": "3600" }),
        json(200, balance)
      ])
      server.setNow(() => clock.unsafeCurrentTimeMillis() - start)
      const result = yield* runWithClock(
        Balances.get(id).pipe(
          Effect.provide(clientLayer(server.layer, { retry: { ...exact, maxRetryAfter: "20 seconds" } }))
        ),
        "2 minutes"
      )
      expect(result._tag).toBe("Right")
      const [, second = 0, third = 0, fourth = 0] = server.times
      expect(second).toBe(3000)
      // the HTTP date has one-second resolution
      expect(third).toBeGreaterThanOrEqual(6000)
      expect(third).toBeLessThanOrEqual(7000)
      expect(fourth - third).toBe(20000)
    })
  )

  it.effect("POST retrieve is not retried once sent, but is when the connection was refused", () =>
    Effect.gen(function* () {
      const sent = timed([json(500, errorBody("unexpected_error", "x")), json(201, [])])
      const failed = yield* runWithClock(
        Balances.retrieve({ link }).pipe(Effect.provide(clientLayer(sent.layer)))
      )
      expect(failed._tag === "Left" && failed.left._tag).toBe("UnexpectedError")
      expect(sent.requests).toHaveLength(1)

      const reset = timed([{ transport: "reset" }, json(201, [])])
      const resetResult = yield* runWithClock(
        Balances.retrieve({ link }).pipe(Effect.provide(clientLayer(reset.layer)))
      )
      expect(resetResult._tag === "Left" && resetResult.left._tag).toBe("TransportError")
      expect(reset.requests).toHaveLength(1)

      const refused = timed([{ transport: "refused" }, { transport: "refused" }, json(201, [])])
      const ok = yield* runWithClock(
        Balances.retrieve({ link }).pipe(Effect.provide(clientLayer(refused.layer)))
      )
      expect(ok._tag).toBe("Right")
      expect(refused.requests).toHaveLength(3)
    })
  )

  it.effect("retries can be turned off per client and per call", () =>
    Effect.gen(function* () {
      const perClient = timed([json(500, [])])
      yield* runWithClock(
        Balances.get(id).pipe(Effect.provide(clientLayer(perClient.layer, { retry: false })))
      )
      expect(perClient.requests).toHaveLength(1)
      const perCall = timed([json(500, [])])
      yield* runWithClock(
        Balances.get(id, {}, { retry: false }).pipe(Effect.provide(clientLayer(perCall.layer)))
      )
      expect(perCall.requests).toHaveLength(1)
    })
  )
})

describe("timeouts", () => {
  it.effect("a slow attempt times out, counts as transient, and the retry succeeds", () =>
    Effect.gen(function* () {
      const http = mockHttp((_, index) =>
        index === 0 ? Effect.as(Effect.sleep("10 minutes"), json(200, balance)) : json(200, balance)
      )
      const result = yield* runWithClock(
        Balances.get(id).pipe(
          Effect.provide(clientLayer(http.layer, { attemptTimeout: "2 seconds", retry: exact }))
        ),
        "1 minute"
      )
      expect(result._tag).toBe("Right")
      expect(http.requests).toHaveLength(2)
    })
  )

  it.effect("the call timeout bounds retries and backoff together", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => Effect.as(Effect.sleep("10 minutes"), json(200, balance)))
      const result = yield* runWithClock(
        Balances.get(id).pipe(
          Effect.provide(
            clientLayer(http.layer, { attemptTimeout: "2 seconds", callTimeout: "5 seconds", retry: exact })
          )
        ),
        "1 minute"
      )
      expect(result._tag === "Left" && result.left._tag === "Timeout" && result.left.scope).toBe("call")
    })
  )
})

describe("limits", () => {
  it.effect("a body over maxResponseBytes is a DecodeError", () =>
    Effect.gen(function* () {
      const http = mockHttp(() =>
        json(200, { ...balance, account_internal_identification: "x".repeat(5000) })
      )
      const error = yield* Balances.get(id).pipe(
        Effect.flip,
        Effect.provide(clientLayer(http.layer, { maxResponseBytes: 1024 }))
      )
      expect(error._tag === "DecodeError" && error.reason).toBe("body too large")
    })
  )

  it.effect("a declared Content-Length over maxResponseBytes is refused before the body is read", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, balance, { "content-length": "5000" }))
      const error = yield* Balances.get(id).pipe(
        Effect.flip,
        Effect.provide(clientLayer(http.layer, { maxResponseBytes: 1024 }))
      )
      expect(error._tag === "DecodeError" && [error.reason, error.message.includes("5000 bytes")]).toEqual([
        "body too large",
        true
      ])
    })
  )

  it.effect("maxConcurrentRequests caps requests in flight across calls", () =>
    Effect.gen(function* () {
      let inFlight = 0
      let peak = 0
      const http = mockHttp(() =>
        Effect.gen(function* () {
          inFlight++
          peak = Math.max(peak, inFlight)
          yield* Effect.sleep("100 millis")
          inFlight--
          return json(200, balance)
        })
      )
      const layer = clientLayer(http.layer, { maxConcurrentRequests: 3 })
      const fiber = yield* Effect.fork(
        Effect.forEach(Array.from({ length: 20 }), () => Balances.get(id), { concurrency: "unbounded" }).pipe(
          Effect.provide(layer)
        )
      )
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(fiber)
      expect(peak).toBe(3)
      expect(http.requests).toHaveLength(20)
    })
  )

  it.effect("a rate limit spaces requests out", () =>
    Effect.gen(function* () {
      const clock = yield* Effect.clock
      const times: Array<number> = []
      const http = mockHttp(() => {
        times.push(clock.unsafeCurrentTimeMillis())
        return json(200, balance)
      })
      const layer = clientLayer(http.layer, { rateLimit: { limit: 2, interval: "1 second" } })
      const fiber = yield* Effect.fork(
        Effect.forEach(Array.from({ length: 6 }), () => Balances.get(id), { concurrency: "unbounded" }).pipe(
          Effect.provide(layer)
        )
      )
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(fiber)
      const start = times[0] ?? 0
      const windows = times.map((t) => Math.floor((t - start) / 1000))
      for (const w of new Set(windows)) expect(windows.filter((x) => x === w).length).toBeLessThanOrEqual(2)
      expect(times).toHaveLength(6)
    })
  )
})

describe("secrets", () => {
  it.effect("spans carry method, path, status and attempt, and never a credential", () =>
    Effect.gen(function* () {
      const native = yield* Effect.tracer
      const spans: Array<Tracer.Span> = []
      const recording = Tracer.make({
        span: (...args) => {
          const span = native.span(...args)
          spans.push(span)
          return span
        },
        context: native.context
      })
      const http = mockHttp((_, index) => (index === 0 ? json(503, []) : json(200, balance)))
      yield* Balances.get(id).pipe(
        Effect.provide(clientLayer(http.layer, { retry: { ...exact, baseDelay: "1 millis" } })),
        Effect.withTracer(recording),
        Effect.fork,
        Effect.flatMap((fiber) => Effect.zipRight(TestClock.adjust("1 second"), Fiber.join(fiber)))
      )
      const names = spans.map((span) => span.name)
      expect(names).toContain("Balances.get")
      expect(names.filter((name) => name.startsWith("http.client"))).toHaveLength(2)
      const attributes = spans.map((span) => Object.fromEntries(span.attributes))
      const call = attributes[names.indexOf("Balances.get")] ?? {}
      expect(call["http.request.method"]).toBe("GET")
      expect(call["url.path"]).toBe(`/api/br/balances/${id}/`)
      expect(call["http.response.status_code"]).toBe(200)
      expect(call["belvo.attempt"]).toBe(2)
      expect(call["belvo.request_id"]).toBe("none")
      const dump = JSON.stringify(attributes, (_, value) =>
        typeof value === "bigint" ? String(value) : value
      )
      expect(dump).toContain("authorization")
      expect(dump).not.toContain(secretId)
      expect(dump).not.toContain(secretPassword)
      expect(dump).not.toContain(btoa(`${secretId}:${secretPassword}`))
    })
  )

  it.effect("no error message, String(error), JSON dump or log line contains a credential", () =>
    Effect.gen(function* () {
      const logs: Array<string> = []
      const logger = Logger.make(({ message, annotations }) => {
        logs.push(JSON.stringify({ message, annotations: [...annotations] }))
      })
      const replies: ReadonlyArray<Reply> = [
        json(401, errorBody("authentication_failed", "Invalid Secret Keys")),
        json(403, errorBody("access_to_resource_denied", "no")),
        new Response("{oops", { status: 200 }),
        { transport: "refused" },
        json(418, { detail: "teapot" })
      ]
      for (const reply of replies) {
        const http = mockHttp(() => reply)
        const error = yield* Balances.get(id, {}, { retry: false }).pipe(
          Effect.flip,
          Effect.provide(clientLayer(http.layer)),
          Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
          Logger.withMinimumLogLevel(LogLevel.Debug)
        )
        const dumps = [error.message, String(error), JSON.stringify(error), ...logs]
        for (const dump of dumps) {
          expect(dump).not.toContain(secretId)
          expect(dump).not.toContain(secretPassword)
          expect(dump).not.toContain(btoa(`${secretId}:${secretPassword}`))
        }
      }
      expect(logs.length).toBeGreaterThan(0)
    })
  )

  it.effect("a Stream failure on a foreign next URL never carries the credentials there", () =>
    Effect.gen(function* () {
      const http = mockHttp((request) =>
        request.url.origin === "https://belvo.test"
          ? json(200, {
              count: 2,
              next: "https://evil.test/api/br/balances/?page=2",
              previous: null,
              results: [balance]
            })
          : json(200, { count: 2, next: null, previous: null, results: [balance] })
      )
      const error = yield* Stream.runDrain(Balances.list({ link, page_size: 1 }, { concurrency: 1 })).pipe(
        Effect.flip,
        Effect.provide(clientLayer(http.layer))
      )
      expect(error._tag).toBe("PaginationError")
      expect(http.requests.map((r) => r.url.origin)).toEqual(["https://belvo.test"])
    })
  )
})

describe("bad bodies", () => {
  const endpoints = [
    (layer: ReturnType<typeof clientLayer>) =>
      Balances.get(id, {}, { retry: false }).pipe(Effect.provide(layer)),
    (layer: ReturnType<typeof clientLayer>) =>
      Balances.retrieve({ link }, { retry: false }).pipe(Effect.provide(layer)),
    (layer: ReturnType<typeof clientLayer>) =>
      Stream.runDrain(Balances.list({ link }, { retry: false })).pipe(Effect.provide(layer))
  ]
  const statuses = FastCheck.constantFrom(200, 201, 400, 401, 403, 404, 408, 428, 429, 500, 502, 503)

  it.effect.prop(
    "arbitrary JSON or bytes as a body, with any status, always give a typed error or a value, never a defect",
    [
      FastCheck.oneof(
        FastCheck.jsonValue().map((value) => new TextEncoder().encode(JSON.stringify(value))),
        FastCheck.uint8Array({ maxLength: 256 })
      ),
      statuses,
      FastCheck.nat({ max: endpoints.length - 1 })
    ],
    ([bytes, status, endpoint]) =>
      Effect.gen(function* () {
        const http = mockHttp(
          () =>
            new Response(bytes as Uint8Array<ArrayBuffer>, {
              status,
              headers: { "content-type": "application/json" }
            })
        )
        const run = endpoints[endpoint] as (typeof endpoints)[0]
        const exit = yield* Effect.exit(
          run(clientLayer(http.layer)) as Effect.Effect<unknown, { _tag: string }>
        )
        if (exit._tag === "Failure") {
          expect(exit.cause._tag).toBe("Fail")
          const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
          expect(typeof error?._tag).toBe("string")
        }
      }),
    { fastCheck: { numRuns: 200 } }
  )
})
