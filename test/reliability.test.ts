import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { Balances, BelvoClient, type BelvoError, MfaChallenge } from "../src/index.js"
import {
  balanceId,
  basicCredential,
  clientLayer,
  errorBody,
  json,
  link,
  mockHttp,
  type Recorded,
  type Reply,
  secretId,
  secretPassword,
  wireBalance
} from "./support/mockHttp.js"
import { property } from "./support/property.js"
import { attributesOf, makeRecorder, parentOf } from "./support/record.js"

const id = balanceId
const balance = wireBalance()
const session = "2675b703b9d4451f8d4861a3eee54449"

const exact: BelvoClient.RetryPolicy = { ...BelvoClient.defaultRetryPolicy, jitter: false }

/** A mock answering the n-th request with the n-th reply (the last one from then on). */
const replying = (replies: ReadonlyArray<Reply>) =>
  mockHttp((_, index) => {
    const reply = replies[Math.min(index, replies.length - 1)] as Reply
    return reply instanceof Response ? reply.clone() : reply
  })

/** When each request was sent, relative to the first. */
const offsets = (requests: ReadonlyArray<Recorded>) => requests.map((r) => r.at - (requests[0]?.at ?? 0))

/** The wait before each retry. */
const waits = (requests: ReadonlyArray<Recorded>) =>
  requests.slice(1).map((r, i) => r.at - (requests[i]?.at ?? 0))

/** Runs `effect` while moving the TestClock forward by `advance`. */
const runWithClock = <A, E>(effect: Effect.Effect<A, E>, advance: Duration.Input = "5 minutes") =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(Effect.result(effect))
    yield* TestClock.adjust(advance)
    return yield* Fiber.join(fiber)
  })

const tagOf = <A, E extends { readonly _tag: string }>(result: Result.Result<A, E>) =>
  Result.isSuccess(result) ? "Success" : result.failure._tag

