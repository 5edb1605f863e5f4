/**
 * Input is checked, and bounded, before anything is sent: a megabyte id, a tampered challenge, a
 * retry policy that would loop for ever. Each is refused (`InvalidQuery` per call, `ConfigError`
 * for the layer) with a short message, and the server sees no request.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import { Balances, BelvoClient, type MfaChallenge } from "../src/index.js"
import {
  BALANCE_ID,
  type Call,
  clientLayer,
  failureOf,
  LINK,
  SESSION,
  send,
  serve,
  TRANSPORTS,
  tagOf,
  validChallenge,
  wireBalance
} from "./hostile/server.js"

const MEGABYTE = "x".repeat(1_000_000)
const MAX_MESSAGE = 500

/** Runs `call` against a server that would answer 200; the exit and how many requests it saw. */
const callOnce = (call: Call, transport: (typeof TRANSPORTS)[number] = "fetch", options = {}) =>
  Effect.gen(function* () {
    const server = yield* serve((_, response, self) => send(self, response, 200, wireBalance()))
    const exit = yield* Effect.exit(call.pipe(Effect.provide(clientLayer(server, transport, options))))
    return { exit, requests: server.requests.length }
  })

const assertRefused = (
  result: { readonly exit: Exit.Exit<unknown, unknown>; readonly requests: number },
  tag: "InvalidQuery" | "ConfigError",
  context: string
) => {
  const error = failureOf(result.exit, context)
  assert.strictEqual(tagOf(error), tag, `${context}: ${String(error).slice(0, 300)}`)
  const message = String((error as { readonly message: unknown }).message)
  assert.isAtMost(message.length, MAX_MESSAGE, `${context}: a message of ${message.length} characters`)
  assert.isAtMost(
    String(error).length,
    MAX_MESSAGE + 100,
    `${context}: String(error) of ${String(error).length}`
  )
  if (Exit.isFailure(result.exit)) {
    const pretty = Cause.pretty(result.exit.cause)
    assert.isAtMost(pretty.length, 20_000, `${context}: Cause.pretty of ${pretty.length} characters`)
  }
  assert.strictEqual(result.requests, 0, `${context}: a request was sent`)
}

describe("a huge id or link is refused before sending, with a short message", () => {
  const calls: Record<string, Call> = {
    "get(1 MB id)": Balances.get(MEGABYTE),
    "get(1 MB id of hex and dashes)": Balances.get(`${BALANCE_ID}${"-0".repeat(500_000)}`),
    "listPage({ link: 1 MB })": Balances.listPage({ link: MEGABYTE }),
    "list({ link: 1 MB })": Stream.runCollect(Balances.list({ link: MEGABYTE })),
    "retrieve({ link: 1 MB })": Balances.retrieve({ link: MEGABYTE }),
    "retrieve({ link, account_id: 1 MB })": Balances.retrieve({ link: LINK, account_id: MEGABYTE }),
    "resume(challenge, 1 MB token)": Balances.resume(validChallenge(), MEGABYTE)
  }
  for (const [name, call] of Object.entries(calls)) {
    it.live(`${name}: InvalidQuery, message <= ${MAX_MESSAGE} characters, nothing sent`, () =>
      Effect.gen(function* () {
        assertRefused(yield* callOnce(call), "InvalidQuery", name)
      })
    )
  }
})

