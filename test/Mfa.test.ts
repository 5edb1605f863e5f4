import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { Balances, Mfa, MfaChallenge } from "../src/index.js"
import { clientLayer, errorBody, json, link, mockHttp, wireBalance } from "./support/mockHttp.js"

const session = "2675b703b9d4451f8d4861a3eee54449"

const challengeBody = (sessionId = session, expiry = 600) =>
  errorBody("token_required", "A MFA token is required by the institution to login", {
    session: sessionId,
    expiry,
    link,
    token_generation_data: {
      instructions: "Use this code",
      type: "numeric",
      value: "12345",
      expects_user_input: true
    }
  })

const balance = wireBalance()

describe("MFA", () => {
  it.effect("a 428 becomes TokenRequired with a challenge that expires by the Clock", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2030-01-01T00:00:00Z"))
      const http = mockHttp(() => json(428, challengeBody()))
      const error = yield* Balances.retrieve({ link, save_data: false, fields: ["id"] }).pipe(
        Effect.flip,
        Effect.provide(clientLayer(http.layer))
      )
      if (error._tag !== "TokenRequired") return expect.fail(`expected TokenRequired, got ${error._tag}`)
      const { challenge } = error
      expect(challenge.session).toBe(session)
      expect(challenge.link).toBe(link)
      expect(challenge.expiry).toBe(600)
      expect(DateTime.formatIso(challenge.expiresAt)).toBe("2030-01-01T00:10:00.000Z")
      expect(challenge.token_generation_data?.value).toBe("12345")
      expect(challenge.save_data).toBe(false)
      expect(challenge.fields).toEqual(["id"])
      expect(yield* MfaChallenge.isExpired(challenge)).toBe(false)
      yield* TestClock.adjust("599 seconds")
      expect(yield* MfaChallenge.isExpired(challenge)).toBe(false)
      yield* TestClock.adjust("1 second")
      expect(yield* MfaChallenge.isExpired(challenge)).toBe(true)
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
        if (error._tag !== "TokenRequired") return expect.fail(error._tag)
        const stored = yield* MfaChallenge.toJson(error.challenge)
        expect(typeof JSON.parse(stored)).toBe("object")

        const restored = yield* MfaChallenge.fromJson(stored)
        const second = mockHttp(() => json(200, [balance]))
        const result = yield* Balances.resume(restored, "54321").pipe(
          Effect.provide(clientLayer(second.layer))
        )
        expect(result.status).toBe(200)
        expect(result.balances).toHaveLength(1)
        const [request] = second.requests
        expect(request?.method).toBe("PATCH")
        expect(request?.url.pathname).toBe("/api/br/balances/")
        expect(request?.body).toEqual({ session, token: "54321", link, save_data: false })
      })
  )

  it.effect("resuming after expiresAt fails with SessionExpired and sends nothing", () =>
    Effect.gen(function* () {
      const http = mockHttp((request) =>
        request.method === "POST" ? json(428, challengeBody(session, 60)) : json(201, [balance])
      )
      const layer = clientLayer(http.layer)
      const error = yield* Balances.retrieve({ link }).pipe(Effect.flip, Effect.provide(layer))
      if (error._tag !== "TokenRequired") return expect.fail(error._tag)
      yield* TestClock.adjust("61 seconds")
      const expired = yield* Balances.resume(error.challenge, "1").pipe(Effect.flip, Effect.provide(layer))
      expect(expired._tag).toBe("SessionExpired")
      expect(expired._tag === "SessionExpired" && expired.status).toBe(0)
      expect(expired.message).toContain("nothing was sent")
      expect(http.requests.map((r) => r.method)).toEqual(["POST"])
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
      if (error._tag !== "TokenRequired") return expect.fail(error._tag)
      const fiber = yield* Effect.fork(
        Effect.flip(Balances.resume(error.challenge, "1").pipe(Effect.provide(layer)))
      )
      yield* TestClock.adjust("1 minute")
      expect((yield* Fiber.join(fiber))._tag).toBe("UnexpectedError")
      expect(http.requests.map((r) => r.method)).toEqual(["POST", "PATCH"])
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
      expect(result.saved).toBe(true)
      expect(Object.keys(result.balances[0] ?? {})).toEqual(["id", "available"])
      expect(asked).toEqual([`1:${session}`, `2:${second}`])
      expect(
        http.requests.map((r) => [
          r.method,
          (r.body as { token?: string }).token,
          r.url.searchParams.get("fields")
        ])
      ).toEqual([
        ["POST", undefined, "id,available"],
        ["PATCH", "token-1", "id,available"],
        ["PATCH", "token-2", "id,available"]
      ])
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
      expect(error._tag).toBe("TokenRequired")
      expect(http.requests).toHaveLength(3)
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
        Effect.fork
      )
      yield* Effect.yieldNow().pipe(Effect.repeat({ until: () => http.requests.length > 0 }))
      yield* Effect.yieldNow().pipe(Effect.repeatN(20))
      expect(http.requests.map((r) => r.method)).toEqual(["POST"])
      yield* Deferred.succeed(token, "from-the-user")
      const result = yield* Fiber.join(fiber)
      expect(result.balances).toHaveLength(1)
      expect(http.requests[1]?.body).toMatchObject({ token: "from-the-user" })
    })
  )

  it.effect("a 428 without session or expiry is a DecodeError, not a challenge that cannot resume", () =>
    Effect.gen(function* () {
      const http = mockHttp(() => json(428, errorBody("token_required", "MFA")))
      const error = yield* Balances.retrieve({ link }).pipe(
        Effect.flip,
        Effect.provide(clientLayer(http.layer))
      )
      expect(error._tag).toBe("DecodeError")
    })
  )
})