/** A challenge for `link`, as a 428 would build it now. */
const challengeNow = Effect.map(
  Effect.clockWith((clock) => clock.currentTimeMillis),
  (now) => Result.getOrThrow(MfaChallenge.fromItem({ session, expiry: 600 }, { link, save_data: true }, now))
)

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
          const server = replying([failure, failure, failure, json(200, balance)])
          const result = yield* runWithClock(
            Balances.get(id).pipe(Effect.provide(clientLayer(server.layer, { retry: exact })))
          )
          assert.strictEqual(tagOf(result), "Success")
          assert.deepStrictEqual(offsets(server.requests), [0, 500, 1500, 3500])
        }
      })
  )

  it.effect("gives up after maxRetries with the last typed error", () =>
    Effect.gen(function* () {
      const server = replying([json(500, errorBody("unexpected_error", "down"))])
      const result = yield* runWithClock(
        Balances.get(id).pipe(Effect.provide(clientLayer(server.layer, { retry: exact })))
      )
      assert.strictEqual(tagOf(result), "UnexpectedError")
      assert.lengthOf(server.requests, 4)
    })
  )

  it.effect("each wait is capped at maxDelay", () =>
    Effect.gen(function* () {
      const server = replying([json(500, [])])
      yield* runWithClock(
        Balances.get(id).pipe(
          Effect.provide(
            clientLayer(server.layer, { retry: { ...exact, maxRetries: 6, maxDelay: "3 seconds" } })
          )
        ),
        "1 minute"
      )
      assert.deepStrictEqual(waits(server.requests), [500, 1000, 2000, 3000, 3000, 3000])
    })
  )

  it.effect("with jitter every wait stays within 0.8x..1.2x of the backoff", () =>
    property(
      [fc.integer({ min: 1, max: 6 })],
      (retries) =>
        Effect.gen(function* () {
          const server = replying([json(503, [])])
          yield* runWithClock(
            Balances.get(id).pipe(
              Effect.provide(
                clientLayer(server.layer, {
                  retry: { ...BelvoClient.defaultRetryPolicy, maxRetries: retries }
                })
              )
            )
          )
          const observed = waits(server.requests)
          assert.lengthOf(observed, retries)
          observed.forEach((wait, n) => {
            const backoff = 500 * 2 ** n
            assert.isAtLeast(wait, Math.min(backoff * 0.8, 8000) - 1)
            assert.isAtMost(wait, Math.min(backoff * 1.2, 8000) + 1)
          })
        }),
      { numRuns: 20 }
    )
  )

  it.effect("Retry-After (seconds or HTTP date) lengthens the wait, up to maxRetryAfter", () =>
    Effect.gen(function* () {
      const start = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
      const date = new Date(start + 7000).toUTCString()
      const server = replying([
        json(429, [], { "retry-after": "3" }),
        json(503, [], { "retry-after": date }),
        json(429, [], { "retry-after": "3600" }),
        json(200, balance)
      ])
      const result = yield* runWithClock(
        Balances.get(id).pipe(
          Effect.provide(clientLayer(server.layer, { retry: { ...exact, maxRetryAfter: "20 seconds" } }))
        ),
        "2 minutes"
      )
      assert.strictEqual(tagOf(result), "Success")
      assert.deepStrictEqual(offsets(server.requests), [0, 3000, 7000, 27_000])
    })
  )

  it.effect("POST retrieve is not retried once sent, but is when the connection was refused", () =>
    Effect.gen(function* () {
      const sent = replying([json(500, errorBody("unexpected_error", "x")), json(201, [])])
      const failed = yield* runWithClock(
        Balances.retrieve({ link }).pipe(Effect.provide(clientLayer(sent.layer)))
      )
      assert.strictEqual(tagOf(failed), "UnexpectedError")
      assert.lengthOf(sent.requests, 1)

      const reset = replying([{ transport: "reset" }, json(201, [])])
      const resetResult = yield* runWithClock(
        Balances.retrieve({ link }).pipe(Effect.provide(clientLayer(reset.layer)))
      )
      assert.strictEqual(tagOf(resetResult), "TransportError")
      assert.strictEqual(
        Result.isFailure(resetResult) &&
          resetResult.failure._tag === "TransportError" &&
          resetResult.failure.sent,
        true
      )
      assert.lengthOf(reset.requests, 1)

      const refused = replying([{ transport: "refused" }, { transport: "refused" }, json(201, [])])
      const ok = yield* runWithClock(
        Balances.retrieve({ link }).pipe(Effect.provide(clientLayer(refused.layer)))
      )
      assert.strictEqual(tagOf(ok), "Success")
      assert.lengthOf(refused.requests, 3)
    })
  )

  it.effect("retries can be turned off per client and per call", () =>
    Effect.gen(function* () {
      const perClient = replying([json(500, [])])
      yield* runWithClock(
        Balances.get(id).pipe(Effect.provide(clientLayer(perClient.layer, { retry: false })))
      )
      assert.lengthOf(perClient.requests, 1)
      const perCall = replying([json(500, [])])
      yield* runWithClock(
        Balances.get(id, {}, { retry: false }).pipe(Effect.provide(clientLayer(perCall.layer)))
      )
      assert.lengthOf(perCall.requests, 1)
    })
  )

  it.effect("a per-call retry policy replaces the client's", () =>
    Effect.gen(function* () {
      const server = replying([json(503, [])])
      const result = yield* runWithClock(
        Balances.get(id, {}, { retry: { ...exact, maxRetries: 1, baseDelay: "2 seconds" } }).pipe(
          Effect.provide(clientLayer(server.layer, { retry: { ...exact, maxRetries: 5 } }))
        )
      )
      assert.strictEqual(tagOf(result), "UnknownStatus")
      assert.deepStrictEqual(offsets(server.requests), [0, 2000])
    })
  )

  it.effect("on GET, a DecodeError and a 400, 401, 403 or 404 are never retried", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [() => Response, Partial<BelvoClient.Options>]> = [
        // Refused while the body is read (over the size limit), inside the attempt...
        [
          () => json(200, { ...balance, account_internal_identification: "x".repeat(500) }),
          { maxResponseBytes: 100 }
        ],
        // ...and once read, when it is decoded.
        [() => new Response("{oops", { status: 200 }), {}],
        [() => json(400, errorBody("invalid", "x")), {}],
        [() => json(401, errorBody("authentication_failed", "x")), {}],
        [() => json(403, errorBody("access_to_resource_denied", "x")), {}],
        [() => json(404, errorBody("not_found", "x")), {}]
      ]
      for (const [reply, options] of cases) {
        // A fresh body per request: a cloned one cannot be cancelled while its twin is unread.
        const server = mockHttp((_, index) => (index === 0 ? reply() : json(200, balance)))
        const result = yield* runWithClock(
          Balances.get(id).pipe(Effect.provide(clientLayer(server.layer, options)))
        )
        assert.notStrictEqual(tagOf(result), "Success")
        assert.lengthOf(server.requests, 1)
      }
    })
  )

  it.effect("PATCH resume is never retried, not even when the connection was refused", () =>
    Effect.gen(function* () {
      for (const reply of [{ transport: "refused" } as const, json(503, []), json(429, [])]) {
        const challenge = yield* challengeNow
        const server = replying([reply, json(200, [balance])])
        const result = yield* runWithClock(
          Balances.resume(challenge, "1").pipe(Effect.provide(clientLayer(server.layer)))
        )
        assert.notStrictEqual(tagOf(result), "Success")
        assert.lengthOf(server.requests, 1)
      }
    })
  )
})

