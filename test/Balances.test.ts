import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { Balance, Balances, type BelvoError } from "../src/index.js"
import {
  account,
  balanceId,
  basicCredential,
  baseUrl,
  clientLayer,
  errorBody,
  json,
  link,
  mockHttp,
  requestId,
  uuidFor,
  wireBalance
} from "./support/mockHttp.js"
import { eventually, settle } from "./support/eventLoop.js"
import { property } from "./support/property.js"

describe("Balances requests", () => {
  it.effect("retrieve POSTs link, account_id and save_data with basic auth; 201 means saved", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(201, [wireBalance(balanceId)]))
      const result = yield* Balances.retrieve({ link, account_id: account }).pipe(
        Effect.provide(clientLayer(http.layer))
      )
      assert.strictEqual(result.status, 201)
      assert.isTrue(result.saved)
      assert.lengthOf(result.balances, 1)
      const [request] = http.requests
      assert.strictEqual(request?.method, "POST")
      assert.strictEqual(request?.url.pathname, "/api/br/balances/")
      assert.strictEqual(request?.url.search, "")
      assert.deepStrictEqual(request?.body, { link, account_id: account, save_data: true })
      assert.strictEqual(request?.headers.authorization, `Basic ${basicCredential}`)
      assert.strictEqual(request?.headers.accept, "application/json")
      assert.match(request?.headers["user-agent"] ?? "", /^effect-belvo\/\d+\.\d+\.\d+/)
    })
  )

  it.effect("retrieve with save_data false: 200 means not saved; fields go in the query", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, [{ id: balanceId, available: "1.5" }]))
      const result = yield* Balances.retrieve({ link, save_data: false, fields: ["id", "available"] }).pipe(
        Effect.provide(clientLayer(http.layer))
      )
      assert.strictEqual(result.status, 200)
      assert.isFalse(result.saved)
      assert.deepStrictEqual(Object.keys(result.balances[0] ?? {}), ["id", "available"])
      assert.strictEqual(http.requests[0]?.url.searchParams.get("fields"), "id,available")
      assert.deepStrictEqual(http.requests[0]?.body, { link, save_data: false })
    })
  )

  it.effect("get sends GET /api/br/balances/{id}/ with omit", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, { ...wireBalance(balanceId), blocked: undefined }))
      const balance = yield* Balances.get(balanceId, { omit: ["blocked"] }).pipe(
        Effect.provide(clientLayer(http.layer))
      )
      assert.isFalse("blocked" in balance)
      assert.strictEqual(http.requests[0]?.method, "GET")
      assert.strictEqual(http.requests[0]?.url.pathname, `/api/br/balances/${balanceId}/`)
      assert.strictEqual(http.requests[0]?.url.searchParams.get("omit"), "blocked")
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
      assert.strictEqual(params?.get("link"), link)
      assert.strictEqual(params?.get("id__in"), `${balanceId},${account}`)
      assert.strictEqual(params?.get("collected_at__range"), "2024-01-01,2024-01-31")
      assert.strictEqual(params?.get("page"), "2")
      assert.isFalse(params?.has("page_size"))
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
      for (const failure of failures) assert.strictEqual(failure._tag, "InvalidQuery")
      assert.lengthOf(http.requests, 0)
    })
  )

  it.effect("a misspelled parameter or option is refused with the closest known key, before sending", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, []))
      const layer = clientLayer(http.layer)
      const misspelled = (params: object) => params as never
      const failures = yield* Effect.all(
        [
          Effect.flip(Balances.retrieve(misspelled({ link, saveData: false })).pipe(Effect.provide(layer))),
          Effect.flip(
            Balances.get(balanceId, {}, misspelled({ callTimout: "1 second" })).pipe(Effect.provide(layer))
          ),
          Effect.flip(Balances.listPage(misspelled({ link, page_sise: 10 })).pipe(Effect.provide(layer))),
          Stream.runDrain(Balances.list({ link }, misspelled({ concurency: 2 }))).pipe(
            Effect.flip,
            Effect.provide(layer)
          )
        ],
        { concurrency: 1 }
      )
      const described = failures.map((failure) =>
        failure._tag === "InvalidQuery" ? [failure.field, failure.reason] : [failure._tag]
      )
      assert.deepStrictEqual(described, [
        ["saveData", 'is not a known parameter; did you mean "save_data"?'],
        ["options.callTimout", 'is not a known parameter; did you mean "callTimeout"?'],
        ["page_sise", 'is not a known parameter; did you mean "page_size"?'],
        ["options.concurency", 'is not a known parameter; did you mean "concurrency"?']
      ])
      assert.lengthOf(http.requests, 0)
    })
  )
})

