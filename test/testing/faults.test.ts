import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import * as Result from "effect/Result"
import { TestClock } from "effect/testing"
import { Sandbox, SandboxFault, SandboxHttp, SandboxModel } from "../../src/testing/index.js"
import { basic, call, errorItems, type Json, list, PATH, responseSchema, validate } from "./helpers.js"

const provide = Effect.provide(SandboxHttp.layer({ balancesPerAccount: 5, largeLinkBalances: 0 }))
const plain = SandboxModel.plainLinkId

describe("fault plan", () => {
  it.effect("every documented status and code comes back as a Belvo error array", () =>
    Effect.gen(function* () {
      const documentedFor: Record<number, string> = {
        400: "post",
        401: "post",
        403: "post",
        408: "post",
        428: "post",
        500: "post"
      }
      for (const [code, { status }] of Object.entries(SandboxFault.errorCodes)) {
        yield* Sandbox.clearFaults
        yield* Sandbox.addFaults(SandboxFault.error(code as SandboxFault.ErrorCode))
        const answer = yield* call("POST", PATH, { body: { link: plain } })
        assert.strictEqual(answer.status, status, code)
        assert.strictEqual(answer.headers["content-type"], "application/json")
        const [item] = errorItems(answer)
        assert.strictEqual(item!.code, code)
        assert.strictEqual(item!.message, SandboxFault.errorCodes[code as SandboxFault.ErrorCode].message)
        const method = documentedFor[status]
        if (method !== undefined)
          assert.deepStrictEqual(validate(responseSchema(PATH, method, status), answer.json), [], code)
      }
      for (const status of [400, 401, 403, 404, 408, 428, 429, 500, 502, 503, 504]) {
        yield* Sandbox.clearFaults
        yield* Sandbox.addFaults(SandboxFault.status(status, { message: "custom" }))
        const answer = yield* list({ link: plain })
        assert.strictEqual(answer.status, status)
        assert.strictEqual(errorItems(answer)[0]!.message, "custom")
      }
      yield* Sandbox.clearFaults
      yield* Sandbox.addFaults(SandboxFault.error("institution_down", { asObject: true }))
      const single = (yield* list({ link: plain })).json as Json
      assert.strictEqual(single.code, "institution_down")
      assert.match(String(single.request_id), /^[a-f0-9]{32}$/)
      const validation = SandboxFault.error("required", { field: "link" })
      yield* Sandbox.clearFaults
      yield* Sandbox.addFaults(validation)
      assert.deepStrictEqual(errorItems(yield* list({ link: plain }))[0]!.field, "link")
    }).pipe(provide)
  )

  it.effect("nth and times pick which matching requests fail; scope is method and path", () =>
    Effect.gen(function* () {
      yield* Sandbox.addFaults(
        SandboxFault.status(503, { method: "GET", path: PATH, nth: 2, times: 2 }),
        SandboxFault.status(500, { method: "post" }),
        SandboxFault.status(502, { path: /^\/api\/br\/balances\/[^/]+\/$/, times: Infinity })
      )
      const statuses: Array<number> = []
      for (let i = 0; i < 5; i++) statuses.push((yield* list({ link: plain })).status)
      assert.deepStrictEqual(statuses, [200, 503, 503, 200, 200])
      assert.strictEqual((yield* call("POST", PATH, { body: { link: plain } })).status, 500)
      assert.strictEqual((yield* call("POST", PATH, { body: { link: plain } })).status, 201)
      for (let i = 0; i < 3; i++) assert.strictEqual((yield* call("GET", `${PATH}anything/`)).status, 502)
      yield* Sandbox.clearFaults
      assert.strictEqual((yield* call("GET", `${PATH}anything/`)).status, 404)
    }).pipe(provide)
  )

  it.effect("the first applicable fault wins, every fault in scope still counts", () =>
    Effect.gen(function* () {
      yield* Sandbox.addFaults(SandboxFault.status(500), SandboxFault.status(503, { nth: 2 }))
      assert.strictEqual((yield* list({ link: plain })).status, 500)
      assert.strictEqual((yield* list({ link: plain })).status, 503)
      assert.strictEqual((yield* list({ link: plain })).status, 200)
    }).pipe(provide)
  )

  it.effect("Retry-After in seconds or as an HTTP date, and extra headers", () =>
    Effect.gen(function* () {
      const date = new Date(Date.UTC(2030, 0, 2, 3, 4, 5))
      yield* Sandbox.addFaults(
        SandboxFault.status(429, { retryAfter: 7 }),
        SandboxFault.status(503, { nth: 2, retryAfter: date, headers: { "x-extra": "1" } }),
        SandboxFault.delay(0, { nth: 3, retryAfter: 1 })
      )
      const first = yield* list({ link: plain })
      assert.strictEqual(first.headers["retry-after"], "7")
      assert.strictEqual(errorItems(first)[0]!.code, "too_many_requests")
      const second = yield* list({ link: plain })
      assert.strictEqual(second.headers["retry-after"], "Wed, 02 Jan 2030 03:04:05 GMT")
      assert.strictEqual(second.headers["x-extra"], "1")
      const third = yield* list({ link: plain })
      assert.strictEqual(third.status, 200)
      assert.strictEqual(third.headers["retry-after"], "1")
    }).pipe(provide)
  )

  it.effect("delays use Effect.sleep, so TestClock drives them", () =>
    Effect.gen(function* () {
      yield* Sandbox.addFaults(SandboxFault.delay("5 seconds"))
      const fiber = yield* Effect.forkChild(list({ link: plain }))
      yield* TestClock.adjust("4 seconds")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(fiber)).status, 200)
    }).pipe(provide)
  )

  it.effect("a delayed error: status after the delay", () =>
    Effect.gen(function* () {
      yield* Sandbox.addFaults(SandboxFault.status(504, { delay: "30 seconds" }))
      const fiber = yield* Effect.forkChild(list({ link: plain }))
      yield* TestClock.adjust("29 seconds")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(fiber)).status, 504)
    }).pipe(provide)
  )

  it.effect("malformed JSON, raw bodies", () =>
    Effect.gen(function* () {
      yield* Sandbox.addFaults(
        SandboxFault.malformedJson(),
        SandboxFault.malformedJson({ nth: 2, status: 500 }),
        SandboxFault.raw(502, "<html>Bad Gateway</html>", { nth: 3, contentType: "text/html" })
      )
      const first = yield* list({ link: plain })
      assert.strictEqual(first.status, 200)
      assert.strictEqual(first.headers["content-type"], "application/json")
      assert.throws(() => JSON.parse(first.text))
      assert.strictEqual((yield* list({ link: plain })).status, 500)
      const html = yield* list({ link: plain })
      assert.strictEqual(html.status, 502)
      assert.strictEqual(html.headers["content-type"], "text/html")
      assert.strictEqual(html.text, "<html>Bad Gateway</html>")
    }).pipe(provide)
  )

  it.effect("a truncated body fails when read; a dropped connection is a transport error", () =>
    Effect.gen(function* () {
      yield* Sandbox.addFaults(SandboxFault.truncated(), SandboxFault.drop({ nth: 2 }))
      const response = yield* HttpClient.get(`https://sandbox.belvo.com${PATH}?link=${plain}`, {
        headers: { authorization: basic() }
      })
      assert.strictEqual(response.status, 200)
      assert.isTrue(Number(response.headers["content-length"]) > 100)
      const body = yield* Effect.result(response.text)
      assert.isTrue(Result.isFailure(body) && body.failure.reason._tag === "DecodeError")
      const dropped = yield* Effect.result(list({ link: plain }))
      assert.isTrue(Result.isFailure(dropped) && dropped.failure.reason._tag === "TransportError")
      const log = yield* Sandbox.requests
      assert.deepStrictEqual(
        log.map((r) => r.status),
        [200, undefined]
      )
      assert.strictEqual((yield* list({ link: plain })).status, 200)
    }).pipe(provide)
  )

  it.effect("a foreign next: the same path and query on another origin", () =>
    Effect.gen(function* () {
      yield* Sandbox.addFaults(SandboxFault.foreignNext("https://evil.example/"))
      const page = (yield* list({ link: plain, page_size: 2 })).json as Json
      assert.strictEqual(page.next, `https://evil.example${PATH}?link=${plain}&page_size=2&page=2`)
      const honest = (yield* list({ link: plain, page_size: 2 })).json as Json
      assert.strictEqual(new URL(honest.next as string).origin, "https://sandbox.belvo.com")
    }).pipe(provide)
  )

  it.effect("a token_required fault opens a real session for the request's link", () =>
    Effect.gen(function* () {
      yield* Sandbox.addFaults(SandboxFault.error("token_required", { method: "POST" }))
      const answer = yield* call("POST", PATH, { body: { link: plain } })
      assert.strictEqual(answer.status, 428)
      assert.deepStrictEqual(validate(responseSchema(PATH, "post", 428), answer.json), [])
      const item = errorItems(answer)[0] as Json & {
        session: string
        token_generation_data: { value: string }
      }
      assert.strictEqual(item.link, plain)
      const done = yield* call("PATCH", PATH, {
        body: { session: item.session, token: SandboxModel.tokenFor(item), link: plain }
      })
      assert.strictEqual(done.status, 201)
    }).pipe(provide)
  )

  it.effect("faults apply before authentication, like a gateway", () =>
    Effect.gen(function* () {
      yield* Sandbox.addFaults(SandboxFault.status(503))
      assert.strictEqual((yield* list({ link: plain }, null)).status, 503)
      assert.strictEqual((yield* list({ link: plain }, null)).status, 401)
    }).pipe(provide)
  )

  it.effect("faults given to the layer are active from the start", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* list({ link: plain })).status, 408)
      assert.strictEqual((yield* list({ link: plain })).status, 200)
    }).pipe(Effect.provide(SandboxHttp.layer({ faults: [SandboxFault.error("request_timeout")] })))
  )
})