describe("per-call options are checked before anything is sent", () => {
  const badOptions: ReadonlyArray<readonly [string, BelvoClient.CallOptions]> = [
    ["retry", { retry: { ...exact, maxRetries: -1 } }],
    ["retry", { retry: { ...exact, maxRetries: 2.5 } }],
    ["retry", { retry: { ...exact, maxRetries: 21 } }],
    ["retry", { retry: { ...exact, baseDelay: 0 } }],
    ["retry", { retry: { ...exact, maxDelay: "2 hours" } }],
    ["retry", { retry: { ...exact, maxRetryAfter: -1 } }],
    ["attemptTimeout", { attemptTimeout: 0 }],
    ["attemptTimeout", { attemptTimeout: "2 days" }],
    ["callTimeout", { callTimeout: -1000 }],
    ["callTimeout", { callTimeout: "forever" as Duration.Input }]
  ]

  it.effect(
    "a bad retry, attemptTimeout or callTimeout is an InvalidQuery naming it, on every endpoint",
    () =>
      Effect.gen(function* () {
        const http = mockHttp(() => json(200, balance))
        const layer = clientLayer(http.layer)
        const challenge = yield* challengeNow
        for (const [field, options] of badOptions) {
          const calls: ReadonlyArray<Effect.Effect<unknown, BelvoError.BelvoError, BelvoClient.BelvoClient>> =
            [
              Balances.get(id, {}, options),
              Balances.retrieve({ link }, options),
              Balances.listPage({ link }, options),
              Stream.runDrain(Balances.list({ link }, options)),
              ...(field === "retry"
                ? []
                : [Balances.resume(challenge, "1", { ...options } as Omit<BelvoClient.CallOptions, "retry">)])
            ]
          for (const call of calls) {
            const error = yield* Effect.flip(Effect.provide(call, layer))
            assert.strictEqual(error._tag === "InvalidQuery" && error.field, field, JSON.stringify(options))
            assert.include(error.message, `Invalid query parameter "${field}"`)
          }
        }
        assert.lengthOf(http.requests, 0)
      })
  )

  it.effect("the bounds are accepted per call", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, balance))
      yield* Balances.get(
        id,
        {},
        {
          retry: {
            ...exact,
            maxRetries: 20,
            baseDelay: "1 millis",
            maxDelay: "1 hour",
            maxRetryAfter: "1 hour"
          },
          attemptTimeout: "1 day",
          callTimeout: "1 day"
        }
      ).pipe(Effect.provide(clientLayer(http.layer)))
      assert.lengthOf(http.requests, 1)
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
      assert.strictEqual(tagOf(result), "Success")
      assert.deepStrictEqual(offsets(http.requests), [0, 2500])
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
      assert.strictEqual(
        Result.isFailure(result) && result.failure._tag === "Timeout" && result.failure.scope,
        "call"
      )
      assert.strictEqual(
        Result.isFailure(result) && result.failure._tag === "Timeout" && result.failure.millis,
        5000
      )
    })
  )

  it.effect(
    "a per-call attemptTimeout replaces the client's, and an attempt timeout on POST is not retried",
    () =>
      Effect.gen(function* () {
        const http = mockHttp(() => Effect.as(Effect.sleep("10 minutes"), json(201, [balance])))
        const fiber = yield* Effect.forkChild(
          Effect.flip(
            Balances.retrieve({ link }, { attemptTimeout: "3 seconds" }).pipe(
              Effect.provide(clientLayer(http.layer, { attemptTimeout: "1 minute" }))
            )
          )
        )
        yield* TestClock.adjust("2999 millis")
        assert.isUndefined(fiber.pollUnsafe())
        yield* TestClock.adjust("1 millis")
        assert.isDefined(fiber.pollUnsafe(), "the attempt outlived its 3 s timeout")
        const error = yield* Fiber.join(fiber)
        assert.deepStrictEqual(error._tag === "Timeout" && [error.scope, error.millis, error.method], [
          "attempt",
          3000,
          "POST"
        ])
        yield* TestClock.adjust("1 minute")
        assert.lengthOf(http.requests, 1)
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
      assert.strictEqual(error._tag === "DecodeError" && error.reason, "body too large")
    })
  )

  it.effect("a declared Content-Length over maxResponseBytes is refused before the body is read", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, balance, { "content-length": "5000" }))
      const error = yield* Balances.get(id).pipe(
        Effect.flip,
        Effect.provide(clientLayer(http.layer, { maxResponseBytes: 1024 }))
      )
      assert.deepStrictEqual(
        error._tag === "DecodeError" && [error.reason, error.message.includes("5000 bytes")],
        ["body too large", true]
      )
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
      const fiber = yield* Effect.forkChild(
        Effect.forEach(Array.from({ length: 20 }), () => Balances.get(id), { concurrency: "unbounded" }).pipe(
          Effect.provide(layer)
        )
      )
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(fiber)
      assert.strictEqual(peak, 3)
      assert.lengthOf(http.requests, 20)
      // Seven rounds of 100 ms: the cap holds requests back, it does not serialize them.
      assert.strictEqual(Math.max(...offsets(http.requests)), 600)
    })
  )

  /** Starts of requests that each wait for the rate limit; `arrivals` in ms from 0. */
  const rateLimited = (limit: number, interval: number, arrivals: ReadonlyArray<number>) =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, balance))
      const layer = clientLayer(http.layer, { rateLimit: { limit, interval: `${interval} millis` } })
      const fiber = yield* Effect.forkChild(
        Effect.forEach(
          arrivals,
          (at) => Effect.delay(Balances.get(id, {}, { retry: false }), `${at} millis`),
          {
            concurrency: "unbounded"
          }
        ).pipe(Effect.provide(layer))
      )
      yield* TestClock.adjust(`${Math.max(0, ...arrivals) + (arrivals.length + 1) * interval} millis`)
      yield* Fiber.join(fiber)
      return http.requests.map((request) => request.at).sort((a, b) => a - b)
    })

  /** The most request starts in any span of `interval` milliseconds. */
  const busiest = (starts: ReadonlyArray<number>, interval: number) =>
    Math.max(0, ...starts.map((from) => starts.filter((t) => t >= from && t < from + interval).length))

  it.effect(
    "a rate limit spaces a burst out: at most limit requests start per interval, none waits longer",
    () =>
      property(
        [fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 20 })],
        (limit, perRequest, count) =>
          Effect.gen(function* () {
            // An interval that is a whole number of ms per request keeps the limiter's arithmetic exact.
            const interval = limit * perRequest
            const starts = yield* rateLimited(
              limit,
              interval,
              Array.from({ length: count }, () => 0)
            )
            assert.lengthOf(starts, count)
            assert.isAtMost(busiest(starts, interval), limit)
            assert.deepStrictEqual(
              starts,
              starts.map((_, n) => Math.floor(n / limit) * interval)
            )
          }),
        { numRuns: 40 }
      )
  )

  it.effect(
    "a rate limit under requests arriving at any time: fixed windows, at most 2 x limit - 1 in any interval",
    () =>
      property(
        [
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 300 }),
          fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 16 })
        ],
        (limit, perRequest, arrivals) =>
          Effect.gen(function* () {
            const interval = limit * perRequest
            const starts = yield* rateLimited(limit, interval, arrivals)
            assert.lengthOf(starts, arrivals.length)
            // A window opens with the first request after a quiet spell, so two windows may overlap
            // one interval; the sustained rate is still limit per interval.
            assert.isAtMost(busiest(starts, interval), 2 * limit - 1)
            const span = Math.max(...starts) - Math.min(...starts)
            assert.isAtMost(arrivals.length, limit * (Math.floor(span / interval) + 2))
          }),
        { numRuns: 60 }
      )
  )
})

