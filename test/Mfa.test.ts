import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Result from "effect/Result"
import { TestClock } from "effect/testing"
import { type Balance, Balances, type BelvoClient, type BelvoError, Mfa, MfaChallenge } from "../src/index.js"
import { Sandbox, SandboxClient, SandboxModel } from "../src/testing/index.js"
import { eventually, settle } from "./support/eventLoop.js"
import {
  clientLayer,
  errorBody,
  json,
  link,
  mockHttp,
  type Recorded,
  requestId,
  wireBalance
} from "./support/mockHttp.js"

const session = "2675b703b9d4451f8d4861a3eee54449"
const otherLink = "5722d0ba-69d7-42dc-8ff5-33767b83c5d6"

const tokenData = {
  instructions: "Use this code",
  type: "numeric",
  value: "12345",
  expects_user_input: true
}

const challengeBody = (sessionId = session, expiry: unknown = 600, extra: Record<string, unknown> = {}) =>
  errorBody("token_required", "A MFA token is required by the institution to login", {
    session: sessionId,
    expiry,
    link,
    token_generation_data: tokenData,
    ...extra
  })

const balance = wireBalance()

/** A field of a recorded request's JSON body. */
const bodyField = (request: Recorded | undefined, field: string): unknown =>
  (request?.body as Record<string, unknown> | undefined)?.[field]

/** The balance shaped by the request's `fields` / `omit`, as Belvo answers it. */
const projected = (url: URL): Record<string, unknown> => {
  const fields = url.searchParams.get("fields")?.split(",")
  const omit = url.searchParams.get("omit")?.split(",") ?? []
  return Object.fromEntries(
    Object.entries(balance).filter(
      ([key]) => (fields === undefined || fields.includes(key)) && !omit.includes(key)
    )
  )
}

/** The TokenRequired a retrieve meets, or the test fails. */
const challengeOf = (error: BelvoError.BelvoError): MfaChallenge.MfaChallenge => {
  if (error._tag !== "TokenRequired") return assert.fail(`expected TokenRequired, got ${error._tag}`)
  return error.challenge
}

/** A challenge as a 428 for `request` would build it, at the Clock's time. */
const challengeFor = (
  request: MfaChallenge.Request,
  offer: MfaChallenge.Offer = { session, expiry: 600, link: request.link }
) =>
  Effect.map(
    Effect.clockWith((clock) => clock.currentTimeMillis),
    (now) => Result.getOrThrow(MfaChallenge.fromItem(offer, request, now))
  )

