import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as HttpEffect from "effect/http/HttpEffect"
import { Sandbox, SandboxFault, SandboxHttp, SandboxModel } from "../../src/testing/index.js"
import {
  basic,
  call,
  errorItems,
  type Json,
  list,
  PATH,
  rawAmounts,
  responseSchema,
  validate
} from "./helpers.js"

const provide = Effect.provide(SandboxHttp.layer({ balancesPerAccount: 7, largeLinkBalances: 5000 }))
const plain = SandboxModel.plainLinkId

describe("authentication", () => {
  it.effect("missing, malformed or wrong credentials get 401 authentication_failed", () =>
    Effect.gen(function* () {
      for (const auth of [
        null,
        "Bearer abc",
        "Basic !!!not-base64",
        `Basic ${btoa("no-colon")}`,
        basic(SandboxModel.defaultSecretId, "wrong"),
        basic("unknown", SandboxModel.defaultSecretPassword)
      ]) {
        for (const request of [
          list({ link: plain }, auth),
          call("POST", PATH, { auth, body: { link: plain } }),
          call("GET", `${PATH}${SandboxModel.plainAccountIds[0]}/`, { auth })
        ]) {
          const answer = yield* request
          assert.strictEqual(answer.status, 401)
          assert.strictEqual(answer.headers["www-authenticate"], 'Basic realm="api"')
          const [item] = errorItems(answer)
          assert.deepStrictEqual(
            { code: item?.code, message: item?.message },
            {
              code: "authentication_failed",
              message: "Invalid Secret Keys"
            }
          )
          assert.deepStrictEqual(validate(responseSchema(PATH, "get", 401), answer.json), [])
        }
      }
    }).pipe(provide)
  )

  it.effect("the other secret authenticates but does not own the default links: 403", () =>
    Effect.gen(function* () {
      const other = basic(SandboxModel.otherSecretId, SandboxModel.otherSecretPassword)
      assert.strictEqual((yield* list({ link: SandboxModel.otherLinkId }, other)).status, 200)
      for (const answer of [
        yield* list({ link: plain }, other),
        yield* list({ link: SandboxModel.otherLinkId }),
        yield* call("POST", PATH, { body: { link: SandboxModel.otherLinkId } }),
        yield* call("POST", PATH, { auth: other, body: { link: plain } })
      ]) {
        assert.strictEqual(answer.status, 403)
        const [item] = errorItems(answer)
        assert.strictEqual(item?.code, "access_to_resource_denied")
        assert.strictEqual(item?.message, "You don't have access to this resource.")
        assert.deepStrictEqual(validate(responseSchema(PATH, "post", 403), answer.json), [])
      }
    }).pipe(provide)
  )

  it.effect("credentials with non-ASCII characters and colons in the password work", () =>
    Effect.gen(function* () {
      yield* Sandbox.addSecret({ id: "çliente", password: "pa:ss:wörd" })
      yield* Sandbox.addLink({ id: "00000000-0000-4000-8000-000000000001", owner: "çliente" })
      const bytes = new TextEncoder().encode("çliente:pa:ss:wörd")
      const auth = `Basic ${btoa(String.fromCharCode(...bytes))}`
      assert.strictEqual((yield* list({ link: "00000000-0000-4000-8000-000000000001" }, auth)).status, 200)
    }).pipe(provide)
  )
})

describe("routing", () => {
  it.effect("unknown routes are 404 not_found, wrong methods 405 with Allow", () =>
    Effect.gen(function* () {
      for (const path of ["/api/br/balances", "/api/balances/", "/", `${PATH}a/b/`]) {
        const answer = yield* call("GET", path)
        assert.strictEqual(answer.status, 404, path)
        assert.strictEqual(errorItems(answer)[0]?.code, "not_found")
        assert.strictEqual(answer.headers["content-type"], "application/json")
      }
      const put = yield* call("PUT", PATH, { body: {} })
      assert.strictEqual(put.status, 405)
      assert.strictEqual(put.headers.allow, "GET, POST, PATCH")
      assert.strictEqual(errorItems(put)[0]?.code, "method_not_allowed")
      const del = yield* call("DELETE", `${PATH}${SandboxModel.plainAccountIds[0]}/`)
      assert.strictEqual(del.status, 405)
      assert.strictEqual(del.headers.allow, "GET")
    }).pipe(provide)
  )
})

