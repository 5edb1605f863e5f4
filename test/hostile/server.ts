/**
 * A hostile HTTP server for the client's tests: a raw `node:http` server on 127.0.0.1, started and
 * stopped with the test's scope, that answers each request with whatever a test's handler writes
 * (any status, header, content-encoding, a body that never ends, a socket cut short). It records
 * every request (method, URL, headers, body) so a test can assert what was, or was not, sent.
 *
 * Bounded on purpose, so a client that misbehaves ends its test instead of hanging it: after
 * `maxRequests` requests, or past `deadlineMillis`, every request is refused with a 410 whose
 * body names the cap; streamed bodies stop at their own byte cap or when the client hangs up.
 *
 * Also here: the client under test built with the public API over both transports, and the
 * probes the tests share (an `Exit` read without defects, a memory sampler, a log and span recorder).
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { Readable, Transform } from "node:stream"
import { pipeline } from "node:stream/promises"
import * as zlib from "node:zlib"
import { assert } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { BelvoClient, MfaChallenge } from "../../src/index.js"

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/** One request as the server received it. */
export interface Recorded {
  readonly index: number
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  /** The request body, at most 1 MiB of it, as text. */
  readonly body: string
}

/** Answers one request; `recorded` is the request, already read. */
export type Handler = (
  recorded: Recorded,
  response: http.ServerResponse,
  server: HostileServer
) => void | Promise<void>

/** What a test sees of a running server. */
export interface HostileServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string
  /** Every request, in arrival order, refused ones included. */
  readonly requests: ReadonlyArray<Recorded>
  /** Requests refused for the cap or the deadline. */
  readonly refused: number
  /** Bytes of body the handlers managed to write (streamed bodies count as they go). */
  readonly bytesSent: number
  /** Inflated bytes the streamed bombs generated before they stopped. */
  readonly inflatedGenerated: number
  /** Adds to the counters; used by the body helpers below. */
  readonly count: (sent: number, inflated?: number) => void
}

export interface ServeOptions {
  /** Requests answered before every further one is refused with a 410. Default 300. */
  readonly maxRequests?: number
  /** Milliseconds after start past which every request is refused and streams stop. Default 25 s. */
  readonly deadlineMillis?: number
}

/** The 410 every request past the cap or deadline gets: a status no endpoint retries. */
export const CAP_STATUS = 410

const MAX_RECORDED_BODY = 1024 * 1024

/** Starts a hostile server on 127.0.0.1 for the current scope; closed (every socket) at its end. */
export const serve = (
  handler: Handler,
  options: ServeOptions = {}
): Effect.Effect<HostileServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => start(handler, options)),
    ({ close }) => Effect.promise(close)
  ).pipe(Effect.map(({ server }) => server))

const start = (handler: Handler, options: ServeOptions) =>
  new Promise<{ readonly server: HostileServer; readonly close: () => Promise<void> }>((resolve, reject) => {
    const maxRequests = options.maxRequests ?? 300
    const deadline = Date.now() + (options.deadlineMillis ?? 25_000)
    const requests: Array<Recorded> = []
    let refused = 0
    let bytesSent = 0
    let inflatedGenerated = 0
    let url = ""
    const state: HostileServer = {
      get url() {
        return url
      },
      requests,
      get refused() {
        return refused
      },
      get bytesSent() {
        return bytesSent
      },
      get inflatedGenerated() {
        return inflatedGenerated
      },
      count: (sent, inflated = 0) => {
        bytesSent += sent
        inflatedGenerated += inflated
      }
    }
    const server = http.createServer((request, response) => {
      const chunks: Array<Buffer> = []
      let size = 0
      request.on("data", (chunk: Buffer) => {
        if (size < MAX_RECORDED_BODY) chunks.push(chunk)
        size += chunk.length
      })
      request.on("error", () => response.destroy())
      request.on("end", () => {
        const recorded: Recorded = {
          index: requests.length,
          method: request.method ?? "",
          url: request.url ?? "",
          headers: request.headers,
          body: Buffer.concat(chunks).subarray(0, MAX_RECORDED_BODY).toString("utf8")
        }
        requests.push(recorded)
        if (recorded.index >= maxRequests || Date.now() > deadline) {
          refused += 1
          const body = JSON.stringify([
            { code: "hostile_cap", message: `request ${recorded.index + 1} refused: cap reached` }
          ])
          response.writeHead(CAP_STATUS, { "content-type": "application/json", connection: "close" })
          response.end(body)
          return
        }
        Promise.resolve()
          .then(() => handler(recorded, response, state))
          .catch(() => {
            if (!response.headersSent) response.writeHead(599)
            response.destroy()
          })
      })
    })
    server.on("clientError", (_, socket) => socket.destroy())
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      url = `http://127.0.0.1:${port}`
      resolve({
        server: state,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done())
            server.closeAllConnections()
          })
      })
    })
  })

/** How long a streamed body may go on, whatever its byte cap. */
const STREAM_DEADLINE_MILLIS = 20_000

