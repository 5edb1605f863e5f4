/**
 * Listings that lie: a `count` that undercounts, series that never end, `next` links to another
 * origin. At every concurrency the stream yields every item exactly once or fails with a typed
 * `PaginationError`: never a success with fewer items, never a runaway, never a request elsewhere.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import { Balances, type BelvoError } from "../src/index.js"
import {
  balanceIdOf,
  clientLayer,
  describeExit,
  failureOf,
  type HostileServer,
  LINK,
  pageOf,
  type Recorded,
  send,
  serve,
  tagOf,
  wireBalance,
  wirePage
} from "./hostile/server.js"

const CONCURRENCIES = [1, 2, 8] as const
const PAGE_SIZE = 2
const query = { link: LINK, page_size: PAGE_SIZE } as const

/** The most requests a listing that must be stopped may make. */
const MAX_REQUESTS = 200

/** The URL of page `page` on `server`. */
const pageUrl = (server: { readonly url: string }, page: number, path = "/api/br/balances/") =>
  `${server.url}${path}?link=${LINK}&page_size=${PAGE_SIZE}&page=${page}`

/** The two items of page `page`: ids 2·page−1 and 2·page. */
const itemsOf = (page: number) => [
  wireBalance({ id: balanceIdOf(2 * page - 1) }),
  wireBalance({ id: balanceIdOf(2 * page) })
]

type Answer = { readonly status: number; readonly body: unknown }

/** A server answering each page request with `answer(page)`. */
const servePages = (answer: (page: number, server: HostileServer, recorded: Recorded) => Answer) =>
  serve((recorded, response, self) => {
    const { status, body } = answer(pageOf(recorded), self, recorded)
    send(self, response, status, body)
  })

const invalidPage: Answer = { status: 404, body: { detail: "Invalid page." } }

const listAll = (server: HostileServer, concurrency: number) =>
  Stream.runCollect(Balances.list(query, { concurrency })).pipe(
    Effect.provide(clientLayer(server)),
    Effect.exit
  )

describe("a count that undercounts: six items over three pages, count 2", () => {
  const variants: Record<string, (page: number, server: HostileServer) => Answer> = {
    "pages 1 and 2 link on, page 3 ends": (page, server) =>
      page <= 3
        ? { status: 200, body: wirePage(2, page < 3 ? pageUrl(server, page + 1) : null, itemsOf(page)) }
        : invalidPage,
    "every page links on, page 4 is empty and ends": (page, server) =>
      page <= 3
        ? { status: 200, body: wirePage(2, pageUrl(server, page + 1), itemsOf(page)) }
        : page === 4
          ? { status: 200, body: wirePage(2, null, []) }
          : invalidPage
  }
  const all = [1, 2, 3, 4, 5, 6].map(balanceIdOf)
  for (const [name, answer] of Object.entries(variants)) {
    for (const concurrency of CONCURRENCIES) {
      it.live(`${name}, concurrency ${concurrency}: all six items once, or PaginationError`, () =>
        Effect.gen(function* () {
          const server = yield* servePages(answer)
          const exit = yield* listAll(server, concurrency)
          const seen = `requests: ${server.requests.map((r) => r.url).join(" ")}`
          if (Exit.isSuccess(exit)) {
            assert.deepStrictEqual(
              exit.value.map((balance) => balance.id),
              all,
              `a success must hold every item once, in order (${seen})`
            )
          } else {
            const error = failureOf(exit, seen)
            assert.strictEqual(tagOf(error), "PaginationError", `${String(error)} (${seen})`)
          }
          assert.isAtMost(server.requests.length, MAX_REQUESTS)
        })
      )
    }
  }
})