describe("MFA", () => {
  it.effect("a 428 becomes TokenRequired with a challenge that expires by the Clock", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2030-01-01T00:00:00Z"))
      const http = mockHttp(() => json(428, challengeBody()))
      const error = yield* Balances.retrieve({ link, save_data: false, fields: ["id"] }).pipe(
        Effect.flip,
        Effect.provide(clientLayer(http.layer))
      )
      const challenge = challengeOf(error)
      assert.strictEqual(challenge.session, session)
      assert.strictEqual(challenge.link, link)
      assert.strictEqual(challenge.expiry, 600)
      assert.strictEqual(DateTime.formatIso(challenge.expiresAt), "2030-01-01T00:10:00.000Z")
      assert.strictEqual(challenge.token_generation_data?.value, "12345")
      assert.strictEqual(challenge.request_id, requestId)
      assert.isFalse(challenge.save_data)
      assert.deepStrictEqual(challenge.fields, ["id"])
      assert.isFalse(yield* MfaChallenge.isExpired(challenge))
      yield* TestClock.adjust("599 seconds")
      assert.isFalse(yield* MfaChallenge.isExpired(challenge))
      yield* TestClock.adjust("1 second")
      assert.isTrue(yield* MfaChallenge.isExpired(challenge))
    })
  )

  it.effect(
    "a challenge stored as JSON resumes from a fresh client with PATCH {session, token, link, save_data}",
    () =>
      Effect.gen(function* () {
        const first = mockHttp(() => json(428, challengeBody()))
        const error = yield* Balances.retrieve({ link, save_data: false }).pipe(
          Effect.flip,
          Effect.provide(clientLayer(first.layer))
        )
        const stored = yield* MfaChallenge.toJson(challengeOf(error))
        assert.strictEqual(typeof JSON.parse(stored), "object")

        const restored = yield* MfaChallenge.fromJson(stored)
        const second = mockHttp(() => json(200, [balance]))
        const result = yield* Balances.resume(restored, "54321").pipe(
          Effect.provide(clientLayer(second.layer))
        )
        assert.strictEqual(result.status, 200)
        assert.lengthOf(result.balances, 1)
        const [request] = second.requests
        assert.strictEqual(request?.method, "PATCH")
        assert.strictEqual(request?.url.pathname, "/api/br/balances/")
        assert.deepStrictEqual(request?.body, { session, token: "54321", link, save_data: false })
      })
  )

  it.effect("resuming after expiresAt fails with SessionExpired and sends nothing", () =>
    Effect.gen(function* () {
      const http = mockHttp((request) =>
        request.method === "POST" ? json(428, challengeBody(session, 60)) : json(201, [balance])
      )
      const layer = clientLayer(http.layer)
      const error = yield* Balances.retrieve({ link }).pipe(Effect.flip, Effect.provide(layer))
      const challenge = challengeOf(error)
      yield* TestClock.adjust("61 seconds")
      const expired = yield* Balances.resume(challenge, "1").pipe(Effect.flip, Effect.provide(layer))
      assert.strictEqual(expired._tag, "SessionExpired")
      assert.strictEqual(expired._tag === "SessionExpired" && expired.status, 0)
      assert.include(expired.message, "nothing was sent")
      assert.deepStrictEqual(
        http.requests.map((r) => r.method),
        ["POST"]
      )
    })
  )

  it.effect("resume is never retried, even on a 500", () =>
    Effect.gen(function* () {
      const http = mockHttp((request) =>
        request.method === "POST"
          ? json(428, challengeBody())
          : json(500, errorBody("unexpected_error", "boom"))
      )
      const layer = clientLayer(http.layer)
      const error = yield* Balances.retrieve({ link }).pipe(Effect.flip, Effect.provide(layer))
      const fiber = yield* Effect.forkChild(
        Effect.flip(Balances.resume(challengeOf(error), "1").pipe(Effect.provide(layer)))
      )
      yield* TestClock.adjust("1 minute")
      assert.strictEqual((yield* Fiber.join(fiber))._tag, "UnexpectedError")
      assert.deepStrictEqual(
        http.requests.map((r) => r.method),
        ["POST", "PATCH"]
      )
    })
  )

  it.effect("Mfa.answer asks the handler, resumes, and chains a second 428", () =>
    Effect.gen(function* () {
      const second = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      const http = mockHttp((request, index) => {
        if (request.method === "POST") return json(428, challengeBody())
        return index === 1
          ? json(428, challengeBody(second))
          : json(201, [{ id: balance.id, available: 10.5 }])
      })
      const asked: Array<string> = []
      const result = yield* Balances.retrieve({ link, fields: ["id", "available"] }).pipe(
        Mfa.answer((challenge, attempt) => {
          asked.push(`${attempt}:${challenge.session}`)
          return Effect.succeed(`token-${attempt}`)
        }),
        Effect.provide(clientLayer(http.layer))
      )
      assert.isTrue(result.saved)
      assert.deepStrictEqual(Object.keys(result.balances[0] ?? {}), ["id", "available"])
      assert.deepStrictEqual(asked, [`1:${session}`, `2:${second}`])
      assert.deepStrictEqual(
        http.requests.map((r) => [r.method, bodyField(r, "token"), r.url.searchParams.get("fields")]),
        [
          ["POST", undefined, "id,available"],
          ["PATCH", "token-1", "id,available"],
          ["PATCH", "token-2", "id,available"]
        ]
      )
    })
  )

  it.effect("Mfa.answer gives up after maxAttempts with the last TokenRequired", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(428, challengeBody()))
      const error = yield* Balances.retrieve({ link }).pipe(
        Mfa.answer(() => Effect.succeed("wrong"), { maxAttempts: 2 }),
        Effect.flip,
        Effect.provide(clientLayer(http.layer))
      )
      assert.strictEqual(error._tag, "TokenRequired")
      assert.lengthOf(http.requests, 3)
    })
  )

  it.effect(
    "Mfa.answer refuses a maxAttempts that is not a whole number from 1 to 10, before the retrieve runs",
    () =>
      Effect.gen(function* () {
        for (const maxAttempts of [0, 1.5, 11, Number.NaN]) {
          const http = mockHttp(() => json(428, challengeBody()))
          const error = yield* Balances.retrieve({ link }).pipe(
            Mfa.answer(() => Effect.succeed("1"), { maxAttempts }),
            Effect.flip,
            Effect.provide(clientLayer(http.layer))
          )
          assert.strictEqual(error._tag, "InvalidQuery", String(maxAttempts))
          assert.lengthOf(http.requests, 0)
        }
      })
  )

  it.effect("the handler may wait on a Deferred (a UI, a queue)", () =>
    Effect.gen(function* () {
      const http = mockHttp((request) =>
        request.method === "POST" ? json(428, challengeBody()) : json(201, [balance])
      )
      const token = yield* Deferred.make<string>()
      const fiber = yield* Balances.retrieve({ link }).pipe(
        Mfa.answer(() => Deferred.await(token)),
        Effect.provide(clientLayer(http.layer)),
        Effect.forkChild
      )
      yield* eventually(() => http.requests.length > 0, "the retrieve is sent")
      yield* settle()
      assert.deepStrictEqual(
        http.requests.map((r) => r.method),
        ["POST"]
      )
      yield* Deferred.succeed(token, "from-the-user")
      const result = yield* Fiber.join(fiber)
      assert.lengthOf(result.balances, 1)
      assert.strictEqual(bodyField(http.requests[1], "token"), "from-the-user")
    })
  )

  it.effect("a 428 without session or expiry is a DecodeError, not a challenge that cannot resume", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(428, errorBody("token_required", "MFA")))
      const error = yield* Balances.retrieve({ link }).pipe(
        Effect.flip,
        Effect.provide(clientLayer(http.layer))
      )
      assert.strictEqual(error._tag, "DecodeError")
      assert.strictEqual(error._tag === "DecodeError" && error.status, 428)
      assert.include(error.message, "no session")
    })
  )
})