describe("a tampered challenge is refused before sending", () => {
  const tampered: Record<string, () => MfaChallenge.MfaChallenge> = {
    'link "../../x"': () => ({ ...validChallenge(), link: "../../x" }) as MfaChallenge.MfaChallenge,
    "link with CRLF": () =>
      ({ ...validChallenge(), link: `${LINK}\r\nInjected: 1` }) as MfaChallenge.MfaChallenge,
    "link of 1 MB": () => ({ ...validChallenge(), link: MEGABYTE }) as MfaChallenge.MfaChallenge,
    "session with CRLF": () =>
      ({ ...validChallenge(), session: "x\r\nInjected: 1" }) as MfaChallenge.MfaChallenge,
    "session of 33 hex": () => ({ ...validChallenge(), session: `${SESSION}a` }) as MfaChallenge.MfaChallenge,
    "session of 1 MB": () =>
      ({ ...validChallenge(), session: "a".repeat(1_000_000) }) as MfaChallenge.MfaChallenge,
    "session a number": () => ({ ...validChallenge(), session: 42 }) as unknown as MfaChallenge.MfaChallenge,
    "not an object": () => null as unknown as MfaChallenge.MfaChallenge
  }
  for (const [name, make] of Object.entries(tampered)) {
    it.live(`resume with a challenge whose ${name}: InvalidQuery, nothing sent`, () =>
      Effect.gen(function* () {
        for (const transport of TRANSPORTS) {
          assertRefused(
            yield* callOnce(Balances.resume(make(), "123456"), transport),
            "InvalidQuery",
            `${name} (${transport})`
          )
        }
      })
    )
  }

  it.live("the control: the untampered challenge is sent", () =>
    Effect.gen(function* () {
      const server = yield* serve((_, response, self) => send(self, response, 200, [wireBalance()]))
      const exit = yield* Effect.exit(
        Balances.resume(validChallenge(), "123456").pipe(Effect.provide(clientLayer(server)))
      )
      assert.isTrue(Exit.isSuccess(exit))
      assert.strictEqual(server.requests.length, 1)
      assert.deepStrictEqual(JSON.parse(server.requests[0]!.body), {
        session: SESSION,
        token: "123456",
        link: LINK,
        save_data: true
      })
    })
  )
})

describe("a retry policy that could loop is refused", () => {
  const policies: Record<string, BelvoClient.RetryPolicy> = {
    "maxRetries 1.5": { ...BelvoClient.defaultRetryPolicy, maxRetries: 1.5 },
    "maxRetries 1e9": { ...BelvoClient.defaultRetryPolicy, maxRetries: 1e9 },
    "maxRetries Infinity": { ...BelvoClient.defaultRetryPolicy, maxRetries: Number.POSITIVE_INFINITY },
    "maxRetries NaN": { ...BelvoClient.defaultRetryPolicy, maxRetries: Number.NaN },
    "maxRetries -1": { ...BelvoClient.defaultRetryPolicy, maxRetries: -1 },
    "baseDelay 0": { ...BelvoClient.defaultRetryPolicy, baseDelay: 0 },
    "maxDelay Infinity": { ...BelvoClient.defaultRetryPolicy, maxDelay: Number.POSITIVE_INFINITY }
  }
  for (const [name, retry] of Object.entries(policies)) {
    it.live(`${name} in the layer: ConfigError when it is built, nothing sent`, () =>
      Effect.gen(function* () {
        assertRefused(yield* callOnce(Balances.get(BALANCE_ID), "fetch", { retry }), "ConfigError", name)
      })
    )

    it.live(`${name} per call: InvalidQuery, nothing sent`, () =>
      Effect.gen(function* () {
        const calls: Record<string, Call> = {
          get: Balances.get(BALANCE_ID, {}, { retry }),
          listPage: Balances.listPage({ link: LINK }, { retry }),
          list: Stream.runCollect(Balances.list({ link: LINK }, { retry })),
          retrieve: Balances.retrieve({ link: LINK }, { retry })
        }
        for (const [endpoint, call] of Object.entries(calls)) {
          assertRefused(yield* callOnce(call), "InvalidQuery", `${name}, ${endpoint}`)
        }
      })
    )
  }

  it.live("timeouts of 0, a negative or an infinite duration per call: InvalidQuery, nothing sent", () =>
    Effect.gen(function* () {
      for (const attemptTimeout of [0, -1, Number.POSITIVE_INFINITY, Number.NaN]) {
        for (const options of [{ attemptTimeout }, { callTimeout: attemptTimeout }]) {
          const result = yield* callOnce(Balances.get(BALANCE_ID, {}, options))
          assertRefused(result, "InvalidQuery", `${Object.keys(options)[0]} ${attemptTimeout}`)
        }
      }
    })
  )

  it.live("the control: the default policy's call is sent", () =>
    Effect.gen(function* () {
      const { exit, requests } = yield* callOnce(
        Balances.get(BALANCE_ID, {}, { retry: BelvoClient.defaultRetryPolicy })
      )
      assert.isTrue(Exit.isSuccess(exit))
      assert.strictEqual(requests, 1)
    })
  )
})