/** Status, code, and the tag each endpoint's table gives them. */
interface StatusCase {
  readonly status: number
  readonly code: string
  /** On retrieve (POST): 400 and 428 documented, 404 not. */
  readonly retrieve: string
  /** On get (GET): 404 documented, 400 and 428 not. */
  readonly get: string
}

const statusCases: ReadonlyArray<StatusCase> = [
  ...(
    [
      ["session_expired", "SessionExpired"],
      ["too_many_sessions", "TooManySessions"],
      ["login_error", "LoginError"],
      ["institution_down", "InstitutionDown"],
      ["institution_unavailable", "InstitutionUnavailable"],
      ["institution_inactive", "InstitutionInactive"],
      ["invalid_link", "InvalidLink"],
      ["unconfirmed_link", "UnconfirmedLink"],
      ["unsupported_operation", "UnsupportedOperation"],
      ["invalid_period", "InvalidPeriod"],
      ["invalid_credentials_storage", "InvalidCredentialsStorage"],
      ["invalid_fetch_resources", "InvalidFetchResources"],
      ["required", "ValidationError"],
      ["null", "ValidationError"],
      ["blank", "ValidationError"],
      ["invalid", "ValidationError"],
      ["does_not_exist", "ValidationError"],
      ["something_new", "BadRequest"]
    ] as const
  ).map(([code, tag]) => ({ status: 400, code, retrieve: tag, get: "UnknownStatus" })),
  {
    status: 401,
    code: "authentication_failed",
    retrieve: "AuthenticationFailed",
    get: "AuthenticationFailed"
  },
  {
    status: 401,
    code: "consent_without_accounts",
    retrieve: "ConsentWithoutAccounts",
    get: "ConsentWithoutAccounts"
  },
  { status: 403, code: "access_to_resource_denied", retrieve: "AccessDenied", get: "AccessDenied" },
  { status: 404, code: "not_found", retrieve: "UnknownStatus", get: "NotFound" },
  { status: 408, code: "request_timeout", retrieve: "RequestTimeout", get: "RequestTimeout" },
  { status: 429, code: "too_many_requests", retrieve: "TooManyRequests", get: "TooManyRequests" },
  { status: 500, code: "unexpected_error", retrieve: "UnexpectedError", get: "UnexpectedError" },
  { status: 418, code: "teapot", retrieve: "UnknownStatus", get: "UnknownStatus" },
  { status: 503, code: "unavailable", retrieve: "UnknownStatus", get: "UnknownStatus" }
]

const checkMapped = (
  error: BelvoError.BelvoError,
  expected: { readonly tag: string; readonly status: number; readonly code: string; readonly route: string }
) => {
  assert.strictEqual(error._tag, expected.tag)
  if ("status" in error) assert.strictEqual(error.status, expected.status)
  if ("code" in error) assert.strictEqual(error.code, expected.code)
  if ("request_id" in error) assert.strictEqual(error.request_id, requestId)
  if ("detail" in error) assert.strictEqual(error.detail, `message for ${expected.code}`)
  if ("errors" in error) assert.lengthOf(error.errors, 1)
  assert.include(error.message, String(expected.status))
  assert.include(error.message, expected.route)
  assert.include(error.message, expected.code)
  assert.include(error.message, requestId)
  if (error._tag === "ValidationError") assert.strictEqual(error.field, "link")
  if (error._tag === "UnknownStatus") assert.include(error.body, expected.code)
}

