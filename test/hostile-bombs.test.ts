/**
 * Decompression bombs over real sockets: a small compressed body that inflates to ~500 MB must end
 * in a `DecodeError` saying the body is too large, after decoding, on both transports, without the
 * process holding anything near the inflated size.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Balances, type BelvoError } from "../src/index.js"
import {
  BALANCE_ID,
  type Call,
  clientLayer,
  compressedBomb,
  type Encoding,
  failureOf,
  LINK,
  serve,
  sendBomb,
  streamBomb,
  TRANSPORTS,
  tagOf,
  withRssSampling
} from "./hostile/server.js"

/** What a bomb inflates to. */
const INFLATED = 500_000_000
/** The client's limit: a correct client stops about here. */
const LIMIT = 1024 * 1024
/** A safety bound on the process's growth during one call, far above the limit, far below the bomb. */
const GROWTH_BOUND = 200 * 1024 * 1024

type Endpoint = "get" | "listPage" | "list"

const endpoints: Record<Endpoint, Call> = {
  get: Balances.get(BALANCE_ID),
  listPage: Balances.listPage({ link: LINK, page_size: 2 }),
  list: Stream.runCollect(Balances.list({ link: LINK, page_size: 2 }))
}

const assertTooLarge = (error: unknown, context: string) => {
  assert.strictEqual(tagOf(error), "DecodeError", `${context}: ${String(error)}`)
  const decode = error as BelvoError.DecodeError
  // fetch decodes and stops at the limit; undici hands the encoded bytes on, which are refused as such.
  assert.match(
    decode.reason,
    /too large|not decoded by the HTTP client/i,
    `${context}: reason ${JSON.stringify(decode.reason.slice(0, 300))}`
  )
  assert.isAtMost(decode.message.length, 2000, `${context}: message length`)
  assert.isAtMost(decode.body.length, 2000, `${context}: body length`)
}

const MiB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

describe("decompression bombs with a correct Content-Length", () => {
  for (const transport of TRANSPORTS) {
    for (const encoding of ["gzip", "deflate", "br"] as const satisfies ReadonlyArray<Encoding>) {
      for (const endpoint of ["get", "listPage"] as const satisfies ReadonlyArray<Endpoint>) {
        it.live(`${transport}, ${encoding}, ${endpoint}: DecodeError "too large", memory bounded`, () =>
          Effect.gen(function* () {
            const bomb = yield* Effect.promise(() => compressedBomb(encoding, INFLATED))
            assert.isBelow(bomb.length, LIMIT, "the compressed bomb itself is within the limit")
            const server = yield* serve((_, response, self) => sendBomb(self, response, encoding, INFLATED))
            const { exit, growth } = yield* withRssSampling(
              endpoints[endpoint].pipe(
                Effect.provide(clientLayer(server, transport, { maxResponseBytes: LIMIT }))
              )
            )
            const context = `${transport} ${encoding} ${endpoint} (${bomb.length} compressed bytes, rss +${MiB(growth)})`
            assertTooLarge(failureOf(exit, context), context)
            assert.isBelow(growth, GROWTH_BOUND, `${context}: the process grew by ${MiB(growth)}`)
            assert.strictEqual(server.requests.length, 1, `${context}: requests`)
          })
        )
      }
    }
  }
})

describe("a chunked gzip bomb (no Content-Length), generated as it is sent", () => {
  for (const transport of TRANSPORTS) {
    for (const endpoint of ["get", "listPage", "list"] as const satisfies ReadonlyArray<Endpoint>) {
      it.live(`${transport}, ${endpoint}: DecodeError "too large", the client hangs up early`, () =>
        Effect.gen(function* () {
          const server = yield* serve((_, response, self) => streamBomb(self, response, "gzip", INFLATED))
          const { exit, growth } = yield* withRssSampling(
            endpoints[endpoint].pipe(
              Effect.provide(clientLayer(server, transport, { maxResponseBytes: LIMIT }))
            )
          )
          const context = `${transport} gzip chunked ${endpoint} (server sent ${server.bytesSent} bytes, generated ${MiB(server.inflatedGenerated)} inflated; rss +${MiB(growth)})`
          assertTooLarge(failureOf(exit, context), context)
          assert.isBelow(growth, GROWTH_BOUND, `${context}: the process grew by ${MiB(growth)}`)
          assert.strictEqual(server.requests.length, 1, `${context}: requests`)
          // The server generates lazily and stops when the client hangs up: a client that stopped at
          // the limit left most of the bomb ungenerated.
          assert.isBelow(server.inflatedGenerated, INFLATED / 2, `${context}: the client read on`)
        })
      )
    }
  }
})
