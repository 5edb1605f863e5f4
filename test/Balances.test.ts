import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { Balance, Balances } from "../src/index.js"
import {
  account,
  baseUrl,
  balanceId,
  clientLayer,
  errorBody,
  json,
  link,
  mockHttp,
  secretId,
  secretPassword,
  wireBalance
} from "./support/mockHttp.js"

const basic = `Basic ${btoa(`${secretId}:${secretPassword}`)}`

describe("Balances requests", () => {
  it.effect("retrieve POSTs link, account_id and save_data with basic auth; 201 means saved", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(201, [wireBalance(balanceId)]))
      const result = yield* Balances.retrieve({ link, account_id: account }).pipe(
        Effect.provide(clientLayer(http.layer))
      )
      expect(result.status).toBe(201)
      expect(result.saved).toBe(true)
      expect(result.balances).toHaveLength(1)
      const [request] = http.requests
      expect(request?.method).toBe("POST")
      expect(request?.url.pathname).toBe("/api/br/balances/")
      expect(request?.url.search).toBe("")
      expect(request?.body).toEqual({ link, account_id: account, save_data: true })
      expect(request?.headers.authorization).toBe(basic)
      expect(request?.headers.accept).toBe("application/json")
      expect(request?.headers["user-agent"]).toMatch(/^effect-belvo\/\d+\.\d+\.\d+/)
    })
  )

  it.effect("retrieve with save_data false: 200 means not saved; fields go in the query", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, [{ id: balanceId, available: "1.5" }]))
      const result = yield* Balances.retrieve({ link, save_data: false, fields: ["id", "available"] }).pipe(
        Effect.provide(clientLayer(http.layer))
      )
      expect(result.status).toBe(200)
      expect(result.saved).toBe(false)
      expect(Object.keys(result.balances[0] ?? {})).toEqual(["id", "available"])
      expect(http.requests[0]?.url.searchParams.get("fields")).toBe("id,available")
      expect(http.requests[0]?.body).toEqual({ link, save_data: false })
    })
  )

  it.effect("get sends GET /api/br/balances/{id}/ with omit", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, { ...wireBalance(balanceId), blocked: undefined }))
      const balance = yield* Balances.get(balanceId, { omit: ["blocked"] }).pipe(
        Effect.provide(clientLayer(http.layer))
      )
      expect("blocked" in balance).toBe(false)
      expect(http.requests[0]?.method).toBe("GET")
      expect(http.requests[0]?.url.pathname).toBe(`/api/br/balances/${balanceId}/`)
      expect(http.requests[0]?.url.searchParams.get("omit")).toBe("blocked")
    })
  )

  it.effect("listPage sends the encoded filters as given", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, { count: 0, next: null, previous: null, results: [] }))
      yield* Balances.listPage({
        link,
        id__in: [balanceId, account],
        collected_at__range: ["2024-01-01", "2024-01-31"],
        page: 2
      }).pipe(Effect.provide(clientLayer(http.layer)))
      const params = http.requests[0]?.url.searchParams
      expect(params?.get("link")).toBe(link)
      expect(params?.get("id__in")).toBe(`${balanceId},${account}`)
      expect(params?.get("collected_at__range")).toBe("2024-01-01,2024-01-31")
      expect(params?.get("page")).toBe("2")
      expect(params?.has("page_size")).toBe(false)
    })
  )

  it.effect("invalid input fails before any request is sent", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, []))
      const layer = clientLayer(http.layer)
      const failures = yield* Effect.all(
        [
          Effect.flip(Balances.retrieve({ link: "nope" }).pipe(Effect.provide(layer))),
          Effect.flip(Balances.retrieve({ link, account_id: "x" }).pipe(Effect.provide(layer))),
          Effect.flip(Balances.get("1234").pipe(Effect.provide(layer))),
          Effect.flip(Balances.listPage({ link, page_size: 0 }).pipe(Effect.provide(layer))),
          Effect.flip(
            Balances.listPage({
              link,
              collected_at__range: ["2024-01-01", "2024-01-02", "2024-01-03"] as never
            }).pipe(Effect.provide(layer))
          ),
          Effect.flip(Balances.listPage({ link, created_at: "2024-02-30" }).pipe(Effect.provide(layer))),
          Effect.flip(
            Balances.listPage({ link, fields: ["id", "nope" as never] }).pipe(Effect.provide(layer))
          ),
          Stream.runDrain(Balances.list({ link: "not-a-uuid" })).pipe(Effect.flip, Effect.provide(layer))
        ],
        { concurrency: 1 }
      )
      for (const failure of failures) expect(failure._tag).toBe("InvalidQuery")
      expect(http.requests).toHaveLength(0)
    })
  )
})