describe("status mapping", () => {
  for (const { status, code, retrieve, get } of statusCases) {
    for (const shape of ["array", "object"] as const) {
      const items = errorBody(
        code,
        `message for ${code}`,
        retrieve === "ValidationError" ? { field: "link" } : {}
      )
      const respond = () => json(status, shape === "array" ? items : items[0])
      it.effect(`retrieve: ${status} ${code} (${shape} body) -> ${retrieve}`, () =>
        Effect.gen(function* () {
          const http = mockHttp(respond)
          const error = yield* Balances.retrieve({ link }, { retry: false }).pipe(
            Effect.flip,
            Effect.provide(clientLayer(http.layer))
          )
          checkMapped(error, { tag: retrieve, status, code, route: "POST /api/br/balances/" })
          assert.lengthOf(http.requests, 1)
        })
      )
      it.effect(`get: ${status} ${code} (${shape} body) -> ${get}`, () =>
        Effect.gen(function* () {
          const http = mockHttp(respond)
          const error = yield* Balances.get(balanceId, {}, { retry: false }).pipe(
            Effect.flip,
            Effect.provide(clientLayer(http.layer))
          )
          checkMapped(error, { tag: get, status, code, route: `GET /api/br/balances/${balanceId}/` })
          assert.lengthOf(http.requests, 1)
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
      assert.deepStrictEqual(error._tag === "ValidationError" && error.errors.map((item) => item.field), [
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
      assert.strictEqual(
        (yield* Effect.flip(Balances.get(balanceId).pipe(Effect.provide(layer))))._tag,
        "NotFound"
      )
      assert.strictEqual(
        (yield* Effect.flip(Balances.get(balanceId).pipe(Effect.provide(layer))))._tag,
        "UnknownStatus"
      )
    })
  )

  it.effect("a {detail} error body takes the code its status implies", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(404, { detail: "Not found." }))
      const error = yield* Effect.flip(Balances.get(balanceId).pipe(Effect.provide(clientLayer(http.layer))))
      assert.deepStrictEqual(error._tag === "NotFound" && [error.code, error.detail], [
        "not_found",
        "Not found."
      ])
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
      assert.deepStrictEqual(malformed._tag === "DecodeError" && [malformed.status, malformed.request_id], [
        200,
        "abc123"
      ])
      assert.deepStrictEqual(wrongType._tag === "DecodeError" && [wrongType.status, wrongType.request_id], [
        200,
        "def456"
      ])
      assert.include(wrongType.message, "available")
    })
  )
})

type Wire = ReturnType<typeof wireBalance>

/** One page of `items` for `?page=n&page_size=k`, like Belvo; `next`/`previous` on `origin`. */
const respondPage = (
  items: ReadonlyArray<Wire>,
  url: URL,
  origin = url.origin,
  count = items.length
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
    count,
    next: start + size < items.length ? at(page + 1) : null,
    previous: page > 1 ? at(page - 1) : null,
    results: items.slice(start, start + size)
  })
}

const pagingServer = (items: ReadonlyArray<Wire>, origin?: string) =>
  mockHttp((request) => respondPage(items, request.url, origin))

const idsOf = (items: ReadonlyArray<Wire>) => items.map((item) => item.id)

