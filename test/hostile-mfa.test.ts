/**
 * MFA answers a server should not send: an `expiry` out of range or of the wrong type, a `link`
 * that is a path, a `session` carrying a header. Each is a `DecodeError` (never a defect, never a
 * challenge that expires after 2100) or a `TokenRequired` whose challenge is safe to resume; the
 * older and the minimal shapes of a good answer still give `TokenRequired`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { Balances, type BelvoError } from "../src/index.js"
import {
  clientLayer,
  failureOf,
  LINK,
  send,
  serve,
  SESSION,
  TRANSPORTS,
  tagOf,
  validChallenge
} from "./hostile/server.js"

const REQUEST_ID = "a6e1c493d7a29d91aed4338e6fcf077d"

/** A 428 item as Belvo documents it, with `overrides` (a member set to `undefined` is left out). */
const item = (overrides: Record<string, unknown> = {}) => {
  const base: Record<string, unknown> = {
    code: "token_required",
    message: "A MFA token is required by the institution to login",
    request_id: REQUEST_ID,
    session: SESSION,
    expiry: 600,
    link: LINK,
    token_generation_data: {
      instructions: "Enter the OTP",
      type: "numeric",
      value: "",
      expects_user_input: true
    },
    ...overrides
  }
  return Object.fromEntries(Object.entries(base).filter(([, value]) => value !== undefined))
}

const endpoints = {
  retrieve: () => Balances.retrieve({ link: LINK }),
  resume: () => Balances.resume(validChallenge(), "123456")
} as const

/** Answers every request with a 428 whose body is `body` (a string is sent as is). */
const call428 = (
  endpoint: keyof typeof endpoints,
  body: unknown,
  transport: (typeof TRANSPORTS)[number] = "fetch"
) =>
  Effect.gen(function* () {
    const server = yield* serve((_, response, self) => send(self, response, 428, body))
    const before = Date.now()
    const exit = yield* Effect.exit(
      endpoints[endpoint]().pipe(Effect.provide(clientLayer(server, transport)))
    )
    return { exit, before, after: Date.now(), requests: server.requests.length }
  })

const YEAR_2100 = Date.UTC(2100, 0, 1)

describe("a 428 whose expiry is out of range or not a number", () => {
  const expiries: Record<string, unknown> = {
    "8.64e12": 8.64e12,
    "1e300": 1e300,
    "1e12": 1e12,
    "-5": -5,
    "0": 0,
    "1.5": 1.5,
    '"600" (a string)': "600",
    missing: undefined
  }
  for (const endpoint of ["retrieve", "resume"] as const) {
    for (const [name, expiry] of Object.entries(expiries)) {
      it.live(`${endpoint}, expiry ${name}: DecodeError, no defect`, () =>
        Effect.gen(function* () {
          const { exit } = yield* call428(endpoint, [item({ expiry })])
          const error = failureOf(exit, `expiry ${name}`)
          if (tagOf(error) === "TokenRequired") {
            const expiresAt = DateTime.toEpochMillis((error as BelvoError.TokenRequired).challenge.expiresAt)
            assert.isBelow(expiresAt, YEAR_2100, `expiresAt ${new Date(expiresAt).toISOString()}`)
          }
          assert.strictEqual(tagOf(error), "DecodeError", String(error))
          assert.isAtMost((error as BelvoError.DecodeError).message.length, 2000)
        })
      )
    }
    it.live(`${endpoint}, expiry 1e999 (an infinite number token): DecodeError, no defect`, () =>
      Effect.gen(function* () {
        const body = JSON.stringify([item({ expiry: 0 })]).replace('"expiry":0', '"expiry":1e999')
        assert.include(body, '"expiry":1e999')
        const { exit } = yield* call428(endpoint, body)
        const error = failureOf(exit)
        assert.strictEqual(tagOf(error), "DecodeError", String(error))
      })
    )
  }

  it.live("the control: expiry 600 gives a challenge expiring 600 s after receipt", () =>
    Effect.gen(function* () {
      for (const transport of TRANSPORTS) {
        const { exit, before, after } = yield* call428("retrieve", [item()], transport)
        const error = failureOf(exit, transport)
        assert.strictEqual(tagOf(error), "TokenRequired", String(error))
        const { challenge } = error as BelvoError.TokenRequired
        const expiresAt = DateTime.toEpochMillis(challenge.expiresAt)
        assert.isAtLeast(expiresAt, before + 600_000)
        assert.isAtMost(expiresAt, after + 600_000)
        assert.strictEqual(challenge.session, SESSION)
        assert.strictEqual(challenge.link, LINK)
      }
    })
  )
})