describe("list", () => {
  it.effect("a page matches the documented schema, amounts keep two decimals on the wire", () =>
    Effect.gen(function* () {
      const answer = yield* list({ link: plain, page_size: 5 })
      assert.strictEqual(answer.status, 200)
      assert.strictEqual(answer.headers["content-type"], "application/json")
      assert.deepStrictEqual(validate(responseSchema(PATH, "get", 200), answer.json), [])
      const page = answer.json as Json
      assert.strictEqual(page.count, 14)
      assert.strictEqual(
        page.next,
        `https://sandbox.belvo.com/api/br/balances/?link=${plain}&page_size=5&page=2`
      )
      assert.strictEqual(page.previous, null)
      const amounts = rawAmounts(answer.text)
      assert.strictEqual(amounts.length, 15)
      for (const amount of amounts) assert.match(amount, /^\d{1,15}\.\d{2,4}$/)
    }).pipe(provide)
  )

  it.effect("link is required; malformed filters are 400 invalid with the field", () =>
    Effect.gen(function* () {
      const missing = yield* list({})
      assert.strictEqual(missing.status, 400)
      assert.deepStrictEqual(
        errorItems(missing).map(({ code, message, field }) => ({ code, message, field })),
        [{ code: "required", message: "This field is required.", field: "link" }]
      )
      assert.deepStrictEqual(validate(responseSchema(PATH, "post", 400), missing.json), [])
      const cases: Array<[Record<string, string>, string]> = [
        [{ link: "nope" }, "link"],
        [{ link: plain, account: "x" }, "account"],
        [{ link: plain, id__in: `${plain},x` }, "id__in"],
        [{ link: plain, page_size: "abc" }, "page_size"],
        [{ link: plain, page_size: "0" }, "page_size"],
        [{ link: plain, page_size: "-5" }, "page_size"],
        [{ link: plain, collected_at__gte: "2024-13-01" }, "collected_at__gte"],
        [{ link: plain, created_at: "yesterday" }, "created_at"],
        [{ link: plain, collected_at__range: "2024-01-01" }, "collected_at__range"],
        [{ link: plain, created_at__range: "2024-01-01,2024-01-02,2024-01-03" }, "created_at__range"],
        [{ link: plain, collected_at__range: "2024-01-01,nope" }, "collected_at__range"]
      ]
      for (const [query, field] of cases) {
        const answer = yield* list(query)
        assert.strictEqual(answer.status, 400, JSON.stringify(query))
        const items = errorItems(answer)
        assert.deepStrictEqual(
          items.map((i) => [i.code, i.field]),
          [["invalid", field]]
        )
      }
      // Several problems are reported together, one item each.
      const many = yield* list({ account: "x", page_size: "y" })
      assert.deepStrictEqual(
        errorItems(many).map((i) => i.field),
        ["link", "account", "page_size"]
      )
    }).pipe(provide)
  )

  it.effect("page_size defaults to 100 and is capped at 1000", () =>
    Effect.gen(function* () {
      const link = SandboxModel.largeLinkId
      const byDefault = (yield* list({ link })).json as Json
      assert.strictEqual((byDefault.results as Array<unknown>).length, 100)
      const capped = (yield* list({ link, page_size: 5000 })).json as Json
      assert.strictEqual((capped.results as Array<unknown>).length, 1000)
      assert.strictEqual(capped.next, `https://sandbox.belvo.com${PATH}?link=${link}&page_size=5000&page=2`)
      const lastPage = (yield* list({ link, page_size: 5000, page: 5 })).json as Json
      assert.strictEqual((lastPage.results as Array<unknown>).length, 1000)
      assert.strictEqual(lastPage.next, null)
    }).pipe(provide)
  )

  it.effect("a page past the last, or not a page number, is 404 not_found; page=last works", () =>
    Effect.gen(function* () {
      for (const page of ["3", "0", "abc", "-1"]) {
        const answer = yield* list({ link: plain, page_size: 10, page })
        assert.strictEqual(answer.status, 404, page)
        assert.deepStrictEqual(
          errorItems(answer).map((i) => [i.code, i.message]),
          [["not_found", "Not found"]]
        )
      }
      const last = (yield* list({ link: plain, page_size: 10, page: "last" })).json as Json
      assert.strictEqual((last.results as Array<unknown>).length, 4)
      assert.strictEqual(last.previous, `https://sandbox.belvo.com${PATH}?link=${plain}&page_size=10`)
      // An empty result still has a first page.
      const empty = yield* list({ link: plain, collected_at: "1999-01-01" })
      assert.deepStrictEqual(empty.json, { count: 0, next: null, previous: null, results: [] })
      assert.strictEqual((yield* list({ link: plain, collected_at: "1999-01-01", page: 2 })).status, 404)
    }).pipe(provide)
  )

  it.effect("a link nobody owns is a filter matching nothing", () =>
    Effect.gen(function* () {
      const answer = yield* list({ link: "00000000-0000-4000-8000-00000000dead" })
      assert.deepStrictEqual(answer.json, { count: 0, next: null, previous: null, results: [] })
    }).pipe(provide)
  )

  it.effect("next keeps the request's own origin and query", () =>
    Effect.gen(function* () {
      const answer = yield* call("GET", `http://localhost:9999${PATH}?page_size=1&link=${plain}&omit=link`)
      const page = answer.json as Json
      assert.strictEqual(page.next, `http://localhost:9999${PATH}?page_size=1&link=${plain}&omit=link&page=2`)
    }).pipe(provide)
  )
})