describe("list", () => {
  it.effect(
    "yields every item exactly once, in order, for any dataset, page size, start page and concurrency",
    () =>
      property(
        [
          fc.integer({ min: 0, max: 60 }),
          fc.integer({ min: 1, max: 25 }),
          fc.integer({ min: 1, max: 6 }),
          fc.integer({ min: 1, max: 3 })
        ],
        (size, pageSize, concurrency, startPage) =>
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
              Effect.result,
              Effect.provide(clientLayer(http.layer))
            )
            const skipped = (startPage - 1) * pageSize
            if (startPage > 1 && skipped >= size) {
              // Belvo answers a page past the last with 404 not_found.
              assert.strictEqual(Result.isFailure(result) && result.failure._tag, "NotFound")
              return
            }
            assert.deepStrictEqual(Result.isSuccess(result) && result.success, idsOf(items.slice(skipped)))
            assert.strictEqual(http.requests.length, Math.max(1, Math.ceil(size / pageSize) - startPage + 1))
          }),
        { numRuns: 60 }
      )
  )

  it.effect("asks for 1000 per page unless told otherwise", () =>
    Effect.gen(function* () {
      const http = pagingServer([])
      yield* Stream.runDrain(Balances.list({ link })).pipe(Effect.provide(clientLayer(http.layer)))
      assert.strictEqual(http.requests[0]?.url.searchParams.get("page_size"), "1000")
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
        assert.strictEqual(error._tag === "PaginationError" && error.reason, "CrossOrigin")
        assert.isTrue(http.requests.every((request) => request.url.origin === "https://belvo.test"))
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
      assert.strictEqual(error._tag === "PaginationError" && error.reason, "Endless")
      assert.include(error.message, "linked a page twice")
    })
  )

  it.effect("stops a server whose pages never end, bounded by count plus a few extra pages", () =>
    Effect.gen(function* () {
      for (const concurrency of [1, 3]) {
        const http = mockHttp((request) => {
          const page = Number(request.url.searchParams.get("page") ?? "1")
          const next = new URL(request.url)
          next.searchParams.set("page", String(page + 1))
          return json(200, {
            count: 3,
            next: next.href,
            previous: null,
            results: [wireBalance(uuidFor(page))]
          })
        })
        const error = yield* Stream.runDrain(Balances.list({ link, page_size: 1 }, { concurrency })).pipe(
          Effect.flip,
          Effect.provide(clientLayer(http.layer))
        )
        assert.strictEqual(error._tag === "PaginationError" && error.reason, "Endless")
        // The 3 pages count implies, then at most 10 more followed by `next`.
        assert.isAtMost(http.requests.length, 13)
        assert.isAtLeast(http.requests.length, 4)
      }
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
        Effect.forkChild
      )
      yield* TestClock.adjust("10 seconds")
      const ids = yield* Fiber.join(fiber)
      assert.deepStrictEqual(
        ids.map((b) => b.id),
        idsOf(items)
      )
      assert.strictEqual(http.requests.length, 4)
    })
  )
})