describe("a 428 whose link is not the link asked for", () => {
  for (const link of ["../../x", `${LINK}\r\nInjected: 1`, "", "https://elsewhere.example/x"]) {
    for (const endpoint of ["retrieve", "resume"] as const) {
      it.live(`${endpoint}, link ${JSON.stringify(link)}: TokenRequired for the requested link`, () =>
        Effect.gen(function* () {
          const { exit } = yield* call428(endpoint, [item({ link })])
          const error = failureOf(exit)
          assert.strictEqual(tagOf(error), "TokenRequired", String(error))
          assert.strictEqual((error as BelvoError.TokenRequired).challenge.link, LINK)
        })
      )
    }
  }
})

describe("a 428 whose session is not 32 hex characters", () => {
  const sessions = {
    "with a header injected": "x\r\nInjected: 1",
    "33 hex characters": `${SESSION}a`,
    "31 hex characters": SESSION.slice(1),
    "32 characters, not hex": "z".repeat(32),
    "a path": "../../../api/other/",
    empty: ""
  }
  for (const [name, session] of Object.entries(sessions)) {
    it.live(`${name}: DecodeError`, () =>
      Effect.gen(function* () {
        for (const endpoint of ["retrieve", "resume"] as const) {
          const { exit } = yield* call428(endpoint, [item({ session })])
          const error = failureOf(exit, endpoint)
          assert.strictEqual(tagOf(error), "DecodeError", `${endpoint}: ${String(error)}`)
        }
      })
    )
  }
})

describe("good answers in other shapes", () => {
  it.live(
    'the older body, an object {"detail": "Token Required", session, expiry, link}: TokenRequired',
    () =>
      Effect.gen(function* () {
        for (const endpoint of ["retrieve", "resume"] as const) {
          const { exit } = yield* call428(endpoint, {
            detail: "Token Required",
            session: SESSION,
            expiry: 600,
            link: LINK
          })
          const error = failureOf(exit, endpoint)
          assert.strictEqual(tagOf(error), "TokenRequired", `${endpoint}: ${String(error)}`)
          const { challenge } = error as BelvoError.TokenRequired
          assert.strictEqual(challenge.session, SESSION)
          assert.strictEqual(challenge.expiry, 600)
          assert.strictEqual(challenge.link, LINK)
        }
      })
  )

  it.live("an item {code, message, session, expiry} without token_generation_data: TokenRequired", () =>
    Effect.gen(function* () {
      for (const endpoint of ["retrieve", "resume"] as const) {
        const body = [item({ token_generation_data: undefined, link: undefined, request_id: undefined })]
        assert.deepStrictEqual(Object.keys(body[0]!).sort(), ["code", "expiry", "message", "session"])
        const { exit } = yield* call428(endpoint, body)
        const error = failureOf(exit, endpoint)
        assert.strictEqual(tagOf(error), "TokenRequired", `${endpoint}: ${String(error)}`)
        const { challenge } = error as BelvoError.TokenRequired
        assert.strictEqual(challenge.session, SESSION)
        assert.strictEqual(challenge.link, LINK)
        assert.isUndefined(challenge.token_generation_data)
      }
    })
  )

  it.live("no 428 shape is a success or a defect", () =>
    Effect.gen(function* () {
      for (const body of ["", "[]", "{}", "null", "[null]", '[{"code":"token_required"}]', "[[[[", "x"]) {
        const { exit } = yield* call428("retrieve", body)
        assert.isTrue(Exit.isFailure(exit), body)
        const error = failureOf(exit, body)
        assert.strictEqual(tagOf(error), "DecodeError", `${body}: ${String(error)}`)
      }
    })
  )
})
