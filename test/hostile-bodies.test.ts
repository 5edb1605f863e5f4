/**
 * Deeply nested and huge bodies at every status on every endpoint: always a typed error, never a
 * defect, and what the error keeps of the body (message, detail, body, reason) stays short.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Cause from "effect/Cause"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import { Balances } from "../src/index.js"
import {
  BALANCE_ID,
  type Call,
  checkProperty,
  clientLayer,
  describeExit,
  type HostileServer,
  LINK,
  send,
  serve,
  tagOf,
  validChallenge
} from "./hostile/server.js"

const STATUSES = [200, 400, 404, 428, 500, 503] as const

type Endpoint = "retrieve" | "resume" | "get" | "listPage" | "list"

const endpoints: Record<Endpoint, () => Call> = {
  retrieve: () => Balances.retrieve({ link: LINK }),
  resume: () => Balances.resume(validChallenge(), "123456"),
  get: () => Balances.get(BALANCE_ID),
  listPage: () => Balances.listPage({ link: LINK, page_size: 2 }),
  list: () => Stream.runCollect(Balances.list({ link: LINK, page_size: 2 }))
}
const ENDPOINTS = Object.keys(endpoints) as ReadonlyArray<Endpoint>

/** The longest any text an error keeps of a body may be. */
const MAX_TEXT = 2000

const FIVE_MB = 5 * 1024 * 1024

const bodies: Record<string, () => string> = {
  "3,000 unclosed [": () => "[".repeat(3000),
  "3,000 nested [ ], closed": () => `${"[".repeat(3000)}${"]".repeat(3000)}`,
  '3,000 unclosed {"a":': () => '{"a":'.repeat(3000),
  '3,000 nested {"a": }, closed': () => `${'{"a":'.repeat(3000)}1${"}".repeat(3000)}`,
  "100,000 nested [ ], closed": () => `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
  "a 5 MB JSON string": () => JSON.stringify("x".repeat(FIVE_MB)),
  "a 5 MB non-JSON body": () => `<html>${"y".repeat(FIVE_MB)}`,
  "an error item whose message is 5 MB": () =>
    JSON.stringify([{ code: "invalid", message: "m".repeat(FIVE_MB), request_id: null }]),
  "an error item whose code is 5 MB": () => JSON.stringify([{ code: "c".repeat(FIVE_MB), message: "bad" }])
}

/** A server answering `current()`'s status and body to every request. */
const serveCurrent = (current: () => { readonly status: number; readonly body: string }) =>
  serve((_, response, self) => {
    const { status, body } = current()
    send(self, response, status, body)
  })

/** Why the outcome of one call breaks the promise, or `undefined`. */
const problemOf = (exit: Exit.Exit<unknown, unknown>): string | undefined => {
  if (Exit.isSuccess(exit)) return `succeeded: ${describeExit(exit)}`
  if (Cause.hasDies(exit.cause)) return `a defect: ${describeExit(exit)}`
  const error = Cause.findErrorOption(exit.cause)
  if (error._tag === "None") return `no typed error: ${describeExit(exit)}`
  const fields = error.value as Record<string, unknown>
  const long: Array<string> = []
  for (const field of ["message", "detail", "body", "reason", "code"]) {
    const value = fields[field]
    if (typeof value === "string" && value.length > MAX_TEXT) long.push(`${field} has ${value.length} chars`)
  }
  return long.length === 0 ? undefined : `${tagOf(error.value)}: ${long.join(", ")}`
}

/** Calls every endpoint at every status with `body`; the problems found, one line each. */
const sweep = (server: HostileServer, state: { status: number; body: string }, body: string) =>
  Effect.gen(function* () {
    const problems: Array<string> = []
    for (const status of STATUSES) {
      for (const endpoint of ENDPOINTS) {
        state.status = status
        state.body = body
        const exit = yield* Effect.exit(endpoints[endpoint]().pipe(Effect.provide(clientLayer(server))))
        const problem = problemOf(exit)
        if (problem !== undefined) problems.push(`${status} ${endpoint}: ${problem}`)
      }
    }
    return problems
  })

describe("deep and huge bodies at 200, 400, 404, 428, 500, 503 on every endpoint", () => {
  for (const [name, make] of Object.entries(bodies)) {
    it.live(`${name}: a typed error with bounded texts, never a defect`, () =>
      Effect.gen(function* () {
        const state = { status: 200, body: "" }
        const server = yield* serveCurrent(() => state)
        const problems = yield* sweep(server, state, make())
        assert.deepStrictEqual(problems, [], `${name}:\n${problems.join("\n")}`)
        assert.strictEqual(server.requests.length, STATUSES.length * ENDPOINTS.length, "one request per call")
      })
    )
  }
})

describe("a property over generated deep or large bodies", () => {
  const deep = fc
    .record({
      depth: fc.integer({ min: 1, max: 20_000 }),
      opener: fc.constantFrom("[", '{"a":', '[{"code":"x","message":'),
      closed: fc.boolean()
    })
    .map(({ depth, opener, closed }) => {
      const closer = opener === "[" ? "]" : opener === '{"a":' ? "}" : "}]"
      return closed ? `${opener.repeat(depth)}0${closer.repeat(depth)}` : opener.repeat(depth)
    })
  const large = fc
    .record({
      size: fc.integer({ min: 1000, max: 2 * 1024 * 1024 }),
      shape: fc.constantFrom("string", "text", "item message", "array of items")
    })
    .map(({ size, shape }) =>
      shape === "string"
        ? JSON.stringify("s".repeat(size))
        : shape === "text"
          ? "t".repeat(size)
          : shape === "item message"
            ? JSON.stringify([{ code: "invalid", message: "m".repeat(size) }])
            : JSON.stringify(
                Array.from({ length: Math.ceil(size / 40) }, (_, i) => ({ code: `c${i}`, message: "m" }))
              )
    )
  const cases = fc.record({
    body: fc.oneof(deep, large),
    status: fc.constantFrom(...STATUSES, 401, 403, 408, 429, 502),
    endpoint: fc.constantFrom(...ENDPOINTS)
  })

  it.live("any such body, status and endpoint: a typed error with bounded texts", () =>
    Effect.gen(function* () {
      const state = { status: 200, body: "" }
      const server = yield* serveCurrent(() => state)
      yield* checkProperty(
        cases,
        ({ body, status, endpoint }) =>
          Effect.gen(function* () {
            state.status = status
            state.body = body
            const exit = yield* Effect.exit(endpoints[endpoint]().pipe(Effect.provide(clientLayer(server))))
            const problem = problemOf(exit)
            assert.isUndefined(problem, `${status} ${endpoint} (${body.length} chars): ${problem}`)
          }),
        { numRuns: 30 }
      )
    })
  )
})