describe("series that never end stop with PaginationError Endless, well before the server's cap", () => {
  const series: Record<string, (page: number, server: HostileServer) => Answer> = {
    "count Number.MAX_SAFE_INTEGER, a fresh next on every page": (page, server) => ({
      status: 200,
      body: wirePage(Number.MAX_SAFE_INTEGER, pageUrl(server, page + 1), itemsOf(page))
    }),
    "count 2, two new items and a fresh next on every page": (page, server) => ({
      status: 200,
      body: wirePage(2, pageUrl(server, page + 1), itemsOf(page))
    }),
    "count 10, empty pages with a next forever": (page, server) => ({
      status: 200,
      body: wirePage(10, pageUrl(server, page + 1), [])
    }),
    "count 0, a next forever": (page, server) => ({
      status: 200,
      body: wirePage(0, pageUrl(server, page + 1), [])
    })
  }
  for (const [name, answer] of Object.entries(series)) {
    for (const concurrency of CONCURRENCIES) {
      it.live(`${name}, concurrency ${concurrency}`, () =>
        Effect.gen(function* () {
          const server = yield* servePages(answer)
          const exit = yield* listAll(server, concurrency)
          const seen = `${server.requests.length} requests, ${server.refused} refused at the cap`
          const error = failureOf(exit, seen)
          assert.strictEqual(tagOf(error), "PaginationError", `${String(error)} (${seen})`)
          assert.strictEqual((error as BelvoError.PaginationError).reason, "Endless", String(error))
          assert.isAtMost(server.requests.length, MAX_REQUESTS, seen)
          assert.strictEqual(server.refused, 0, seen)
        })
      )
    }
  }
})

describe("a next link off the configured base URL", () => {
  const links: Record<string, (foreign: HostileServer) => string> = {
    "another origin": (foreign) => pageUrl(foreign, 2),
    "another origin, protocol-relative": (foreign) => pageUrl(foreign, 2).replace(/^http:/, ""),
    "another origin with credentials in the URL": (foreign) =>
      pageUrl(foreign, 2).replace("//", "//user:pass@")
  }
  for (const [name, link] of Object.entries(links)) {
    for (const onPage of [1, 2]) {
      for (const concurrency of CONCURRENCIES) {
        it.live(
          `${name}, on page ${onPage}, concurrency ${concurrency}: CrossOrigin, nothing sent there`,
          () =>
            Effect.gen(function* () {
              const foreign = yield* serve((_, response, self) =>
                send(self, response, 200, wirePage(6, null, itemsOf(2)))
              )
              const server = yield* servePages((page, self) =>
                page <= 3
                  ? {
                      status: 200,
                      body: wirePage(
                        6,
                        page === onPage ? link(foreign) : page < 3 ? pageUrl(self, page + 1) : null,
                        itemsOf(page)
                      )
                    }
                  : invalidPage
              )
              const exit = yield* listAll(server, concurrency)
              const error = failureOf(exit, describeExit(exit))
              assert.strictEqual(tagOf(error), "PaginationError", String(error))
              assert.strictEqual((error as BelvoError.PaginationError).reason, "CrossOrigin", String(error))
              assert.deepStrictEqual(
                foreign.requests.map((r) => `${r.method} ${r.url} auth=${r.headers.authorization ?? "none"}`),
                [],
                "the foreign origin saw a request"
              )
              assert.isAtMost(server.requests.length, 3)
            })
        )
      }
    }
  }

  it.live("same origin, off the base URL's path: CrossOrigin, nothing sent there", () =>
    Effect.gen(function* () {
      const server = yield* serve((recorded, response, self) => {
        const page = pageOf(recorded)
        send(
          self,
          response,
          200,
          wirePage(4, page === 1 ? pageUrl(self, 2, "/elsewhere/api/br/balances/") : null, itemsOf(page))
        )
      })
      for (const concurrency of CONCURRENCIES) {
        const exit = yield* Stream.runCollect(Balances.list(query, { concurrency })).pipe(
          Effect.provide(clientLayer({ url: `${server.url}/proxy/` })),
          Effect.exit
        )
        const error = failureOf(exit, `concurrency ${concurrency}`)
        assert.strictEqual(tagOf(error), "PaginationError", String(error))
        assert.strictEqual((error as BelvoError.PaginationError).reason, "CrossOrigin", String(error))
      }
      assert.deepStrictEqual(
        server.requests.filter((r) => !r.url.startsWith("/proxy/")).map((r) => r.url),
        [],
        "a request left the base URL's path"
      )
    })
  )
})
