/**
 * Values inside a 2xx body that a lenient decoder would get wrong: amounts too big to compute with,
 * amounts under JSON-escaped keys (which a text pattern cannot see), amounts past the documented
 * bound (18 integer digits, 8 decimal places), and timestamps `Date` would guess at, or read in the
 * process time zone.
 */
import { execFile } from "node:child_process"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { Balances } from "../src/index.js"
import { AMOUNT_RULE } from "../src/internal/amount.js"
import {
  BALANCE_ID,
  clientLayer,
  describeExit,
  failureOf,
  LINK,
  send,
  serve,
  TRANSPORTS,
  tagOf,
  wireBalance,
  wirePage
} from "./hostile/server.js"

/** A balance's JSON text with `available` written as the raw token `amount`. */
const balanceText = (amount: string, key = "available") => {
  const text = JSON.stringify(wireBalance({ available: "@AMOUNT@" }))
  return text.replace('"available":"@AMOUNT@"', `"${key}":${amount}`)
}

/** Answers `get` with the balance text and `listPage` with a page holding it. */
const serveBalance = (balance: string) =>
  serve((recorded, response, self) => {
    const isPage = recorded.url.startsWith("/api/br/balances/?")
    const body = isPage
      ? JSON.stringify(wirePage(1, null, [])).replace('"results":[]', `"results":[${balance}]`)
      : balance
    send(self, response, 200, body)
  })

/** The `available` of `get` and of `listPage`'s only item, over `transport`, as exits. */
const decodeAvailable = (balance: string, transport: (typeof TRANSPORTS)[number] = "fetch") =>
  Effect.gen(function* () {
    const server = yield* serveBalance(balance)
    const layer = clientLayer(server, transport)
    const get = yield* Effect.exit(
      Effect.map(Balances.get(BALANCE_ID), (b) => b.available).pipe(Effect.provide(layer))
    )
    const page = yield* Effect.exit(
      Effect.map(Balances.listPage({ link: LINK }), (p) => p.results[0]?.available).pipe(
        Effect.provide(layer)
      )
    )
    return { get, page }
  })

describe("amounts no decimal type should be built from", () => {
  const hostile = {
    '"1e999999999" (a string)': '"1e999999999"',
    '"1e100000000" (a string)': '"1e100000000"',
    '"-1e999999999" (a string)': '"-1e999999999"',
    '"1e-999999999" (a string)': '"1e-999999999"',
    "1e999 (a number token)": "1e999",
    "1e999999999 (a number token)": "1e999999999",
    "1e0000000000000000999999999 (a long number token)": "1e0000000000000000999999999",
    "a 100,000-digit number token": `1${"0".repeat(100_000)}`
  }
  for (const [name, token] of Object.entries(hostile)) {
    it.live(`${name}: DecodeError, promptly`, () =>
      Effect.gen(function* () {
        for (const transport of TRANSPORTS) {
          const { get, page } = yield* decodeAvailable(balanceText(token), transport)
          for (const [endpoint, exit] of [
            ["get", get],
            ["listPage", page]
          ] as const) {
            const error = failureOf(exit, `${transport} ${endpoint}`)
            assert.strictEqual(tagOf(error), "DecodeError", `${transport} ${endpoint}: ${String(error)}`)
          }
        }
      })
    )
  }
})