describe("list: counts that fall behind and servers that never end", () => {
  it.effect("next links past the pages count implies are still followed: every item, none dropped", () =>
    Effect.gen(function* () {
      const items = Array.from({ length: 11 }, (_, n) => wireBalance(uuidFor(n)))
      for (const concurrency of [1, 3]) {
        // The count says 5 (two pages of 3), the server has 11 (four pages).
        const http = mockHttp((request) => respondPage(items, request.url, undefined, 5))
        const ids = yield* Balances.list({ link, page_size: 3, fields: ["id"] }, { concurrency }).pipe(
          Stream.map((balance) => balance.id),
          Stream.runCollect,
          Effect.provide(clientLayer(http.layer))
        )
        assert.deepStrictEqual(ids, idsOf(items), `concurrency ${concurrency}`)
        assert.strictEqual(http.requests.length, 4)
      }
    })
  )

  it.effect("a page count promised but gone is no error when the page before ends the listing", () =>
    Effect.gen(function* () {
      // The count says 10 (four pages of 3) but items were deleted: page 3 is the last and says so.
      const items = Array.from({ length: 7 }, (_, n) => wireBalance(uuidFor(n)))
      const http = mockHttp((request) => respondPage(items, request.url, undefined, 10))
      const ids = yield* Balances.list({ link, page_size: 3, fields: ["id"] }, { concurrency: 4 }).pipe(
        Stream.map((balance) => balance.id),
        Stream.runCollect,
        Effect.provide(clientLayer(http.layer))
      )
      assert.deepStrictEqual(ids, idsOf(items))
    })
  )

  it.effect(
    "a 404 for a page the page before links to is the server's NotFound, after the earlier items",
    () =>
      Effect.gen(function* () {
        const items = Array.from({ length: 12 }, (_, n) => wireBalance(uuidFor(n)))
        const http = mockHttp((request) =>
          request.url.searchParams.get("page") === "3"
            ? json(404, errorBody("not_found", "Not found"))
            : respondPage(items, request.url)
        )
        const seen: Array<string> = []
        const error = yield* Balances.list({ link, page_size: 3, fields: ["id"] }, { concurrency: 3 }).pipe(
          Stream.runForEach((balance) => Effect.sync(() => seen.push(balance.id))),
          Effect.flip,
          Effect.provide(clientLayer(http.layer))
        )
        assert.strictEqual(error._tag, "NotFound")
        assert.deepStrictEqual(seen, idsOf(items.slice(0, 6)))
      })
  )

  it.effect("an empty page that links to another stops the listing", () =>
    Effect.gen(function* () {
      for (const concurrency of [1, 3]) {
        const http = mockHttp((request) => {
          const next = new URL(request.url)
          next.searchParams.set("page", String(Number(request.url.searchParams.get("page") ?? "1") + 1))
          return json(200, { count: 0, next: next.href, previous: null, results: [] })
        })
        const error = yield* Stream.runDrain(Balances.list({ link }, { concurrency })).pipe(
          Effect.flip,
          Effect.provide(clientLayer(http.layer))
        )
        assert.strictEqual(error._tag === "PaginationError" && error.reason, "Endless")
        assert.include(error.message, "an empty page links to another")
        // Following next links, the client reads one page ahead before the empty page is decoded.
        assert.isAtMost(http.requests.length, concurrency === 1 ? 3 : 1)
      }
    })
  )

  it.effect("maxPages: a count implying more fails before paging; more next links fail when reached", () =>
    Effect.gen(function* () {
      const items = Array.from({ length: 10 }, (_, n) => wireBalance(uuidFor(n)))
      for (const concurrency of [1, 3]) {
        const http = pagingServer(items)
        const error = yield* Stream.runDrain(
          Balances.list({ link, page_size: 2 }, { concurrency, maxPages: 4 })
        ).pipe(Effect.flip, Effect.provide(clientLayer(http.layer)))
        assert.strictEqual(error._tag === "PaginationError" && error.reason, "Endless")
        assert.include(error.message, "over the bound of 4 pages")
        assert.strictEqual(http.requests.length, 1)
      }
      // A count that says 2 while next links go on: stopped at maxPages.
      const http = mockHttp((request) => respondPage(items, request.url, undefined, 2))
      const seen: Array<string> = []
      const error = yield* Balances.list(
        { link, page_size: 2, fields: ["id"] },
        { concurrency: 1, maxPages: 3 }
      ).pipe(
        Stream.runForEach((balance) => Effect.sync(() => seen.push(balance.id))),
        Effect.flip,
        Effect.provide(clientLayer(http.layer))
      )
      assert.strictEqual(error._tag === "PaginationError" && error.reason, "Endless")
      assert.include(error.message, "more than 3 pages")
      assert.strictEqual(http.requests.length, 3)
      assert.deepStrictEqual(seen, idsOf(items.slice(0, 6)))
    })
  )

  it.effect("concurrency and maxPages out of range are refused before sending", () =>
    Effect.gen(function* () {
      const http = pagingServer([])
      const layer = clientLayer(http.layer)
      const refused = [
        { concurrency: 0 },
        { concurrency: 65 },
        { concurrency: 1.5 },
        { maxPages: 0 },
        { maxPages: 1_000_001 },
        { maxPages: Number.NaN }
      ]
      for (const options of refused) {
        const error = yield* Stream.runDrain(Balances.list({ link }, options)).pipe(
          Effect.flip,
          Effect.provide(layer)
        )
        const [field] = Object.keys(options)
        assert.strictEqual(error._tag === "InvalidQuery" && error.field, field)
      }
      assert.lengthOf(http.requests, 0)
    })
  )
})