// ---------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------

/** A body with its `Content-Length`; `body` is sent as is when a string, JSON-encoded otherwise. */
export const send = (
  server: HostileServer,
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {}
): void => {
  const bytes = Buffer.isBuffer(body)
    ? body
    : Buffer.from(typeof body === "string" ? body : JSON.stringify(body), "utf8")
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": bytes.length,
    ...headers
  })
  response.end(bytes, () => server.count(bytes.length))
}

/** Compresses a byte stream with `encoding`. */
const compressor = (encoding: Encoding): Transform =>
  encoding === "gzip"
    ? zlib.createGzip({ level: 9 })
    : encoding === "deflate"
      ? zlib.createDeflate({ level: 9 })
      : zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } })

export type Encoding = "gzip" | "deflate" | "br"

/** What a bomb inflates to: the head of a list page, then JSON whitespace that never ends. */
export const BOMB_PREFIX = '{"count":1,"next":null,"previous":null,"results":['

const SPACES = Buffer.alloc(1024 * 1024, 0x20)

/** The inflated bomb, lazily: the prefix, then spaces up to `size` bytes (stops early if `stop()`). */
async function* inflated(size: number, onChunk: (length: number) => void, stop: () => boolean) {
  const prefix = Buffer.from(BOMB_PREFIX)
  onChunk(prefix.length)
  yield prefix
  let left = size - prefix.length
  while (left > 0 && !stop()) {
    const chunk = left >= SPACES.length ? SPACES : SPACES.subarray(0, left)
    left -= chunk.length
    onChunk(chunk.length)
    yield chunk
  }
}

const bombs = new Map<string, Promise<Buffer>>()

/**
 * The whole compressed bomb inflating to `size` bytes, computed once per process (about a second
 * for 500 MB of gzip), so it can be sent with a correct `Content-Length`.
 */
export const compressedBomb = (encoding: Encoding, size: number): Promise<Buffer> => {
  const key = `${encoding}:${size}`
  let bomb = bombs.get(key)
  if (bomb === undefined) {
    const parts: Array<Buffer> = []
    bomb = pipeline(
      Readable.from(
        inflated(
          size,
          () => {},
          () => false
        )
      ),
      compressor(encoding),
      new Transform({
        transform(chunk: Buffer, _, done) {
          parts.push(chunk)
          done()
        }
      })
    ).then(() => Buffer.concat(parts))
    bombs.set(key, bomb)
  }
  return bomb
}

/** A 2xx bomb with a correct `Content-Length` of its compressed bytes. */
export const sendBomb = async (
  server: HostileServer,
  response: http.ServerResponse,
  encoding: Encoding,
  size: number
): Promise<void> => {
  const bytes = await compressedBomb(encoding, size)
  response.writeHead(200, {
    "content-type": "application/json",
    "content-encoding": encoding,
    "content-length": bytes.length
  })
  // In 64 KiB writes, counted as the socket takes them, so a client that hangs up shows.
  let offset = 0
  const writeMore = () => {
    while (offset < bytes.length && !response.destroyed) {
      const chunk = bytes.subarray(offset, offset + 64 * 1024)
      offset += chunk.length
      const more = response.write(chunk, () => server.count(chunk.length))
      if (!more) {
        response.once("drain", writeMore)
        return
      }
    }
    if (offset >= bytes.length) response.end()
  }
  writeMore()
}

/**
 * A chunked 2xx bomb (no `Content-Length`), compressed as it is sent and generated lazily: it stops
 * at `size` inflated bytes, when the client hangs up, or at the stream deadline. The server's
 * `bytesSent` and `inflatedGenerated` tell how far it got.
 */
export const streamBomb = async (
  server: HostileServer,
  response: http.ServerResponse,
  encoding: Encoding,
  size: number
): Promise<void> => {
  response.writeHead(200, { "content-type": "application/json", "content-encoding": encoding })
  const until = Date.now() + STREAM_DEADLINE_MILLIS
  const stop = () => response.destroyed || Date.now() > until
  await pipeline(
    Readable.from(inflated(size, (length) => server.count(0, length), stop)),
    compressor(encoding),
    new Transform({
      transform(chunk: Buffer, _, done) {
        server.count(chunk.length)
        done(null, chunk)
      }
    }),
    response
  ).catch(() => response.destroy())
}

// ---------------------------------------------------------------------------------------------
// Wire data
// ---------------------------------------------------------------------------------------------

export const LINK = "c81a1dea-6dd6-4999-8b9f-541ee8197058"
export const BALANCE_ID = "0b94bdf9-3719-43a9-81e7-be95d2318595"
export const SESSION = "2675b703b9d4451f8d4861a3eee54449"

/** The n-th distinct balance id. */
export const balanceIdOf = (n: number): string =>
  `0b94bdf9-3719-43a9-81e7-${n.toString(16).padStart(12, "0")}`