describe("amounts beyond the documented bound: at most 18 integer digits and 8 decimal places", () => {
  const beyond = {
    "20 integer digits (string)": '"12345678901234567890"',
    "20 integer digits (number token)": "12345678901234567890",
    "19 integer digits (string)": '"1234567890123456789"',
    "19 integer digits with decimals (number token)": "1234567890123456789.5",
    "-19 integer digits (string)": '"-1234567890123456789"',
    "12 decimal places (string)": '"1.123456789012"',
    "12 decimal places (number token)": "1.123456789012",
    "9 decimal places (string)": '"0.123456789"',
    "9 decimal places, -0.000000001 (number token)": "-0.000000001",
    "an exponent that lands past 18 digits (string)": '"1.5e18"'
  }
  for (const [name, token] of Object.entries(beyond)) {
    it.live(`${name}: DecodeError`, () =>
      Effect.gen(function* () {
        const { get, page } = yield* decodeAvailable(balanceText(token))
        for (const [endpoint, exit] of [
          ["get", get],
          ["listPage", page]
        ] as const) {
          const error = failureOf(exit, endpoint)
          assert.strictEqual(tagOf(error), "DecodeError", `${endpoint}: ${String(error)}`)
          // The message states the rule, not only that an amount was expected.
          assert.include((error as { message: string }).message, `Expected ${AMOUNT_RULE}`, endpoint)
        }
      })
    )
  }

  const within = {
    "18 integer digits and 8 decimal places, negative (number token)": [
      "-999999999999999999.99999999",
      "-999999999999999999.99999999"
    ],
    "18 integer digits and 8 decimal places (string)": [
      '"123456789012345678.12345678"',
      "123456789012345678.12345678"
    ],
    "8 decimal places written with an exponent (string)": ['"1.2345678e-1"', "0.12345678"],
    "trailing zeros past 8 places that do not count (string)": ['"1.500000000000"', "1.5"],
    "negative cents (number token)": ["-0.01", "-0.01"]
  } as const
  for (const [name, [token, expected]] of Object.entries(within)) {
    it.live(`${name}: decoded exactly`, () =>
      Effect.gen(function* () {
        const { get, page } = yield* decodeAvailable(balanceText(token))
        for (const [endpoint, exit] of [
          ["get", get],
          ["listPage", page]
        ] as const) {
          assert.isTrue(Exit.isSuccess(exit), `${endpoint}: ${describeExit(exit)}`)
          if (Exit.isSuccess(exit)) {
            const value = exit.value
            assert.isTrue(BigDecimal.isBigDecimal(value), endpoint)
            assert.strictEqual(BigDecimal.format(value as BigDecimal.BigDecimal), expected, endpoint)
          }
        }
      })
    )
  }
})

describe("an amount under a JSON-escaped key keeps every digit", () => {
  const escaped = {
    '"avail\\u0061ble": 12345678901234567.89': ["avail\\u0061ble", "12345678901234567.89"],
    '"\\u0061vailable": 12345678901234567.89': ["\\u0061vailable", "12345678901234567.89"],
    '"available" (plain key) with an escape elsewhere: 98765432109876543.21': [
      "available",
      "98765432109876543.21"
    ],
    '"avail\\u0061ble": 0.30000000000000004 (8+ decimals: refused, never rounded)': [
      "avail\\u0061ble",
      "0.30000000000000004"
    ]
  } as const
  for (const [name, [key, amount]] of Object.entries(escaped)) {
    it.live(`${name}: the exact decimal or DecodeError, never a rounded value`, () =>
      Effect.gen(function* () {
        let balance = JSON.stringify(wireBalance({ available: "@AMOUNT@" }))
        balance = balance.replace('"available":"@AMOUNT@"', `"${key}":${amount}`)
        // An escape elsewhere, so a body-wide test for "\u" cannot tell the cases apart.
        balance = balance.replace('"currency":"BRL"', '"currency":"\\u0042RL"')
        assert.include(balance, `"${key}":${amount}`)
        for (const transport of TRANSPORTS) {
          const { get, page } = yield* decodeAvailable(balance, transport)
          for (const [endpoint, exit] of [
            ["get", get],
            ["listPage", page]
          ] as const) {
            const context = `${transport} ${endpoint}`
            if (Exit.isSuccess(exit)) {
              const value = exit.value as BigDecimal.BigDecimal
              assert.isTrue(BigDecimal.isBigDecimal(value), context)
              assert.isTrue(
                BigDecimal.equals(value, BigDecimal.fromStringUnsafe(amount)),
                `${context}: ${BigDecimal.format(value)} instead of ${amount}`
              )
            } else {
              assert.strictEqual(tagOf(failureOf(exit, context)), "DecodeError", context)
            }
          }
        }
      })
    )
  }

  it.live(
    '"avail\\u0061ble": 12345678901234567.89 with the plain "available" also present: never a rounded value',
    () =>
      Effect.gen(function* () {
        // Repeated keys: JSON.parse keeps the last, which is the escaped one here.
        const balance = balanceText("1.5").replace(
          '"available":1.5',
          '"available":1.5,"avail\\u0061ble":12345678901234567.89'
        )
        const { get } = yield* decodeAvailable(balance)
        if (Exit.isSuccess(get)) {
          const value = get.value as BigDecimal.BigDecimal
          const text = BigDecimal.format(value)
          assert.include(["1.5", "12345678901234567.89"], text, `decoded ${text}`)
        } else {
          assert.strictEqual(tagOf(failureOf(get)), "DecodeError")
        }
      })
  )
})

// ---------------------------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------------------------

const INVALID_TIMESTAMPS = [
  "1",
  "May 21, 2024",
  "2024-05-21 08:32:00",
  "2024-02-30T00:00:00Z",
  "Zebra 2024",
  "2024-05-21T08:32:00",
  "2024-05-21",
  "2024-05-21T24:00:00Z",
  "2024-05-21T08:32:60Z",
  "2024-05-21T08:32:00+25:00",
  "2023-02-29T00:00:00Z",
  "Tue, 21 May 2024 08:32:00 GMT",
  "2024-05-21T08:32:00Z ",
  "+002024-05-21T08:32:00Z",
  ""
] as const