describe("list at concurrency 1 (read-ahead)", () => {
  it.effect(
    "asks for page k+1 before page k is emitted, one page ahead and one request in flight at most",
    () =>
      Effect.gen(function* () {
        const items = Array.from({ length: 7 }, (_, n) => wireBalance(uuidFor(n)))
        // Each request waits for the test to open its gate, so every step can be observed.
        const gates = yield* Effect.forEach(items, () => Deferred.make<void>())
        let inFlight = 0
        let peak = 0
        const http = mockHttp((request, index) => {
          inFlight += 1
          peak = Math.max(peak, inFlight)
          return Deferred.await(gates[index] as Deferred.Deferred<void>).pipe(
            Effect.as(respondPage(items, request.url)),
            Effect.ensuring(Effect.sync(() => (inFlight -= 1)))
          )
        })
        const seen: Array<string> = []
        const fiber = yield* Balances.list({ link, page_size: 3, fields: ["id"] }, { concurrency: 1 }).pipe(
          Stream.runForEach((balance) => Effect.sync(() => seen.push(balance.id))),
          Effect.provide(clientLayer(http.layer)),
          Effect.forkChild
        )
        yield* eventually(() => http.requests.length === 1, "page 1 requested")
        yield* settle()
        assert.deepStrictEqual([http.requests.length, seen.length], [1, 0])
        yield* Deferred.succeed(gates[0] as Deferred.Deferred<void>, undefined)
        // Page 2 is asked for as soon as page 1 is in; page 1 is emitted; nothing further is asked.
        yield* eventually(() => seen.length === 3, "page 1 emitted")
        yield* settle()
        assert.deepStrictEqual([http.requests.length, seen.length], [2, 3])
        yield* Deferred.succeed(gates[1] as Deferred.Deferred<void>, undefined)
        yield* eventually(() => seen.length === 6, "page 2 emitted")
        yield* settle()
        assert.deepStrictEqual([http.requests.length, seen.length], [3, 6])
        yield* Deferred.succeed(gates[2] as Deferred.Deferred<void>, undefined)
        yield* Fiber.join(fiber)
        assert.deepStrictEqual(seen, idsOf(items))
        assert.strictEqual(http.requests.length, 3)
        assert.strictEqual(peak, 1)
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
        Effect.forkChild
      )
      // Page 2 waits for the limiter; page 1's items are out without any time passing.
      yield* eventually(() => seen.length === 3, "page 1 emitted")
      yield* settle()
      assert.deepStrictEqual([http.requests.length, seen.length], [1, 3])
      yield* TestClock.adjust("30 seconds")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(seen, idsOf(items))
      assert.deepStrictEqual(
        http.requests.map((request) => request.at),
        [0, 10_000, 20_000]
      )
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
      assert.deepStrictEqual(seen, idsOf(items.slice(0, 3)))
      assert.strictEqual(error._tag, "DecodeError")
      assert.deepStrictEqual(error._tag === "DecodeError" && [error.status, error.request_id], [
        200,
        "req-page-2"
      ])
      assert.include(error.message, "results")
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
        assert.deepStrictEqual(ids, [uuidFor(1)])
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
        assert.include(error._tag === "DecodeError" ? error.reason : "", "a key is repeated")
      }
    })
  )
})

describe("decoding pages", () => {
  it.prop(
    "a list page of random balances decodes to the same balances",
    [Schema.Array(Balance.Balance).check(Schema.isMaxLength(20))],
    ([balances]) => {
      const encoded = balances.map((b) => Schema.encodeSync(Balance.Balance)(b))
      const page = Schema.decodeUnknownResult(Balance.Page(Balance.Balance))({
        count: encoded.length,
        next: null,
        previous: null,
        results: JSON.parse(JSON.stringify(encoded))
      })
      return Result.isSuccess(page) && page.success.results.length === balances.length
    }
  )
})
