import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { TestClock } from "effect/testing"
import { Sandbox, SandboxHttp, SandboxModel } from "../../src/testing/index.js"
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

const provide = Effect.provide(SandboxHttp.layer({ balancesPerAccount: 3, largeLinkBalances: 10 }))
const plain = SandboxModel.plainLinkId
const mfa = SandboxModel.mfaLinkId
const NOW = Date.UTC(2024, 5, 1, 12, 30, 15)

const count = (link: string) =>
  Effect.map(list({ link, page_size: 1 }), (a) => (a.json as Json).count as number)

describe("POST /api/br/balances/ (retrieve)", () => {
  it.effect(
    "save_data true (the default) answers 201 and stores one balance per account, stamped by Clock",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(NOW)
        const answer = yield* call("POST", PATH, { body: { link: plain } })
        assert.strictEqual(answer.status, 201)
        assert.deepStrictEqual(validate(responseSchema(PATH, "post", 201), answer.json), [])
        for (const amount of rawAmounts(answer.text)) assert.match(amount, /^\d{1,15}\.\d{2,4}$/)
        const created = answer.json as Array<Json>
        assert.deepStrictEqual(
          created.map((b) => b.account_id),
          [...SandboxModel.plainAccountIds]
        )
        for (const balance of created) {
          assert.strictEqual(balance.link, plain)
          assert.strictEqual(balance.collected_at, "2024-06-01T12:30:15Z")
          assert.strictEqual(balance.created_at, "2024-06-01T12:30:15Z")
          assert.strictEqual(balance.currency, "BRL")
          const stored = yield* call("GET", `${PATH}${balance.id}/`)
          assert.deepStrictEqual(stored.json, balance)
        }
        assert.strictEqual(yield* count(plain), 8)
        const explicit = yield* call("POST", PATH, { body: { link: plain, save_data: true } })
        assert.strictEqual(explicit.status, 201)
        assert.strictEqual(yield* count(plain), 10)
      }).pipe(provide)
  )

  it.effect("save_data false answers 200 and stores nothing", () =>
    Effect.gen(function* () {
      const answer = yield* call("POST", PATH, { body: { link: plain, save_data: false } })
      assert.strictEqual(answer.status, 200)
      assert.deepStrictEqual(validate(responseSchema(PATH, "post", 200), answer.json), [])
      assert.strictEqual((answer.json as Array<Json>).length, 2)
      assert.strictEqual(yield* count(plain), 6)
      const id = (answer.json as Array<Json>)[0]!.id
      assert.strictEqual((yield* call("GET", `${PATH}${id}/`)).status, 404)
    }).pipe(provide)
  )

  it.effect("account_id narrows to one account; fields/omit shape each item", () =>
    Effect.gen(function* () {
      const account = SandboxModel.plainAccountIds[1]
      const answer = yield* call("POST", `${PATH}?fields=id,account_id,available&omit=id`, {
        body: { link: plain, account_id: account }
      })
      assert.strictEqual(answer.status, 201)
      const items = answer.json as Array<Json>
      assert.strictEqual(items.length, 1)
      assert.deepStrictEqual(Object.keys(items[0]!), ["account_id", "available"])
      assert.strictEqual(items[0]!.account_id, account)
    }).pipe(provide)
  )

  it.effect("request validation answers 400 with Belvo's codes and the field", () =>
    Effect.gen(function* () {
      const cases: Array<[unknown, Array<[string, string | undefined]>]> = [
        [{}, [["required", "link"]]],
        [{ link: null }, [["null", "link"]]],
        [{ link: "" }, [["blank", "link"]]],
        [{ link: "abc" }, [["invalid", "link"]]],
        [{ link: 42 }, [["invalid", "link"]]],
        [{ link: "00000000-0000-4000-8000-000000000000" }, [["does_not_exist", "link"]]],
        [{ link: plain, account_id: SandboxModel.mfaAccountId }, [["does_not_exist", "account_id"]]],
        [{ link: plain, account_id: "x" }, [["invalid", "account_id"]]],
        [{ link: plain, save_data: "yes" }, [["invalid", "save_data"]]],
        [
          { save_data: 1, account_id: null },
          [
            ["required", "link"],
            ["null", "account_id"],
            ["invalid", "save_data"]
          ]
        ],
        [[plain], [["invalid", "non_field_errors"]]]
      ]
      for (const [body, expected] of cases) {
        const answer = yield* call("POST", PATH, { body })
        assert.strictEqual(answer.status, 400, JSON.stringify(body))
        const items = errorItems(answer)
        assert.deepStrictEqual(
          items.map((i) => [i.code, i.field]),
          expected
        )
        assert.deepStrictEqual(validate(responseSchema(PATH, "post", 400), answer.json), [])
        assert.strictEqual(new Set(items.map((i) => i.request_id)).size, 1)
      }
      const required = errorItems(yield* call("POST", PATH, { body: {} }))[0]!
      assert.strictEqual(required.message, "This field is required.")
      const notJson = yield* call("POST", PATH, {
        headers: { "content-type": "application/json" },
        body: undefined
      })
      assert.strictEqual(notJson.status, 400)
      assert.match(String(errorItems(notJson)[0]!.message), /^JSON parse error/)
      const form = yield* call("POST", PATH, {
        body: { link: plain },
        headers: { "content-type": "text/plain" }
      })
      assert.strictEqual(form.status, 415)
      assert.strictEqual(errorItems(form)[0]!.code, "unsupported_media_type")
    }).pipe(provide)
  )
})