describe("428 answers", () => {
  const retrieveAgainst = (body: unknown) =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(428, body))
      const error = yield* Balances.retrieve({ link, save_data: false, omit: ["blocked"] }).pipe(
        Effect.flip,
        Effect.provide(clientLayer(http.layer))
      )
      return error
    })

  it.effect("a session that is not 32 hex characters is a DecodeError", () =>
    Effect.gen(function* () {
      for (const bad of [
        "2675b703b9d4451f8d4861a3eee5444",
        "2675b703b9d4451f8d4861a3eee54449a",
        "../../x",
        ""
      ]) {
        const error = yield* retrieveAgainst(challengeBody(bad))
        assert.strictEqual(error._tag, "DecodeError", bad)
        assert.include(error._tag === "DecodeError" ? error.reason : "", "session is not 32 hex characters")
      }
      const upper = yield* retrieveAgainst(challengeBody(session.toUpperCase()))
      assert.strictEqual(challengeOf(upper).session, session.toUpperCase())
    })
  )

  it.effect("an expiry that is not whole seconds from 1 to 86400 is a DecodeError", () =>
    Effect.gen(function* () {
      for (const bad of [0, -1, 1.5, 86_401, 1e12, "600", null]) {
        const error = yield* retrieveAgainst(challengeBody(session, bad))
        assert.strictEqual(error._tag, "DecodeError", String(bad))
      }
      for (const good of [1, MfaChallenge.maxExpirySeconds]) {
        const error = yield* retrieveAgainst(challengeBody(session, good))
        assert.strictEqual(challengeOf(error).expiry, good)
      }
    })
  )

  it.effect("a link that is not a UUID falls back to the link that was asked for", () =>
    Effect.gen(function* () {
      const foreign = yield* retrieveAgainst(challengeBody(session, 600, { link: "../../admin" }))
      assert.strictEqual(challengeOf(foreign).link, link)
      const other = yield* retrieveAgainst(challengeBody(session, 600, { link: otherLink }))
      assert.strictEqual(challengeOf(other).link, otherLink)
    })
  )

  it.effect("the older {detail, session, expiry, link} object body is a TokenRequired", () =>
    Effect.gen(function* () {
      const error = yield* retrieveAgainst({ detail: "Token Required", session, expiry: 600, link })
      const challenge = challengeOf(error)
      assert.strictEqual(challenge.session, session)
      assert.strictEqual(challenge.expiry, 600)
      assert.isUndefined(challenge.token_generation_data)
      assert.isFalse(challenge.save_data)
      assert.deepStrictEqual(challenge.omit, ["blocked"])
      assert.strictEqual(error._tag === "TokenRequired" && error.code, "token_required")
      assert.strictEqual(error._tag === "TokenRequired" && error.detail, "Token Required")
    })
  )

  it.effect("an item without token_generation_data is a TokenRequired", () =>
    Effect.gen(function* () {
      const [item] = challengeBody()
      const { token_generation_data: _, ...bare } = item as Record<string, unknown>
      for (const body of [[bare], bare]) {
        const challenge = challengeOf(yield* retrieveAgainst(body))
        assert.strictEqual(challenge.session, session)
        assert.isUndefined(challenge.token_generation_data)
      }
    })
  )

  it("MfaChallenge.fromItem refuses what it could not resume, with the reason", () => {
    const request: MfaChallenge.Request = { link, save_data: true, fields: ["id"] }
    const now = Date.parse("2024-05-21T08:32:00Z")
    const reason = (offer: MfaChallenge.Offer) =>
      Result.match(MfaChallenge.fromItem(offer, request, now), {
        onSuccess: () => "ok",
        onFailure: (why) => why
      })
    assert.strictEqual(reason({ expiry: 600 }), "the 428 answer carries no session to resume")
    assert.strictEqual(
      reason({ session: "nope", expiry: 600 }),
      "the 428 answer's session is not 32 hex characters"
    )
    assert.strictEqual(reason({ session }), "the 428 answer carries no expiry")
    assert.strictEqual(
      reason({ session, expiry: 0 }),
      "the 428 answer's expiry is not whole seconds from 1 to 86400"
    )
    const built = Result.getOrThrow(MfaChallenge.fromItem({ session, expiry: 600, link: "x" }, request, now))
    assert.strictEqual(built.link, link)
    assert.strictEqual(DateTime.formatIso(built.expiresAt), "2024-05-21T08:42:00.000Z")
    assert.deepStrictEqual(built.fields, ["id"])
    assert.isTrue(built.save_data)
  })
})