const statusCases: ReadonlyArray<readonly [number, string, string]> = [
  [400, "session_expired", "SessionExpired"],
  [400, "too_many_sessions", "TooManySessions"],
  [400, "login_error", "LoginError"],
  [400, "institution_down", "InstitutionDown"],
  [400, "institution_unavailable", "InstitutionUnavailable"],
  [400, "institution_inactive", "InstitutionInactive"],
  [400, "invalid_link", "InvalidLink"],
  [400, "unconfirmed_link", "UnconfirmedLink"],
  [400, "unsupported_operation", "UnsupportedOperation"],
  [400, "invalid_period", "InvalidPeriod"],
  [400, "invalid_credentials_storage", "InvalidCredentialsStorage"],
  [400, "invalid_fetch_resources", "InvalidFetchResources"],
  [400, "required", "ValidationError"],
  [400, "null", "ValidationError"],
  [400, "blank", "ValidationError"],
  [400, "invalid", "ValidationError"],
  [400, "does_not_exist", "ValidationError"],
  [400, "something_new", "BadRequest"],
  [401, "authentication_failed", "AuthenticationFailed"],
  [401, "consent_without_accounts", "ConsentWithoutAccounts"],
  [403, "access_to_resource_denied", "AccessDenied"],
  [408, "request_timeout", "RequestTimeout"],
  [429, "too_many_requests", "TooManyRequests"],
  [500, "unexpected_error", "UnexpectedError"],
  [418, "teapot", "UnknownStatus"],
  [503, "unavailable", "UnknownStatus"]
]

describe("status mapping", () => {
  for (const [status, code, tag] of statusCases) {
    for (const shape of ["array", "object"] as const) {
      it.effect(`retrieve: ${status} ${code} (${shape} body) -> ${tag}`, () =>
        Effect.gen(function* () {
          const items = errorBody(
            code,
            `message for ${code}`,
            tag === "ValidationError" ? { field: "link" } : {}
          )
          const http = mockHttp(() => json(status, shape === "array" ? items : items[0]))
          const error = yield* Balances.retrieve({ link }, { retry: false }).pipe(
            Effect.flip,
            Effect.provide(clientLayer(http.layer))
          )
          expect(error._tag).toBe(tag)
          if ("status" in error) expect(error.status).toBe(status)
          if ("code" in error) expect(error.code).toBe(code)
          if ("request_id" in error) expect(error.request_id).toBe("9e7b283c6efa449c9c028a16b5c249fb")
          expect(error.message).toContain(String(status))
          expect(error.message).toContain("POST /api/br/balances/")
          expect(error.message).toContain(code)
          if (error._tag === "ValidationError") expect(error.field).toBe("link")
        })
      )
    }
  }

  it.effect("keeps every item of an error body", () =>
    Effect.gen(function* () {
      const http = mockHttp(() =>
        json(400, [
          ...errorBody("required", "This field is required.", { field: "link" }),
          ...errorBody("invalid", "Bad", { field: "account_id" })
        ])
      )
      const error = yield* Balances.retrieve({ link }).pipe(
        Effect.flip,
        Effect.provide(clientLayer(http.layer))
      )
      expect(error._tag === "ValidationError" && error.errors.map((item) => item.field)).toEqual([
        "link",
        "account_id"
      ])
    })
  )

  it.effect("get: 404 not_found -> NotFound; a 428 there is an undocumented status", () =>
    Effect.gen(function* () {
      const http = mockHttp((_, index) =>
        index === 0
          ? json(404, errorBody("not_found", "Not found"))
          : json(428, errorBody("token_required", "MFA"))
      )
      const layer = clientLayer(http.layer)
      expect((yield* Effect.flip(Balances.get(balanceId).pipe(Effect.provide(layer))))._tag).toBe("NotFound")
      expect((yield* Effect.flip(Balances.get(balanceId).pipe(Effect.provide(layer))))._tag).toBe(
        "UnknownStatus"
      )
    })
  )

  it.effect("a {detail} error body takes the code its status implies", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(404, { detail: "Not found." }))
      const error = yield* Effect.flip(Balances.get(balanceId).pipe(Effect.provide(clientLayer(http.layer))))
      expect(error._tag === "NotFound" && [error.code, error.detail]).toEqual(["not_found", "Not found."])
    })
  )

  it.effect("a malformed body is a DecodeError carrying status and request_id", () =>
    Effect.gen(function* () {
      const http = mockHttp((_, index) =>
        index === 0
          ? new Response("{not json", { status: 200, headers: { "x-request-id": "abc123" } })
          : json(200, { ...wireBalance(balanceId), available: "lots" }, { "x-request-id": "def456" })
      )
      const layer = clientLayer(http.layer)
      const malformed = yield* Effect.flip(Balances.get(balanceId).pipe(Effect.provide(layer)))
      const wrongType = yield* Effect.flip(Balances.get(balanceId).pipe(Effect.provide(layer)))
      expect(malformed._tag === "DecodeError" && [malformed.status, malformed.request_id]).toEqual([
        200,
        "abc123"
      ])
      expect(wrongType._tag === "DecodeError" && [wrongType.status, wrongType.request_id]).toEqual([
        200,
        "def456"
      ])
      expect(wrongType.message).toContain("available")
    })
  )
})