/** POSTs on the MFA link and returns the 428 item. */
const challenge = (body: Json = { link: mfa }) =>
  Effect.gen(function* () {
    const answer = yield* call("POST", PATH, { body })
    assert.strictEqual(answer.status, 428)
    assert.deepStrictEqual(validate(responseSchema(PATH, "post", 428), answer.json), [])
    const [item] = errorItems(answer)
    return item as Json & { session: string; token_generation_data: { value: string } }
  })

const resume = (body: Json, auth?: string) => call("PATCH", PATH, { body, auth })

describe("MFA (428 token_required, PATCH resume)", () => {
  it.effect("POST on an MFA link answers the documented 428 challenge", () =>
    Effect.gen(function* () {
      const item = yield* challenge()
      assert.strictEqual(item.code, "token_required")
      assert.strictEqual(item.message, "A MFA token is required by the institution to login")
      assert.match(item.session, /^[a-f0-9]{32}$/)
      assert.strictEqual(item.expiry, 600)
      assert.strictEqual(item.link, mfa)
      assert.deepStrictEqual(Object.keys(item.token_generation_data), [
        "instructions",
        "type",
        "value",
        "expects_user_input"
      ])
      assert.strictEqual((item.token_generation_data as unknown as Json).type, "numeric")
      assert.strictEqual((item.token_generation_data as unknown as Json).expects_user_input, true)
      assert.match(item.token_generation_data.value, /^\d{6}$/)
      assert.notStrictEqual(item.session, (yield* challenge()).session)
      assert.deepStrictEqual(
        yield* Sandbox.tokenForSession(item.session),
        Option.some(SandboxModel.tokenFor(item.token_generation_data.value))
      )
    }).pipe(provide)
  )

  it.effect("the right token completes the retrieval (201, stored); the session is single use", () =>
    Effect.gen(function* () {
      const before = yield* count(mfa)
      const item = yield* challenge()
      const token = SandboxModel.tokenFor(item)
      const done = yield* resume({ session: item.session, token, link: mfa })
      assert.strictEqual(done.status, 201)
      assert.deepStrictEqual(validate(responseSchema(PATH, "post", 201), done.json), [])
      assert.deepStrictEqual(
        (done.json as Array<Json>).map((b) => b.account_id),
        [SandboxModel.mfaAccountId]
      )
      assert.strictEqual(yield* count(mfa), before + 1)
      const again = yield* resume({ session: item.session, token, link: mfa })
      assert.strictEqual(again.status, 400)
      assert.deepStrictEqual(
        errorItems(again).map((i) => [i.code, i.message]),
        [
          [
            "session_expired",
            "The session you are trying to resume has expired, please start again from register/retrieve endpoint"
          ]
        ]
      )
    }).pipe(provide)
  )

  it.effect(
    "a link confirmed on another device: the 428 expects no input, and a resume without a token completes it",
    () =>
      Effect.gen(function* () {
        const confirm = SandboxModel.confirmLinkId
        const asked = yield* call("POST", PATH, { body: { link: confirm } })
        assert.strictEqual(asked.status, 428)
        const [item] = errorItems(asked)
        assert.deepStrictEqual(item?.token_generation_data as unknown as Json, {
          instructions: "Confirm the access in your bank's app, then continue",
          type: "confirmation",
          expects_user_input: false
        })
        // A token where none is expected is a wrong answer: the institution asks again.
        const typed = yield* resume({ session: item?.session, token: "123456", link: confirm })
        assert.strictEqual(typed.status, 428)
        const [again] = errorItems(typed)
        const done = yield* resume({ session: again?.session, link: confirm })
        assert.strictEqual(done.status, 201)
        assert.deepStrictEqual(
          (done.json as Array<Json>).map((b) => b.account_id),
          [SandboxModel.confirmAccountId]
        )
      }).pipe(provide)
  )

  it.effect("save_data false on the PATCH answers 200 and stores nothing; fields apply", () =>
    Effect.gen(function* () {
      const before = yield* count(mfa)
      const item = yield* challenge()
      const done = yield* call("PATCH", `${PATH}?fields=id`, {
        body: { session: item.session, token: SandboxModel.tokenFor(item), link: mfa, save_data: false }
      })
      assert.strictEqual(done.status, 200)
      assert.deepStrictEqual(Object.keys((done.json as Array<Json>)[0]!), ["id"])
      assert.strictEqual(yield* count(mfa), before)
    }).pipe(provide)
  )

  it.effect("a wrong token gets a fresh challenge on a fresh session; the old one is gone", () =>
    Effect.gen(function* () {
      const item = yield* challenge()
      for (const token of [item.token_generation_data.value, "000000", undefined, null]) {
        const current = yield* challenge()
        const body: Json = { session: current.session, link: mfa }
        if (token !== undefined) body.token = token
        const wrong = yield* resume(body)
        assert.strictEqual(wrong.status, 428, String(token))
        assert.deepStrictEqual(validate(responseSchema(PATH, "post", 428), wrong.json), [])
        const next = errorItems(wrong)[0] as Json & { session: string }
        assert.notStrictEqual(next.session, current.session)
        assert.strictEqual(
          (yield* resume({ session: current.session, token: SandboxModel.tokenFor(current), link: mfa }))
            .status,
          400
        )
        const ok = yield* resume({
          session: next.session,
          token: SandboxModel.tokenFor(next as never),
          link: mfa
        })
        assert.strictEqual(ok.status, 201)
      }
    }).pipe(provide)
  )

  it.effect("sessions expire by Clock after `expiry` seconds", () =>
    Effect.gen(function* () {
      const early = yield* challenge()
      const late = yield* challenge()
      yield* TestClock.adjust("599 seconds")
      assert.strictEqual(
        (yield* resume({ session: early.session, token: SandboxModel.tokenFor(early), link: mfa })).status,
        201
      )
      yield* TestClock.adjust("1 second")
      const expired = yield* resume({ session: late.session, token: SandboxModel.tokenFor(late), link: mfa })
      assert.strictEqual(expired.status, 400)
      assert.strictEqual(errorItems(expired)[0]!.code, "session_expired")
      assert.deepStrictEqual(validate(responseSchema(PATH, "post", 400), expired.json), [])
    }).pipe(provide)
  )

  it.effect("mfaExpiry configures the lifetime and the advertised expiry", () =>
    Effect.gen(function* () {
      const item = yield* challenge()
      assert.strictEqual(item.expiry, 30)
      yield* TestClock.adjust("30 seconds")
      assert.strictEqual(
        (yield* resume({ session: item.session, token: SandboxModel.tokenFor(item), link: mfa })).status,
        400
      )
    }).pipe(Effect.provide(SandboxHttp.layer({ mfaExpiry: "30 seconds", largeLinkBalances: 0 })))
  )

  it.effect(
    "the session remembers account_id; unknown, foreign or mismatched sessions are session_expired",
    () =>
      Effect.gen(function* () {
        const narrowed = yield* challenge({ link: mfa, account_id: SandboxModel.mfaAccountId })
        const done = yield* resume({
          session: narrowed.session,
          token: SandboxModel.tokenFor(narrowed),
          link: mfa
        })
        assert.deepStrictEqual(
          (done.json as Array<Json>).map((b) => b.account_id),
          [SandboxModel.mfaAccountId]
        )
        assert.strictEqual(
          errorItems(yield* resume({ session: "0".repeat(32), token: "1", link: mfa }))[0]!.code,
          "session_expired"
        )
        const item = yield* challenge()
        const mismatched = yield* resume({
          session: item.session,
          token: SandboxModel.tokenFor(item),
          link: plain
        })
        assert.strictEqual(errorItems(mismatched)[0]!.code, "session_expired")
        // a secret that owns another link cannot resume this one
        const other = basic(SandboxModel.otherSecretId, SandboxModel.otherSecretPassword)
        const item2 = yield* challenge()
        const denied = yield* resume(
          { session: item2.session, token: SandboxModel.tokenFor(item2), link: mfa },
          other
        )
        assert.strictEqual(denied.status, 403)
      }).pipe(provide)
  )

  it.effect("PATCH validates its body like POST", () =>
    Effect.gen(function* () {
      const cases: Array<[Json, Array<[string, string]>]> = [
        [
          {},
          [
            ["required", "session"],
            ["required", "link"]
          ]
        ],
        [{ session: "xyz", link: mfa }, [["invalid", "session"]]],
        [{ session: "a".repeat(32), link: "nope" }, [["invalid", "link"]]],
        [{ session: "a".repeat(32), link: mfa, token: 5 }, [["invalid", "token"]]],
        [
          { session: "a".repeat(32), link: "00000000-0000-4000-8000-000000000000" },
          [["does_not_exist", "link"]]
        ]
      ]
      for (const [body, expected] of cases) {
        const answer = yield* resume(body)
        assert.strictEqual(answer.status, 400, JSON.stringify(body))
        assert.deepStrictEqual(
          errorItems(answer).map((i) => [i.code, i.field]),
          expected
        )
      }
    }).pipe(provide)
  )
})