describe("spans", () => {
  it.effect(
    "an endpoint span carries status, attempt and request id; Effect's client span per attempt is named by route",
    () =>
      Effect.gen(function* () {
        const recorder = makeRecorder()
        const http = mockHttp((_, index) =>
          index === 0 ? json(503, []) : json(200, balance, { "x-request-id": "req-200" })
        )
        const fiber = yield* Balances.get(id).pipe(
          Effect.provide(clientLayer(http.layer, { retry: { ...exact, baseDelay: "1 millis" } })),
          recorder.record,
          Effect.forkChild
        )
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(fiber)
        const call = recorder.spans.find((span) => span.name === "Balances.get")
        assert.deepStrictEqual(
          [
            call?.attributes.get("http.response.status_code"),
            call?.attributes.get("belvo.attempt"),
            call?.attributes.get("belvo.request_id")
          ],
          [200, 2, "req-200"]
        )
        const attempts = recorder.spans.filter((span) => span.name === "GET /api/br/balances/{id}/")
        assert.lengthOf(attempts, 2)
        for (const [n, attempt] of attempts.entries()) {
          const attributes = attributesOf(attempt)
          assert.strictEqual(attempt.kind, "client")
          assert.strictEqual(parentOf(attempt, recorder.spans), call)
          assert.strictEqual(attributes["http.request.method"], "GET")
          assert.strictEqual(attributes["url.full"], `https://belvo.test/api/br/balances/${id}/`)
          assert.strictEqual(attributes["url.path"], `/api/br/balances/${id}/`)
          assert.strictEqual(attributes["server.address"], "belvo.test")
          assert.strictEqual(attributes["http.response.status_code"], n === 0 ? 503 : 200)
        }
        const text = recorder.text()
        assert.notInclude(text, secretId)
        assert.notInclude(text, secretPassword)
        assert.notInclude(text, basicCredential)
      })
  )

  it.effect("retrieve, resume and list each have their span, with the client spans under them", () =>
    Effect.gen(function* () {
      const recorder = makeRecorder()
      const http = mockHttp((request) => {
        if (request.method === "POST") return json(201, [balance])
        if (request.method === "PATCH") return json(200, [balance])
        const page = Number(request.url.searchParams.get("page") ?? "1")
        const next = new URL(request.url)
        next.searchParams.set("page", String(page + 1))
        return json(200, { count: 3, next: page < 3 ? next.href : null, previous: null, results: [balance] })
      })
      const challenge = yield* challengeNow
      yield* Effect.gen(function* () {
        yield* Balances.retrieve({ link })
        yield* Balances.resume(challenge, "123456")
        yield* Stream.runDrain(Balances.list({ link, page_size: 1 }, { concurrency: 1 }))
      }).pipe(Effect.provide(clientLayer(http.layer)), recorder.record)
      const named = (name: string) => recorder.spans.filter((span) => span.name === name)
      const parentName = (name: string) => named(name).map((span) => parentOf(span, recorder.spans)?.name)
      assert.deepStrictEqual(parentName("Balances.retrieve"), [undefined])
      assert.deepStrictEqual(parentName("POST /api/br/balances/"), ["Balances.retrieve"])
      assert.deepStrictEqual(parentName("Balances.resume"), [undefined])
      assert.deepStrictEqual(parentName("PATCH /api/br/balances/"), ["Balances.resume"])
      // One span for the list, one under it per page request, each over its client span.
      assert.deepStrictEqual(parentName("Balances.list"), [undefined])
      assert.deepStrictEqual(parentName("Balances.listPage"), Array(3).fill("Balances.list"))
      assert.deepStrictEqual(parentName("GET /api/br/balances/"), Array(3).fill("Balances.listPage"))
      for (const name of ["Balances.retrieve", "Balances.resume", "Balances.listPage"]) {
        for (const span of named(name)) {
          assert.deepStrictEqual(
            [
              span.attributes.get("http.response.status_code"),
              span.attributes.get("belvo.attempt"),
              span.attributes.get("belvo.request_id")
            ],
            [name === "Balances.retrieve" ? 201 : 200, 1, "none"],
            name
          )
        }
      }
    })
  )

  it.effect("a listPage call is one Balances.listPage span carrying status, attempt and request id", () =>
    Effect.gen(function* () {
      const recorder = makeRecorder()
      const http = mockHttp(() =>
        json(
          200,
          { count: 1, next: null, previous: null, results: [balance] },
          { "x-request-id": "req-page" }
        )
      )
      yield* Balances.listPage({ link, page_size: 1 }).pipe(
        Effect.provide(clientLayer(http.layer)),
        recorder.record
      )
      const pages = recorder.spans.filter((span) => span.name === "Balances.listPage")
      const client = recorder.spans.find((span) => span.name === "GET /api/br/balances/")
      assert.lengthOf(pages, 1)
      assert.strictEqual(client === undefined ? undefined : parentOf(client, recorder.spans), pages[0])
      assert.deepStrictEqual(
        [
          pages[0]?.attributes.get("http.response.status_code"),
          pages[0]?.attributes.get("belvo.attempt"),
          pages[0]?.attributes.get("belvo.request_id")
        ],
        [200, 1, "req-page"]
      )
    })
  )

  it.effect("no trace propagation header reaches the server, even inside a traced program", () =>
    Effect.gen(function* () {
      const recorder = makeRecorder()
      const http = mockHttp(() => json(200, balance))
      yield* Balances.get(id).pipe(
        Effect.withSpan("caller"),
        Effect.provide(clientLayer(http.layer)),
        recorder.record
      )
      // The client made its spans, with a parent to propagate...
      assert.isDefined(recorder.spans.find((span) => span.name === "GET /api/br/balances/{id}/"))
      // ...and sent none of it.
      const headers = Object.keys(http.requests[0]?.headers ?? {})
      for (const name of ["traceparent", "tracestate", "b3", "x-b3-traceid", "x-b3-spanid", "x-b3-sampled"]) {
        assert.notInclude(headers, name)
      }
      assert.deepStrictEqual(headers.sort(), ["accept", "authorization", "user-agent"])
    })
  )

  it.effect("a program that records request headers in spans still never sees the Authorization value", () =>
    Effect.gen(function* () {
      const recorder = makeRecorder()
      const http = mockHttp(() => json(200, balance))
      yield* Balances.get(id).pipe(
        Effect.provide(clientLayer(http.layer)),
        Effect.provideService(HttpClient.TracerHeaderFilter, () => true),
        recorder.record
      )
      const attempt = recorder.spans.find((span) => span.name === "GET /api/br/balances/{id}/")
      assert.strictEqual(attempt?.attributes.get("http.request.header.authorization"), "<redacted>")
      assert.strictEqual(attempt?.attributes.get("http.request.header.accept"), "application/json")
      const text = recorder.text()
      assert.notInclude(text, basicCredential)
      assert.notInclude(text, secretId)
      assert.notInclude(text, secretPassword)
    })
  )
})