describe("detail", () => {
  it.effect(
    "returns the balance, honours fields/omit, 404 for unknown ids and 403 for others' balances",
    () =>
      Effect.gen(function* () {
        const [first] = yield* Sandbox.balancesOf(plain)
        const answer = yield* call("GET", `${PATH}${first!.id}/`)
        assert.strictEqual(answer.status, 200)
        assert.deepStrictEqual(
          validate(responseSchema("/api/br/balances/{id}/", "get", 200), answer.json),
          []
        )
        assert.deepStrictEqual(
          answer.json,
          JSON.parse(JSON.stringify({ ...first, ...amountsAsNumbers(first!) }))
        )
        const some = yield* call("GET", `${PATH}${first!.id}/?fields=id,available&omit=available`)
        assert.deepStrictEqual(Object.keys(some.json as Json), ["id"])
        const page3 = (yield* list({ link: SandboxModel.largeLinkId, page: 3, page_size: 1 })).json as {
          results: Array<Json>
        }
        const generated = page3.results[0]
        assert.strictEqual((yield* call("GET", `${PATH}${generated!.id}/`)).status, 200)
        for (const id of [
          "0b94bdf9-3719-43a9-81e7-be95d2318595",
          "not-a-uuid",
          `${String(generated!.id).slice(0, 24)}ffffffffffff`
        ]) {
          const missing = yield* call("GET", `${PATH}${id}/`)
          assert.strictEqual(missing.status, 404, id)
          assert.deepStrictEqual(
            validate(responseSchema("/api/br/balances/{id}/", "get", 404), missing.json),
            []
          )
        }
        const [theirs] = yield* Sandbox.balancesOf(SandboxModel.otherLinkId)
        const denied = yield* call("GET", `${PATH}${theirs!.id}/`)
        assert.strictEqual(denied.status, 403)
        assert.deepStrictEqual(
          validate(responseSchema("/api/br/balances/{id}/", "get", 403), denied.json),
          []
        )
      }).pipe(provide)
  )
})

const amountsAsNumbers = (b: SandboxModel.WireBalance) => ({
  available: Number(b.available),
  blocked: Number(b.blocked),
  automatically_invested: Number(b.automatically_invested)
})

describe("options", () => {
  it.effect("quoteAmounts sends amounts as JSON strings", () =>
    Effect.gen(function* () {
      const answer = yield* list({ link: plain, page_size: 1, fields: "available" })
      assert.match(answer.text, /"available":"\d+\.\d{2}"/)
    }).pipe(Effect.provide(SandboxHttp.layer({ quoteAmounts: true })))
  )
})

describe("SandboxHttp.app", () => {
  it.live("serves the same API to a web handler; transport faults become failing bodies", () =>
    Effect.gen(function* () {
      const sandbox = yield* Sandbox.make({ largeLinkBalances: 0, balancesPerAccount: 2 })
      const handler = HttpEffect.toWebHandler(
        Effect.provideService(SandboxHttp.app, Sandbox.Sandbox, sandbox)
      )
      const request = (init?: RequestInit) =>
        new Request(`https://belvo.example${PATH}?link=${plain}&page_size=1`, {
          ...init,
          headers: { authorization: basic(), ...init?.headers }
        })
      const ok = yield* Effect.promise(() => handler(request()))
      assert.strictEqual(ok.status, 200)
      const page = (yield* Effect.promise(() => ok.json())) as Json
      assert.strictEqual(page.next, `https://belvo.example${PATH}?link=${plain}&page_size=1&page=2`)
      const post = yield* Effect.promise(() =>
        handler(
          request({
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ link: plain })
          })
        )
      )
      assert.strictEqual(post.status, 201)
      sandbox.faults.push(
        { fault: SandboxFault.truncated(), seen: 0 },
        { fault: SandboxFault.drop({ nth: 2 }), seen: 0 }
      )
      for (let i = 0; i < 2; i++) {
        const body = yield* Effect.promise(() =>
          handler(request()).then(
            (r) =>
              r.text().then(
                () => "complete",
                () => "failed"
              ),
            () => "failed"
          )
        )
        assert.strictEqual(body, "failed")
      }
      assert.strictEqual(sandbox.log.length, 4)
    })
  )
})