describe("resume", () => {
  it.effect(
    "without a token it sends no token key; by default it repeats the challenge's fields, omit and save_data",
    () =>
      Effect.gen(function* () {
        const http = mockHttp((request) => json(200, [projected(request.url)]))
        const challenge = yield* challengeFor({ link, save_data: false, fields: ["id"] })
        const result = yield* Balances.resume(challenge).pipe(Effect.provide(clientLayer(http.layer)))
        assert.deepStrictEqual(result.balances, [{ id: balance.id }])
        const [request] = http.requests
        assert.deepStrictEqual(request?.body, { session, link, save_data: false })
        assert.isFalse(Object.hasOwn((request?.body ?? {}) as object, "token"))
        assert.strictEqual(request?.url.searchParams.get("fields"), "id")

        const omitting = yield* challengeFor({ link, save_data: true, omit: ["blocked", "currency"] })
        yield* Balances.resume(omitting, "123").pipe(Effect.provide(clientLayer(http.layer)))
        assert.strictEqual(http.requests[1]?.url.searchParams.get("omit"), "blocked,currency")
        assert.isFalse(http.requests[1]?.url.searchParams.has("fields"))
        assert.deepStrictEqual(http.requests[1]?.body, { session, token: "123", link, save_data: true })
      })
  )

  it.effect("options override the challenge's projection and save_data", () =>
    Effect.gen(function* () {
      const http = mockHttp((request) => json(201, [projected(request.url)]))
      const challenge = yield* challengeFor({ link, save_data: false, fields: ["id"] })
      yield* Balances.resume(challenge, "1", { fields: ["id", "available"], save_data: true }).pipe(
        Effect.provide(clientLayer(http.layer))
      )
      yield* Balances.resume(challenge, "2", { omit: ["blocked"] }).pipe(
        Effect.provide(clientLayer(http.layer))
      )
      const [first, second] = http.requests
      assert.strictEqual(first?.url.searchParams.get("fields"), "id,available")
      assert.strictEqual(bodyField(first, "save_data"), true)
      // `omit` given: the challenge's `fields` no longer apply.
      assert.strictEqual(second?.url.searchParams.get("omit"), "blocked")
      assert.isFalse(second?.url.searchParams.has("fields"))
      assert.strictEqual(bodyField(second, "save_data"), false)
    })
  )

  it.effect(
    "a challenge with a tampered session or link is an InvalidQuery on challenge, and nothing is sent",
    () =>
      Effect.gen(function* () {
        const http = mockHttp(() => json(200, []))
        const challenge = yield* challengeFor({ link, save_data: true })
        const tampered = [
          { ...challenge, session: "2675b703b9d4451f8d4861a3eee5444g" },
          { ...challenge, session: `${session}","token":"x` },
          { ...challenge, link: "../../x" },
          { ...challenge, link: `${link}?x=1` },
          { ...challenge, expiry: 0 }
        ] as unknown as ReadonlyArray<MfaChallenge.MfaChallenge>
        for (const bad of tampered) {
          const error = yield* Balances.resume(bad, "1").pipe(
            Effect.flip,
            Effect.provide(clientLayer(http.layer))
          )
          assert.strictEqual(error._tag === "InvalidQuery" && error.field, "challenge")
          assert.isTrue(Result.isFailure(MfaChallenge.check(bad)))
        }
        assert.isTrue(Result.isSuccess(MfaChallenge.check(challenge)))
        assert.lengthOf(http.requests, 0)
      })
  )

  it.effect("an empty or oversized token is an InvalidQuery on token, and nothing is sent", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(200, []))
      const challenge = yield* challengeFor({ link, save_data: true })
      for (const token of ["", "x".repeat(257)]) {
        const error = yield* Balances.resume(challenge, token).pipe(
          Effect.flip,
          Effect.provide(clientLayer(http.layer))
        )
        assert.strictEqual(error._tag === "InvalidQuery" && error.field, "token")
      }
      assert.lengthOf(http.requests, 0)
      yield* Balances.resume(challenge, "x".repeat(256)).pipe(Effect.provide(clientLayer(http.layer)))
      assert.lengthOf(http.requests, 1)
    })
  )

  it.effect("PATCH answers map by the resume's table: 400 codes, 401, a new 428 keeping the projection", () =>
    Effect.gen(function* () {
      const replies = [
        json(400, errorBody("session_expired", "The MFA session expired")),
        json(401, errorBody("authentication_failed", "Invalid Secret Keys")),
        json(404, errorBody("not_found", "Not found")),
        json(428, challengeBody("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"))
      ]
      const http = mockHttp((_, index) => replies[index] as Response)
      const challenge = yield* challengeFor({ link, save_data: false, fields: ["id"] })
      const errors: Array<BelvoError.BelvoError> = []
      for (let i = 0; i < replies.length; i++) {
        errors.push(
          yield* Balances.resume(challenge, "1").pipe(Effect.flip, Effect.provide(clientLayer(http.layer)))
        )
      }
      assert.deepStrictEqual(
        errors.map((error) => error._tag),
        ["SessionExpired", "AuthenticationFailed", "UnknownStatus", "TokenRequired"]
      )
      for (const error of errors) assert.include(error.message, "PATCH /api/br/balances/")
      assert.strictEqual(errors[0]?._tag === "SessionExpired" && errors[0].status, 400)
      const next = challengeOf(errors[3] as BelvoError.BelvoError)
      assert.strictEqual(next.session, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
      assert.deepStrictEqual([next.fields, next.save_data], [["id"], false])
    })
  )
})