const VALID_TIMESTAMPS = {
  "2024-05-21T08:32:00Z": Date.UTC(2024, 4, 21, 8, 32, 0),
  "2024-05-21T05:32:00-03:00": Date.UTC(2024, 4, 21, 8, 32, 0),
  "2024-05-21T08:32:00.123456789+00:00": Date.UTC(2024, 4, 21, 8, 32, 0, 123),
  "2024-05-21T08:32:00.1Z": Date.UTC(2024, 4, 21, 8, 32, 0, 100),
  "2024-05-21T17:32:00+09:00": Date.UTC(2024, 4, 21, 8, 32, 0),
  "2024-02-29T23:59:59Z": Date.UTC(2024, 1, 29, 23, 59, 59),
  "2024-03-10T02:30:00-05:00": Date.UTC(2024, 2, 10, 7, 30, 0)
} as const

/** Answers `get` with a balance whose `collected_at` is `timestamp`. */
const decodeCollectedAt = (timestamp: string) =>
  Effect.gen(function* () {
    const server = yield* serve((_, response, self) =>
      send(self, response, 200, wireBalance({ collected_at: timestamp }))
    )
    return yield* Effect.exit(
      Effect.map(Balances.get(BALANCE_ID), (b) => b.collected_at).pipe(Effect.provide(clientLayer(server)))
    )
  })

describe("timestamps", () => {
  for (const timestamp of INVALID_TIMESTAMPS) {
    it.live(`${JSON.stringify(timestamp)}: DecodeError`, () =>
      Effect.gen(function* () {
        const exit = yield* decodeCollectedAt(timestamp)
        const error = failureOf(exit, timestamp)
        assert.strictEqual(tagOf(error), "DecodeError", String(error))
      })
    )
  }

  for (const [timestamp, millis] of Object.entries(VALID_TIMESTAMPS)) {
    it.live(`${timestamp}: ${new Date(millis).toISOString()}`, () =>
      Effect.gen(function* () {
        const exit = yield* decodeCollectedAt(timestamp)
        assert.isTrue(Exit.isSuccess(exit), describeExit(exit))
        if (Exit.isSuccess(exit)) assert.strictEqual(DateTime.toEpochMillis(exit.value), millis)
      })
    )
  }

  it.live("decoding does not depend on the process time zone (TZ=UTC, America/Sao_Paulo, Asia/Tokyo)", () =>
    Effect.gen(function* () {
      const inputs = [...Object.keys(VALID_TIMESTAMPS), ...INVALID_TIMESTAMPS]
      const expected = [...Object.values(VALID_TIMESTAMPS), ...INVALID_TIMESTAMPS.map(() => "error")]
      const root = path.resolve(import.meta.dirname, "..")
      const tsx = path.join(root, "node_modules", ".bin", "tsx")
      const script = path.join(root, "test", "hostile", "timestamps.ts")
      const run = (tz: string) =>
        Effect.callback<string, Error>((resume) => {
          const child = execFile(
            tsx,
            [script, JSON.stringify(inputs)],
            {
              cwd: root,
              timeout: 20_000,
              // The repo's Node first on PATH, for tsx's `#!/usr/bin/env node`.
              env: {
                ...process.env,
                TZ: tz,
                PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`
              }
            },
            (error, stdout, stderr) =>
              resume(
                error === null
                  ? Effect.succeed(stdout)
                  : Effect.fail(new Error(`${tz}: ${error.message} ${stderr}`))
              )
          )
          return Effect.sync(() => child.kill())
        })
      const outputs = yield* Effect.forEach(["UTC", "America/Sao_Paulo", "Asia/Tokyo"], run, {
        concurrency: "unbounded"
      })
      const parsed = outputs.map(
        (output) => JSON.parse(output) as { tz: string; outputs: ReadonlyArray<number | string> }
      )
      assert.deepStrictEqual(
        parsed.map((p) => p.tz),
        ["UTC", "America/Sao_Paulo", "Asia/Tokyo"],
        "each child ran in its time zone"
      )
      for (const { tz, outputs } of parsed) {
        assert.deepStrictEqual(
          Object.fromEntries(inputs.map((input, i) => [input, outputs[i]])),
          Object.fromEntries(inputs.map((input, i) => [input, expected[i]])),
          tz
        )
      }
    })
  )
})