/** One page of `items` for `?page=n&page_size=k`, like Belvo; `next`/`previous` on `origin`. */
const respondPage = (
  items: ReadonlyArray<ReturnType<typeof wireBalance>>,
  url: URL,
  origin = url.origin
): Response => {
  const page = Number(url.searchParams.get("page") ?? "1")
  const size = Number(url.searchParams.get("page_size") ?? "100")
  const start = (page - 1) * size
  if (start >= items.length && page > 1) return json(404, errorBody("not_found", "Not found"))
  const at = (n: number) => {
    const other = new URL(url.pathname + url.search, origin)
    other.searchParams.set("page", String(n))
    return other.href
  }
  return json(200, {
    count: items.length,
    next: start + size < items.length ? at(page + 1) : null,
    previous: page > 1 ? at(page - 1) : null,
    results: items.slice(start, start + size)
  })
}

const pagingServer = (items: ReadonlyArray<ReturnType<typeof wireBalance>>, origin?: string) =>
  mockHttp((request) => respondPage(items, request.url, origin))

const uuidFor = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`

describe("list", () => {
  it.effect.prop(
    "yields every item exactly once, in order, for any dataset, page size, start page and concurrency",
    [
      FastCheck.integer({ min: 0, max: 60 }),
      FastCheck.integer({ min: 1, max: 25 }),
      FastCheck.integer({ min: 1, max: 6 }),
      FastCheck.integer({ min: 1, max: 3 })
    ],
    ([size, pageSize, concurrency, startPage]) =>
      Effect.gen(function* () {
        const items = Array.from({ length: size }, (_, n) => wireBalance(uuidFor(n), n))
        const http = pagingServer(items)
        const query = {
          link,
          page_size: pageSize,
          fields: ["id"],
          ...(startPage > 1 ? { page: startPage } : {})
        } as const
        const result = yield* Balances.list(query, { concurrency }).pipe(
          Stream.map((balance) => balance.id),
          Stream.runCollect,
          Effect.either,
          Effect.provide(clientLayer(http.layer))
        )
        const skipped = (startPage - 1) * pageSize
        if (startPage > 1 && skipped >= size) {
          // Belvo answers a page past the last with 404 not_found.
          expect(result._tag === "Left" && result.left._tag).toBe("NotFound")
          return
        }
        expect(result._tag === "Right" && Chunk.toReadonlyArray(result.right)).toEqual(
          items.slice(skipped).map((item) => item.id)
        )
        expect(http.requests.length).toBe(Math.max(1, Math.ceil(size / pageSize) - startPage + 1))
      }),
    { fastCheck: { numRuns: 60 } }
  )

  it.effect("asks for 1000 per page unless told otherwise", () =>
    Effect.gen(function* () {
      const http = pagingServer([])
      yield* Stream.runDrain(Balances.list({ link })).pipe(Effect.provide(clientLayer(http.layer)))
      expect(http.requests[0]?.url.searchParams.get("page_size")).toBe("1000")
    })
  )

  it.effect("refuses a next URL on another origin and never sends credentials there", () =>
    Effect.gen(function* () {
      const items = Array.from({ length: 5 }, (_, n) => wireBalance(uuidFor(n)))
      for (const concurrency of [1, 3]) {
        const http = pagingServer(items, "https://evil.test")
        const error = yield* Stream.runDrain(Balances.list({ link, page_size: 2 }, { concurrency })).pipe(
          Effect.flip,
          Effect.provide(clientLayer(http.layer))
        )
        expect(error._tag === "PaginationError" && error.reason).toBe("CrossOrigin")
        expect(http.requests.every((request) => request.url.origin === "https://belvo.test")).toBe(true)
      }
    })
  )

  it.effect("stops a server that repeats a page", () =>
    Effect.gen(function* () {
      const http = mockHttp((request) =>
        json(200, { count: 10, next: request.url.href, previous: null, results: [wireBalance(uuidFor(1))] })
      )
      const error = yield* Stream.runDrain(Balances.list({ link, page_size: 1 }, { concurrency: 1 })).pipe(
        Effect.flip,
        Effect.provide(clientLayer(http.layer))
      )
      expect(error._tag === "PaginationError" && error.reason).toBe("Endless")
    })
  )

  it.effect("stops a server whose pages never end, bounded by count", () =>
    Effect.gen(function* () {
      const http = mockHttp((request) => {
        const page = Number(request.url.searchParams.get("page") ?? "1")
        const next = new URL(request.url)
        next.searchParams.set("page", String(page + 1))
        return json(200, { count: 3, next: next.href, previous: null, results: [wireBalance(uuidFor(page))] })
      })
      const error = yield* Stream.runDrain(Balances.list({ link, page_size: 1 }, { concurrency: 1 })).pipe(
        Effect.flip,
        Effect.provide(clientLayer(http.layer))
      )
      expect(error._tag === "PaginationError" && error.reason).toBe("Endless")
      expect(http.requests.length).toBeLessThanOrEqual(5)
    })
  )

  it.effect("a page that fails and then succeeds on retry yields its items exactly once", () =>
    Effect.gen(function* () {
      const items = Array.from({ length: 9 }, (_, n) => wireBalance(uuidFor(n)))
      let failedOnce = false
      const http = mockHttp((request) => {
        if (request.url.searchParams.get("page") === "2" && !failedOnce) {
          failedOnce = true
          return json(500, errorBody("unexpected_error", "boom"))
        }
        return respondPage(items, request.url)
      })
      const fiber = yield* Balances.list({ link, page_size: 3, fields: ["id"] }, { concurrency: 1 }).pipe(
        Stream.runCollect,
        Effect.provide(clientLayer(http.layer)),
        Effect.fork
      )
      yield* TestClock.adjust("10 seconds")
      const ids = yield* Fiber.join(fiber)
      expect(Chunk.toReadonlyArray(ids).map((b) => b.id)).toEqual(items.map((item) => item.id))
      expect(http.requests.length).toBe(4)
    })
  )
})

describe("list at concurrency 1 (read-ahead)", () => {
  it.effect("asks for page k+1 before page k is decoded, with one request in flight at a time", () =>
    Effect.gen(function* () {
      const items = Array.from({ length: 7 }, (_, n) => wireBalance(uuidFor(n)))
      let inFlight = 0
      let peak = 0
      const http = mockHttp((request) => {
        inFlight += 1
        peak = Math.max(peak, inFlight)
        // Answer on a later turn, so overlapping requests would show in the peak.
        return Effect.sleep("1 millis").pipe(
          Effect.as(respondPage(items, request.url)),
          Effect.ensuring(Effect.sync(() => (inFlight -= 1)))
        )
      })
      const requestsSeenAtEachPage: Array<number> = []
      const fiber = yield* Balances.list({ link, page_size: 3, fields: ["id"] }, { concurrency: 1 }).pipe(
        Stream.mapChunks((chunk) => {
          requestsSeenAtEachPage.push(http.requests.length)
          return chunk
        }),
        Stream.runCollect,
        Effect.provide(clientLayer(http.layer)),
        Effect.fork
      )
      yield* TestClock.adjust("1 second")
      const ids = yield* Fiber.join(fiber)
      expect(Chunk.toReadonlyArray(ids).map((b) => b.id)).toEqual(items.map((item) => item.id))
      // Pages 1 and 2 reach the consumer after the following page was requested; page 3 is last.
      expect(requestsSeenAtEachPage).toEqual([2, 3, 3])
      expect(peak).toBe(1)
    })
  )

  it.effect("a page's items do not wait for the next request's rate-limit slot", () =>
    Effect.gen(function* () {
      const items = Array.from({ length: 7 }, (_, n) => wireBalance(uuidFor(n)))
      const http = pagingServer(items)
      const seen: Array<string> = []
      const fiber = yield* Balances.list({ link, page_size: 3, fields: ["id"] }, { concurrency: 1 }).pipe(
        Stream.runForEach((balance) => Effect.sync(() => seen.push(balance.id))),
        Effect.provide(clientLayer(http.layer, { rateLimit: { limit: 1, interval: "10 seconds" } })),
        Effect.fork
      )
      yield* TestClock.adjust("1 second")
      // Page 2 waits for the limiter; page 1 is already out.
      expect([http.requests.length, seen.length]).toEqual([1, 3])
      yield* TestClock.adjust("30 seconds")
      yield* Fiber.join(fiber)
      expect(seen).toEqual(items.map((item) => item.id))
    })
  )

  it.effect("a malformed page is a DecodeError with status and request_id, after every earlier item", () =>
    Effect.gen(function* () {
      const items = Array.from({ length: 6 }, (_, n) => wireBalance(uuidFor(n)))
      const http = mockHttp((request) => {
        const reply = respondPage(items, request.url)
        if (request.url.searchParams.get("page") !== "2") return reply
        return Effect.promise(() => reply.json()).pipe(
          Effect.map((body) =>
            json(
              200,
              { ...(body as object), results: [{ id: "not-a-uuid" }] },
              { "x-request-id": "req-page-2" }
            )
          )
        )
      })
      const seen: Array<string> = []
      const error = yield* Balances.list({ link, page_size: 3, fields: ["id"] }, { concurrency: 1 }).pipe(
        Stream.runForEach((balance) => Effect.sync(() => seen.push(balance.id))),
        Effect.flip,
        Effect.provide(clientLayer(http.layer))
      )
      expect(seen).toEqual(items.slice(0, 3).map((item) => item.id))
      expect(error._tag).toBe("DecodeError")
      expect(error._tag === "DecodeError" && [error.status, error.request_id]).toEqual([200, "req-page-2"])
      expect(error.message).toContain("results")
    })
  )
})

describe("list: page heads", () => {
  const rawPage = (text: string) =>
    mockHttp(() => new Response(text, { status: 200, headers: { "content-type": "application/json" } }))

  it.effect("a page whose results come before count and next is decoded whole, and still listed", () =>
    Effect.gen(function* () {
      for (const concurrency of [1, 3]) {
        const http = rawPage(
          JSON.stringify({ results: [wireBalance(uuidFor(1))], previous: null, next: null, count: 1 })
        )
        const ids = yield* Balances.list({ link, fields: ["id"] }, { concurrency }).pipe(
          Stream.map((balance) => balance.id),
          Stream.runCollect,
          Effect.provide(clientLayer(http.layer))
        )
        expect(Chunk.toReadonlyArray(ids)).toEqual([uuidFor(1)])
      }
    })
  )

  it.effect("a repeated next key that contradicts the head is a DecodeError, not a silent skip", () =>
    Effect.gen(function* () {
      const item = JSON.stringify(wireBalance(uuidFor(1)))
      const http = rawPage(
        `{"count": 1, "next": null, "previous": null, "results": [${item}], "next": "${baseUrl}/api/br/balances/?page=9"}`
      )
      for (const concurrency of [1, 3]) {
        const error = yield* Stream.runDrain(Balances.list({ link }, { concurrency })).pipe(
          Effect.flip,
          Effect.provide(clientLayer(http.layer))
        )
        expect(error._tag === "DecodeError" && error.reason).toContain("a key is repeated")
      }
    })
  )
})

describe("decoding pages", () => {
  it.prop(
    "a list page of random balances decodes to the same balances",
    [FastCheck.array(Arbitrary.make(Balance.Balance), { maxLength: 20 })],
    ([balances]) => {
      const encoded = balances.map((b) => Schema.encodeSync(Balance.Balance)(b))
      const page = Schema.decodeUnknownEither(Balance.Page(Balance.Balance))({
        count: encoded.length,
        next: null,
        previous: null,
        results: JSON.parse(JSON.stringify(encoded))
      })
      return Either.isRight(page) && page.right.results.length === balances.length
    }
  )
})