describe("Mfa.answer", () => {
  it.effect("is dual: data-first and data-last give the same result", () =>
    Effect.gen(function* () {
      const http = mockHttp((request) =>
        request.method === "POST" ? json(428, challengeBody()) : json(201, [balance])
      )
      const retrieve = Balances.retrieve({ link, fields: ["id", "available"] })
      const dataFirst = yield* Mfa.answer(retrieve, () => Effect.succeed("1"), { maxAttempts: 1 }).pipe(
        Effect.provide(clientLayer(http.layer))
      )
      const dataLast = yield* retrieve.pipe(
        Mfa.answer(() => Effect.succeed("2")),
        Effect.provide(clientLayer(http.layer))
      )
      assert.deepStrictEqual(dataFirst, dataLast)
      assert.deepStrictEqual(
        http.requests.map((r) => [r.method, bodyField(r, "token")]),
        [
          ["POST", undefined],
          ["PATCH", "1"],
          ["POST", undefined],
          ["PATCH", "2"]
        ]
      )
    })
  )

  it.effect("a handler answering undefined resumes without a token", () =>
    Effect.gen(function* () {
      const http = mockHttp((request) =>
        request.method === "POST"
          ? json(
              428,
              challengeBody(session, 600, {
                token_generation_data: { ...tokenData, expects_user_input: false }
              })
            )
          : json(201, [balance])
      )
      const seen: Array<boolean | undefined> = []
      const result = yield* Balances.retrieve({ link }).pipe(
        Mfa.answer((challenge) => {
          seen.push(challenge.token_generation_data?.expects_user_input)
          return Effect.succeed(undefined)
        }),
        Effect.provide(clientLayer(http.layer))
      )
      assert.isTrue(result.saved)
      assert.deepStrictEqual(seen, [false])
      assert.deepStrictEqual(http.requests[1]?.body, { session, link, save_data: true })
    })
  )

  it.effect(
    "waiting for the handler ends when the challenge expires: SessionExpired, status 0, nothing sent",
    () =>
      Effect.gen(function* () {
        const http = mockHttp((request) =>
          request.method === "POST" ? json(428, challengeBody(session, 120)) : json(201, [balance])
        )
        const never = yield* Deferred.make<string>()
        const fiber = yield* Balances.retrieve({ link }).pipe(
          Mfa.answer(() => Deferred.await(never)),
          Effect.flip,
          Effect.provide(clientLayer(http.layer)),
          Effect.forkChild
        )
        yield* eventually(() => http.requests.length === 1, "the retrieve is sent")
        yield* TestClock.adjust("119 seconds")
        assert.isUndefined(fiber.pollUnsafe())
        yield* TestClock.adjust("1 second")
        assert.isDefined(fiber.pollUnsafe(), "still waiting for the handler after the challenge expired")
        const error = yield* Fiber.join(fiber)
        assert.strictEqual(error._tag, "SessionExpired")
        assert.strictEqual(error._tag === "SessionExpired" && error.status, 0)
        assert.include(error.message, "while waiting for the token")
        assert.include(error.message, "nothing was sent")
        assert.deepStrictEqual(error._tag === "SessionExpired" && [error.method, error.path], [
          "PATCH",
          "/api/br/balances/"
        ])
        assert.deepStrictEqual(
          http.requests.map((r) => r.method),
          ["POST"]
        )
      })
  )

  it.effect("a handler's own failure is the program's failure, and nothing is resumed", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(428, challengeBody()))
      const error = yield* Balances.retrieve({ link }).pipe(
        Mfa.answer(() => Effect.fail("the user cancelled" as const)),
        Effect.flip,
        Effect.provide(clientLayer(http.layer))
      )
      assert.strictEqual(error, "the user cancelled")
      assert.lengthOf(http.requests, 1)
    })
  )
})