/** A balance as Belvo sends it; `overrides` replace or add members. */
export const wireBalance = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: BALANCE_ID,
  link: LINK,
  account_id: "c4bfecf9-4eb6-4920-9f9f-e1f1e60ef321",
  account_internal_identification: "92792126019929279212650822221989319252576",
  collected_at: "2024-05-21T08:32:00Z",
  created_at: "2024-05-21T08:32:00Z",
  last_updated_at: "2024-05-21T08:30:00Z",
  currency: "BRL",
  available: 1000.02,
  blocked: 0,
  automatically_invested: 12.3456,
  ...overrides
})

/** A list page body. */
export const wirePage = (
  count: number,
  next: string | null,
  results: ReadonlyArray<unknown>
): Record<string, unknown> => ({ count, next, previous: null, results })

/** The `page` query parameter of a recorded request (1 when absent). */
export const pageOf = (recorded: Recorded): number => {
  const page = new URL(recorded.url, "http://x").searchParams.get("page")
  return page === null ? 1 : Number(page)
}

/** A valid challenge for `LINK`, an hour from now (by the wall clock: these tests are live). */
export const validChallenge = (): MfaChallenge.MfaChallenge =>
  new MfaChallenge.MfaChallenge({
    session: SESSION,
    link: LINK,
    expiry: 3600,
    expiresAt: DateTime.makeUnsafe(Date.now() + 3_600_000),
    request_id: null,
    save_data: true
  })

// ---------------------------------------------------------------------------------------------
// The client under test
// ---------------------------------------------------------------------------------------------

export const SECRET_ID = "sid-Q3x9-belvo-7f2c"
export const SECRET_PASSWORD = "pw-K8m2-hunter-91zz"
/** The base64 of `id:password`, as the Authorization header carries it. */
export const SECRET_BASIC = Buffer.from(`${SECRET_ID}:${SECRET_PASSWORD}`).toString("base64")

export const transports = {
  fetch: FetchHttpClient.layer,
  undici: NodeHttpClient.layerUndici
} as const

export type Transport = keyof typeof transports

/** One call of the client under test, whatever it returns or fails with. */
export type Call = Effect.Effect<unknown, unknown, BelvoClient.BelvoClient>

export const TRANSPORTS: ReadonlyArray<Transport> = ["fetch", "undici"]

/**
 * The client over `transport`, pointed at `server`, with the test secrets; retries off unless
 * `options` say otherwise (these tests are about answers, not about waiting).
 */
export const clientLayer = (
  server: { readonly url: string },
  transport: Transport = "fetch",
  options: Partial<BelvoClient.Options> = {}
) =>
  BelvoClient.layer({
    baseUrl: server.url,
    secretId: Redacted.make(SECRET_ID),
    secretPassword: Redacted.make(SECRET_PASSWORD),
    retry: false,
    ...options
  }).pipe(Layer.provide(transports[transport]))

// ---------------------------------------------------------------------------------------------
// Probes
// ---------------------------------------------------------------------------------------------

/** A short description of an `Exit`, for assertion messages. */
export const describeExit = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) {
    const value = exit.value
    return `success: ${Array.isArray(value) ? `${value.length} items` : typeof value}`
  }
  const pretty = Cause.pretty(exit.cause)
  return `failure: ${pretty.length > 600 ? `${pretty.slice(0, 600)}…` : pretty}`
}

/** The typed error of a failed `Exit`; fails the test on a success, a defect or an interruption. */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>, context = ""): E => {
  if (Exit.isSuccess(exit)) return assert.fail(`${context} expected a failure, got ${describeExit(exit)}`)
  assert.isFalse(Cause.hasDies(exit.cause), `${context} a defect: ${describeExit(exit)}`)
  assert.isFalse(Cause.hasInterrupts(exit.cause), `${context} interrupted: ${describeExit(exit)}`)
  const error = Cause.findErrorOption(exit.cause)
  if (Option.isNone(error)) return assert.fail(`${context} no typed error: ${describeExit(exit)}`)
  return error.value
}

/** The tag of a typed error. */
export const tagOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : typeof error

/** Runs `effect` sampling the process RSS every 2 ms: its exit and the largest growth seen, in bytes. */
export const withRssSampling = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<{ readonly exit: Exit.Exit<A, E>; readonly growth: number }, never, R> =>
  Effect.suspend(() => {
    const before = process.memoryUsage.rss()
    let max = before
    const sample = () => {
      const rss = process.memoryUsage.rss()
      if (rss > max) max = rss
    }
    return Effect.acquireUseRelease(
      Effect.sync(() => setInterval(sample, 2)),
      () => Effect.exit(effect),
      (timer) => Effect.sync(() => clearInterval(timer))
    ).pipe(
      Effect.map((exit) => {
        sample()
        return { exit, growth: max - before }
      })
    )
  })

// The recorder and the property runner every test module shares.
export { makeRecorder, type Recorder } from "../support/record.js"
export { propertyInContext as checkProperty } from "../support/property.js"