/** Every way an error can be shown: its message, String, JSON and its Cause rendered. */
const renderings = (error: BelvoError.BelvoError) => [
  error.message,
  String(error),
  JSON.stringify(error),
  Cause.pretty(Cause.fail(error))
]

const assertNoSecret = (text: string, where: string) => {
  for (const secret of [secretId, secretPassword, basicCredential]) {
    assert.notInclude(text, secret, `${where} holds a credential`)
  }
}

describe("secrets", () => {
  it.effect(
    "no error message, String(error), JSON dump, Cause.pretty, log line or span contains a credential",
    () =>
      Effect.gen(function* () {
        const replies: ReadonlyArray<Reply> = [
          json(401, errorBody("authentication_failed", "Invalid Secret Keys")),
          json(403, errorBody("access_to_resource_denied", "no")),
          new Response("{oops", { status: 200 }),
          { transport: "refused" },
          { transport: "reset" },
          json(418, { detail: "teapot" })
        ]
        for (const reply of replies) {
          const recorder = makeRecorder()
          const http = mockHttp(() => reply)
          const exit = yield* Balances.get(id, {}, { retry: false }).pipe(
            Effect.provide(clientLayer(http.layer)),
            recorder.record,
            Effect.exit
          )
          assert.isTrue(Exit.isFailure(exit))
          if (Exit.isFailure(exit)) {
            const error = Cause.squash(exit.cause) as BelvoError.BelvoError
            for (const text of renderings(error)) assertNoSecret(text, error._tag)
            assertNoSecret(Cause.pretty(exit.cause), "the cause")
          }
          assert.isAbove(recorder.logs.length, 0)
          assertNoSecret(recorder.text(), "logs and spans")
        }
      })
  )

  it.effect("credentials a server echoes back (raw or base64) are cleared from errors, logs and spans", () =>
    Effect.gen(function* () {
      const echo = `${secretId} ${secretPassword} Basic ${basicCredential}`
      const replies: ReadonlyArray<Response> = [
        json(401, errorBody("authentication_failed", `bad: ${echo}`, { request_id: secretPassword }), {
          "x-request-id": basicCredential
        }),
        json(418, { detail: echo }, { "x-request-id": secretId }),
        json(503, [{ code: secretId, message: echo, field: secretPassword }]),
        new Response(`{"broken": "${echo}"`, { status: 200, headers: { "x-request-id": basicCredential } }),
        json(200, [{ ...balance, id: "not-a-uuid", currency: echo }], { "x-request-id": basicCredential })
      ]
      for (const reply of replies) {
        const recorder = makeRecorder()
        const http = mockHttp(() => reply.clone())
        const exit = yield* Balances.get(id, {}, { retry: false }).pipe(
          Effect.provide(clientLayer(http.layer)),
          recorder.record,
          Effect.exit
        )
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) {
          const error = Cause.squash(exit.cause) as BelvoError.BelvoError
          for (const text of renderings(error)) assertNoSecret(text, `${error._tag} for ${reply.status}`)
          assert.include(JSON.stringify(error), "<redacted>")
        }
        assertNoSecret(recorder.text(), `logs and spans for ${reply.status}`)
      }
      // A 2xx body that echoes them decodes with them cleared, and the span's request id too.
      const recorder = makeRecorder()
      const http = mockHttp(() =>
        json(200, { ...balance, currency: echo }, { "x-request-id": basicCredential })
      )
      const returned = yield* Balances.get(id).pipe(Effect.provide(clientLayer(http.layer)), recorder.record)
      assert.strictEqual(returned.currency, "<redacted> <redacted> Basic <redacted>")
      assertNoSecret(recorder.text(), "logs and spans for 200")
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
      assert.strictEqual(error._tag, "PaginationError")
      assert.deepStrictEqual(
        http.requests.map((r) => r.url.origin),
        ["https://belvo.test"]
      )
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
  const statuses = fc.constantFrom(200, 201, 400, 401, 403, 404, 408, 428, 429, 500, 502, 503)

  it.effect(
    "arbitrary JSON or bytes as a body, with any status, always give a typed error or a value, never a defect",
    () =>
      property(
        [
          fc.oneof(
            fc.jsonValue().map((value) => new TextEncoder().encode(JSON.stringify(value))),
            fc.uint8Array({ maxLength: 256 })
          ),
          statuses,
          fc.nat({ max: endpoints.length - 1 })
        ],
        (bytes, status, endpoint) =>
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
            if (Exit.isFailure(exit)) {
              assert.isTrue(Cause.hasFails(exit.cause), Cause.pretty(exit.cause))
              assert.isFalse(Cause.hasDies(exit.cause), Cause.pretty(exit.cause))
              assert.strictEqual(typeof Cause.squash(exit.cause), "object")
              assert.strictEqual(typeof (Cause.squash(exit.cause) as { _tag?: unknown })._tag, "string")
            }
          }),
        { numRuns: 200 }
      )
  )
})