describe("Mfa.answer against the sandbox", () => {
  it.effect("an institution that asks for a confirmation on another device: resumed without a token", () =>
    Effect.gen(function* () {
      const asked: Array<boolean | undefined> = []
      const retrieval = yield* Balances.retrieve({
        link: SandboxModel.confirmLinkId,
        fields: ["account_id", "available"]
      }).pipe(
        Mfa.answer((challenge) => {
          asked.push(challenge.token_generation_data?.expects_user_input)
          return Effect.succeed(
            challenge.token_generation_data?.expects_user_input === false
              ? undefined
              : SandboxModel.tokenFor(challenge)
          )
        })
      )
      assert.deepStrictEqual(asked, [false])
      assert.strictEqual(retrieval.status, 201)
      assert.deepStrictEqual(
        retrieval.balances.map((b) => b.account_id),
        [SandboxModel.confirmAccountId]
      )
      const requests = yield* Sandbox.requests
      assert.deepStrictEqual(
        requests.map((r) => r.method),
        ["POST", "PATCH"]
      )
      assert.isFalse("token" in JSON.parse(requests[1]?.body ?? "{}"))
    }).pipe(Effect.provide(SandboxClient.layer()))
  )

  it.effect("a stored challenge resumed elsewhere keeps the retrieve's projection", () =>
    Effect.gen(function* () {
      const error = yield* Balances.retrieve({
        link: SandboxModel.mfaLinkId,
        fields: ["id", "available"]
      }).pipe(Effect.flip)
      assert.strictEqual(error._tag, "TokenRequired")
      if (error._tag !== "TokenRequired") return
      const stored = yield* MfaChallenge.toJson(error.challenge)
      const challenge = yield* MfaChallenge.fromJson(stored)
      const resumed = yield* Balances.resume(challenge, SandboxModel.tokenFor(challenge), {
        fields: challenge.fields
      })
      assert.deepStrictEqual(
        resumed.balances.map((b) => Object.keys(b)),
        [["id", "available"]]
      )
      const byDefault = yield* Balances.retrieve({ link: SandboxModel.mfaLinkId, fields: ["id"] }).pipe(
        Effect.flip,
        Effect.flatMap((next) =>
          next._tag === "TokenRequired"
            ? Balances.resume(next.challenge, SandboxModel.tokenFor(next.challenge))
            : Effect.die(next)
        )
      )
      assert.deepStrictEqual(
        byDefault.balances.map((b) => Object.keys(b)),
        [["id"]]
      )
    }).pipe(Effect.provide(SandboxClient.layer()))
  )

  it.effect(
    "a stored challenge decoded with its retrieve's projection resumes fully typed, without a cast",
    () =>
      Effect.gen(function* () {
        // No projection, the common case: the resume's items are whole balances.
        const whole = yield* Effect.flip(Balances.retrieve({ link: SandboxModel.mfaLinkId }))
        if (whole._tag !== "TokenRequired") return assert.fail(whole.message)
        const stored = yield* MfaChallenge.toJson(whole.challenge)
        const challenge = yield* MfaChallenge.fromJson(stored, {})
        const resumed = yield* Balances.resume(challenge, SandboxModel.tokenFor(challenge))
        expectTypeOf(resumed.balances).toEqualTypeOf<ReadonlyArray<Balance.Balance>>()
        assert.isAbove(resumed.balances.length, 0)
        for (const balance of resumed.balances) assert.isTrue(BigDecimal.isBigDecimal(balance.available))

        // A projected retrieve: the same fields in any order type the resume the same way.
        const slim = yield* Effect.flip(
          Balances.retrieve({ link: SandboxModel.mfaLinkId, fields: ["id", "available"] })
        )
        if (slim._tag !== "TokenRequired") return assert.fail(slim.message)
        const slimStored = yield* MfaChallenge.toJson(slim.challenge)
        const slimChallenge = yield* MfaChallenge.fromJson(slimStored, { fields: ["available", "id"] })
        const slimResumed = yield* Balances.resume(slimChallenge, SandboxModel.tokenFor(slimChallenge))
        expectTypeOf(slimResumed.balances).toEqualTypeOf<
          ReadonlyArray<Pick<Balance.Balance, "id" | "available">>
        >()
        assert.deepStrictEqual(
          slimResumed.balances.map((b) => Object.keys(b)),
          [["id", "available"]]
        )

        // Decoded as another projection than its retrieve's: refused, saying which it was.
        const refused = yield* Effect.flip(MfaChallenge.fromJson(slimStored, {}))
        assert.include(refused.message, "asked for fields [id, available]")
        const refusedOmit = yield* Effect.flip(MfaChallenge.fromJson(stored, { omit: ["blocked"] }))
        assert.include(refusedOmit.message, "not fields none and omit [blocked]")

        // Without a projection, the type stays what the run time cannot promise.
        const untyped = yield* MfaChallenge.fromJson(stored)
        expectTypeOf(Balances.resume(untyped, "1")).toEqualTypeOf<
          Effect.Effect<
            Balances.Retrieval<Partial<Balance.Balance>>,
            Balances.ResumeError,
            BelvoClient.BelvoClient
          >
        >()
      }).pipe(Effect.provide(SandboxClient.layer()))
  )
})