describe("request log, counters and latency", () => {
  it.effect(
    "the log keeps method, absolute URL, headers (with Authorization), body, Clock time and status",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(1_000)
        yield* list({ link: plain, page_size: 1 })
        yield* call("POST", `http://127.0.0.1:1${PATH}`, { body: { link: plain, save_data: false } })
        const [get, post] = yield* Sandbox.requests
        assert.strictEqual(get!.method, "GET")
        assert.strictEqual(get!.url, `https://sandbox.belvo.com${PATH}?link=${plain}&page_size=1`)
        assert.strictEqual(get!.headers.authorization, basic())
        assert.strictEqual(get!.headers.host, "sandbox.belvo.com")
        assert.strictEqual(get!.receivedAt, 1_000)
        assert.strictEqual(get!.status, 200)
        assert.strictEqual(post!.method, "POST")
        assert.strictEqual(post!.headers["content-type"], "application/json")
        assert.deepStrictEqual(JSON.parse(post!.body), { link: plain, save_data: false })
        assert.strictEqual(post!.status, 200)
        yield* Sandbox.clearRequests
        assert.strictEqual((yield* Sandbox.requests).length, 0)
      }).pipe(provide)
  )

  it.effect("inFlight and maxInFlight follow concurrent requests", () =>
    Effect.gen(function* () {
      yield* Sandbox.setLatency({ all: "1 second" })
      const fiber = yield* Effect.forkChild(
        Effect.all(
          Array.from({ length: 7 }, () => list({ link: plain })),
          { concurrency: 3 }
        )
      )
      yield* TestClock.adjust("10 millis")
      assert.deepStrictEqual(yield* Sandbox.stats, { inFlight: 3, maxInFlight: 3, requests: 3 })
      yield* TestClock.adjust("3 seconds")
      const answers = yield* Fiber.join(fiber)
      assert.isTrue(answers.every((a) => a.status === 200))
      assert.deepStrictEqual(yield* Sandbox.stats, { inFlight: 0, maxInFlight: 3, requests: 7 })
      yield* Sandbox.resetStats
      assert.deepStrictEqual(yield* Sandbox.stats, { inFlight: 0, maxInFlight: 0, requests: 0 })
    }).pipe(provide)
  )

  it.effect("pageLatency slows list pages only", () =>
    Effect.gen(function* () {
      const [first] = yield* Sandbox.balancesOf(plain)
      assert.strictEqual((yield* call("GET", `${PATH}${first!.id}/`)).status, 200)
      const fiber = yield* Effect.forkChild(list({ link: plain }))
      yield* TestClock.adjust("49 millis")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      assert.strictEqual((yield* Fiber.join(fiber)).status, 200)
    }).pipe(Effect.provide(SandboxHttp.layer({ pageLatency: "50 millis", largeLinkBalances: 0 })))
  )
})
