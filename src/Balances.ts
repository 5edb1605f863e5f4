/**
 * The balances endpoints, one Effect program each.
 *
 * - {@link retrieve}: `POST /api/br/balances/`, fresh balances from the institution.
 * - {@link resume}: `PATCH /api/br/balances/`, completes a retrieve paused by an MFA challenge.
 * - {@link list}: `GET /api/br/balances/`, every page as one `Stream`.
 * - {@link listPage}: one page of the list.
 * - {@link get}: `GET /api/br/balances/{id}/`, one balance.
 *
 * Each program's error type is exactly what it can fail with. Queries are validated before
 * anything is sent.
 *
 * @since 0.1.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Balance from "./Balance.js"
import * as BalanceQuery from "./BalanceQuery.js"
import { BelvoClient, type CallOptions as ClientCallOptions } from "./BelvoClient.js"
import * as BelvoError from "./BelvoError.js"
import * as FastDecode from "./internal/fastDecode.js"
import * as Http from "./internal/http.js"
import { parseHead } from "./internal/json.js"
import * as MfaChallenge from "./MfaChallenge.js"

const PATH = "api/br/balances/"

/**
 * Per-call overrides of the client's reliability settings.
 *
 * @example
 * ```ts
 * import { Balances } from "effect-belvo"
 *
 * // A one-off report may wait longer than the client's defaults, but should not hammer Belvo.
 * const slow: Balances.CallOptions = { attemptTimeout: "2 minutes", callTimeout: "10 minutes", retry: false }
 * const balance = Balances.get("0b94bdf9-3719-43a9-81e7-be95d2318595", {}, slow)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type CallOptions = ClientCallOptions

/**
 * Errors of {@link retrieve}: every documented 400, 401, 403, 408, 428 and 500, plus 429, unknown
 * statuses, transport, timeout, decode and an invalid query.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances, type BelvoClient } from "effect-belvo"
 *
 * const refresh = (link: string): Effect.Effect<number, Balances.RetrieveError, BelvoClient.BelvoClient> =>
 *   Effect.map(Balances.retrieve({ link }), (retrieval) => retrieval.balances.length)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type RetrieveError =
  | BelvoError.BadRequestError
  | BelvoError.CommonError
  | BelvoError.TokenRequired
  | BalanceQuery.InvalidQuery

/**
 * Errors of {@link resume}: those of {@link retrieve}. A challenge past its `expiresAt` fails with
 * `SessionExpired` (status 0) before anything is sent.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances, type BelvoClient, type BelvoError, type MfaChallenge } from "effect-belvo"
 *
 * // An expired session is handled here, so callers never see it.
 * const finish = (
 *   challenge: MfaChallenge.MfaChallenge,
 *   token: string
 * ): Effect.Effect<boolean, Exclude<Balances.ResumeError, BelvoError.SessionExpired>, BelvoClient.BelvoClient> =>
 *   Balances.resume(challenge, token).pipe(
 *     Effect.as(true),
 *     Effect.catchTag("SessionExpired", () => Effect.succeed(false))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type ResumeError = RetrieveError

/**
 * Errors of {@link list} and {@link listPage}: 401, 403, 404 (a page past the last), 408, 500, plus
 * 429, unknown statuses, transport, timeout, decode, unsafe pagination and an invalid query.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Balances, type BelvoClient } from "effect-belvo"
 *
 * const countBalances = (link: string): Effect.Effect<number, Balances.ListError, BelvoClient.BelvoClient> =>
 *   Stream.runCount(Balances.list({ link, fields: ["id"] }))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type ListError =
  | BelvoError.CommonError
  | BelvoError.NotFound
  | BelvoError.PaginationError
  | BalanceQuery.InvalidQuery

/**
 * Errors of {@link get}: 401, 403, 404, 408, 500, plus 429, unknown statuses, transport, timeout,
 * decode and an invalid id or projection.
 *
 * @example
 * ```ts
 * import type { Balances } from "effect-belvo"
 *
 * // The HTTP status a web handler answers when looking up a balance fails.
 * const statusFor = (error: Balances.GetError): number =>
 *   error._tag === "InvalidQuery" ? 400 : error._tag === "NotFound" || error._tag === "AccessDenied" ? 404 : 502
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type GetError = BelvoError.CommonError | BelvoError.NotFound | BalanceQuery.InvalidQuery

// The status table of each endpoint decides which tags it can produce (anything undocumented becomes
// UnknownStatus), which is why each program's error type can be narrowed to its own union below.
const MUTATION_STATUSES: Http.Documented = new Set([400, 401, 403, 408, 428, 500])
const LIST_STATUSES: Http.Documented = new Set([401, 403, 404, 408, 500])
const GET_STATUSES: Http.Documented = new Set([401, 403, 404, 408, 500])

/**
 * What `retrieve` and `resume` return: the balances, and whether Belvo stored them (`201`,
 * `save_data: true`) or not (`200`, `save_data: false`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * const describe = (retrieval: Balances.Retrieval<unknown>): string =>
 *   `${retrieval.balances.length} balances, ${retrieval.saved ? "stored" : "not stored"} (request ${retrieval.requestId ?? "none"})`
 *
 * const program = Effect.map(Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }), describe)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Retrieval<A> {
  readonly status: 200 | 201
  readonly saved: boolean
  readonly balances: ReadonlyArray<A>
  readonly requestId: string | null
}

/**
 * The body of a retrieve, plus optional `fields` / `omit` to shape each returned balance.
 *
 * @example
 * ```ts
 * import { Balances } from "effect-belvo"
 *
 * // One account, not stored at Belvo (answered with 200 instead of 201).
 * const params = {
 *   link: "c81a1dea-6dd6-4999-8b9f-541ee8197058",
 *   account_id: "c4bfecf9-4eb6-4920-9f9f-e1f1e60ef321",
 *   save_data: false
 * } satisfies Balances.RetrieveParams
 * const program = Balances.retrieve(params)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RetrieveParams extends BalanceQuery.Projection {
  /** The link's id (UUID). */
  readonly link: string
  /** Only this account's balance (UUID). Recommended by Belvo. */
  readonly account_id?: string
  /** Persist the data in Belvo (201) or not (200). Default `true`. */
  readonly save_data?: boolean
}

const isUuid = Schema.is(Schema.UUID)

const requireUuid = (field: string, value: unknown): Either.Either<string, BalanceQuery.InvalidQuery> =>
  typeof value === "string" && isUuid(value)
    ? Either.right(value)
    : Either.left(new BalanceQuery.InvalidQuery({ field, value, reason: "must be a UUID" }))

const withParams = (url: URL, params: BalanceQuery.Params): URL => {
  for (const [name, value] of params) url.searchParams.append(name, value)
  return url
}

const decodeBalances = (projection: BalanceQuery.Projection) =>
  FastDecode.withFallback(
    Schema.Array(BalanceQuery.projection(projection)),
    FastDecode.balances(BalanceQuery.keptFields(projection))
  )

const decodeBalance = (projection: BalanceQuery.Projection) =>
  FastDecode.withFallback(
    BalanceQuery.projection(projection),
    FastDecode.balance(BalanceQuery.keptFields(projection))
  )

const decodePage = (projection: BalanceQuery.Projection) =>
  FastDecode.withFallback(
    Balance.Page(BalanceQuery.projection(projection)),
    FastDecode.page(BalanceQuery.keptFields(projection))
  )

const projectionOf = (options: BalanceQuery.Projection): BalanceQuery.Projection => ({
  ...(options.fields ? { fields: options.fields } : {}),
  ...(options.omit ? { omit: options.omit } : {})
})

const retrieval = <A>(success: Http.Success<ReadonlyArray<A>>): Retrieval<A> => ({
  status: success.status === 201 ? 201 : 200,
  saved: success.status === 201,
  balances: success.value,
  requestId: success.requestId
})

/**
 * Retrieves the current balances of a link (optionally one account) from the institution.
 * Not retried once sent, since it is not idempotent; an MFA-protected link fails with
 * `TokenRequired` carrying the challenge (see `Mfa.answer`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * const program = Effect.gen(function* () {
 *   const { balances, saved } = yield* Balances.retrieve({
 *     link: "c81a1dea-6dd6-4999-8b9f-541ee8197058",
 *     fields: ["account_id", "available"]
 *   })
 *   console.log(saved, balances.map((b) => b.account_id))
 * })
 * ```
 *
 * @since 0.1.0
 * @category endpoints
 */
export const retrieve = <const P extends RetrieveParams>(
  params: P,
  options?: CallOptions
): Effect.Effect<Retrieval<BalanceQuery.Projected<P>>, RetrieveError, BelvoClient> =>
  Effect.gen(function* () {
    const link = yield* requireUuid("link", params.link)
    const account =
      params.account_id === undefined ? undefined : yield* requireUuid("account_id", params.account_id)
    const projection = yield* BalanceQuery.encodeProjection(projectionOf(params))
    const save_data = params.save_data ?? true
    const { baseUrl } = yield* BelvoClient
    const url = withParams(Http.urlFor(baseUrl, PATH), projection)
    const request = HttpClientRequest.post(url).pipe(
      HttpClientRequest.bodyUnsafeJson({
        link,
        ...(account === undefined ? {} : { account_id: account }),
        save_data
      })
    )
    const success = yield* Http.call({
      request,
      context: {
        method: "POST",
        path: url.pathname,
        mfa: { link, save_data, fields: params.fields, omit: params.omit }
      },
      idempotency: "unsent-only",
      documented: MUTATION_STATUSES,
      decode: decodeBalances(params),
      span: "Balances.retrieve",
      overrides: options
    })
    return retrieval(success) as Retrieval<BalanceQuery.Projected<P>>
  }) as Effect.Effect<Retrieval<BalanceQuery.Projected<P>>, RetrieveError, BelvoClient>

/**
 * Options of {@link resume}.
 *
 * @example
 * ```ts
 * import { Balances, type MfaChallenge } from "effect-belvo"
 *
 * declare const challenge: MfaChallenge.MfaChallenge
 * // The same fields as the retrieve that met the challenge, so the result has the same shape.
 * const options = { fields: ["id", "available"], attemptTimeout: "2 minutes" } satisfies Balances.ResumeOptions
 * const program = Balances.resume(challenge, "123456", options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ResumeOptions extends BalanceQuery.Projection, Omit<CallOptions, "retry"> {
  /** Defaults to what the original retrieve asked for (stored in the challenge). */
  readonly save_data?: boolean
}

/**
 * Completes a retrieve paused by an MFA challenge: `PATCH {session, token, link, save_data}`.
 * Never retried (a token is single use). A challenge already past its `expiresAt` fails with
 * `SessionExpired` and sends nothing. Another 428 fails with a new `TokenRequired`, which can be
 * resumed in turn. Pass the original `fields` / `omit` to get the same shape back.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * const program = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }).pipe(
 *   Effect.catchTag("TokenRequired", (error) => Balances.resume(error.challenge, "123456"))
 * )
 * ```
 *
 * @since 0.1.0
 * @category endpoints
 */
export const resume = <const O extends ResumeOptions = {}>(
  challenge: MfaChallenge.MfaChallenge,
  token: string,
  options?: O
): Effect.Effect<Retrieval<BalanceQuery.Projected<O>>, ResumeError, BelvoClient> =>
  Effect.gen(function* () {
    const projectionInput = projectionOf(options ?? {})
    const projection = yield* BalanceQuery.encodeProjection(projectionInput)
    const { baseUrl } = yield* BelvoClient
    const url = withParams(Http.urlFor(baseUrl, PATH), projection)
    const save_data = options?.save_data ?? challenge.save_data
    if (yield* MfaChallenge.isExpired(challenge)) {
      return yield* new BelvoError.SessionExpired({
        message: `MFA session ${challenge.session} expired at ${challenge.expiresAt.toJSON()}; nothing was sent. Start again with a new retrieve.`,
        status: 0,
        method: "PATCH",
        path: url.pathname,
        code: "session_expired",
        detail: "The MFA session expired before it was resumed",
        request_id: null,
        errors: []
      })
    }
    const request = HttpClientRequest.patch(url).pipe(
      HttpClientRequest.bodyUnsafeJson({ session: challenge.session, token, link: challenge.link, save_data })
    )
    const success = yield* Http.call({
      request,
      context: {
        method: "PATCH",
        path: url.pathname,
        mfa: { link: challenge.link, save_data, fields: projectionInput.fields, omit: projectionInput.omit }
      },
      idempotency: "never",
      documented: MUTATION_STATUSES,
      decode: decodeBalances(projectionInput),
      span: "Balances.resume",
      overrides: { ...options, retry: false }
    })
    return retrieval(success) as Retrieval<BalanceQuery.Projected<O>>
  }) as Effect.Effect<Retrieval<BalanceQuery.Projected<O>>, ResumeError, BelvoClient>

/**
 * Gets one balance by id, optionally shaped by `fields` / `omit`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * const program = Effect.gen(function* () {
 *   const balance = yield* Balances.get("0b94bdf9-3719-43a9-81e7-be95d2318595", { fields: ["id", "currency"] })
 *   console.log(balance.currency)
 * })
 * ```
 *
 * @since 0.1.0
 * @category endpoints
 */
export const get = <const P extends BalanceQuery.Projection = {}>(
  id: string,
  projection?: P,
  options?: CallOptions
): Effect.Effect<BalanceQuery.Projected<P>, GetError, BelvoClient> =>
  Effect.gen(function* () {
    const balanceId = yield* requireUuid("id", id)
    const params = yield* BalanceQuery.encodeProjection(projectionOf(projection ?? {}))
    const { baseUrl } = yield* BelvoClient
    const url = withParams(Http.urlFor(baseUrl, `${PATH}${balanceId}/`), params)
    const success = yield* Http.call({
      request: HttpClientRequest.get(url),
      context: { method: "GET", path: url.pathname },
      idempotency: "idempotent",
      documented: GET_STATUSES,
      decode: decodeBalance(projection ?? {}),
      span: "Balances.get",
      overrides: options
    })
    return success.value as BalanceQuery.Projected<P>
  }) as Effect.Effect<BalanceQuery.Projected<P>, GetError, BelvoClient>

/**
 * Options of {@link list}.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * // Timeouts and retries apply to each page's request, not to the whole stream.
 * const options: Balances.ListOptions = { concurrency: 8, attemptTimeout: "30 seconds" }
 * const count = Stream.runCount(Balances.list({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }, options))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions extends CallOptions {
  /**
   * Pages fetched at once after the first (which gives `count`). Items are always emitted in page
   * order; memory holds about `concurrency + 1` pages. Default {@link defaultConcurrency}.
   */
  readonly concurrency?: number
}

/**
 * The default page concurrency of {@link list}: the smallest that came within 10% of the best at
 * 25 ms per page in `npm run bench` (see docs/performance.md).
 *
 * @example
 * ```ts
 * import { Balances } from "effect-belvo"
 *
 * console.log(Balances.defaultConcurrency) // 8
 * // One page at a time, following the server's `next` links instead of page numbers.
 * const sequential = Balances.list({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }, { concurrency: 1 })
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultConcurrency = 8

/**
 * The page size {@link list} asks for when the query does not say: Belvo's maximum.
 *
 * @example
 * ```ts
 * import { Balances } from "effect-belvo"
 *
 * console.log(Balances.defaultListPageSize) // 1000
 * // listPage sends the query as given (Belvo then defaults to 100): ask for the same size as list.
 * const page = Balances.listPage({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058", page_size: Balances.defaultListPageSize })
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultListPageSize = 1000

const pageRequest = <A>(
  url: URL,
  decode: (body: unknown, answer: Http.Answer) => Either.Either<A, ParseResult.ParseError>,
  options?: CallOptions,
  onSend?: Effect.Effect<void>
) =>
  Http.call({
    request: HttpClientRequest.get(url),
    context: { method: "GET", path: url.pathname },
    idempotency: "idempotent",
    documented: LIST_STATUSES,
    decode,
    span: "Balances.listPage",
    overrides: options,
    onSend
  })

const prepareList = <Q extends BalanceQuery.ListQuery>(query: Q, defaultPageSize?: number) =>
  Effect.gen(function* () {
    const withSize =
      defaultPageSize !== undefined && query.page_size === undefined
        ? { ...query, page_size: defaultPageSize }
        : query
    const params = yield* BalanceQuery.encode(withSize)
    const { baseUrl } = yield* BelvoClient
    const url = withParams(Http.urlFor(baseUrl, PATH), params)
    const decode = decodePage(query)
    return { baseUrl, url, decode, pageSize: withSize.page_size ?? 100, firstPage: withSize.page ?? 1 }
  })

/**
 * Fetches one page of the list: the query as given (Belvo's default page size is 100).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * const program = Effect.gen(function* () {
 *   const page = yield* Balances.listPage({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058", page: 2, page_size: 500 })
 *   console.log(page.count, page.results.length, page.next)
 * })
 * ```
 *
 * @since 0.1.0
 * @category endpoints
 */
export const listPage = <const Q extends BalanceQuery.ListQuery>(
  query: Q,
  options?: CallOptions
): Effect.Effect<Balance.Page<BalanceQuery.Projected<Q>>, ListError, BelvoClient> =>
  Effect.gen(function* () {
    const { url, decode } = yield* prepareList(query)
    const success = yield* pageRequest(url, decode, options)
    return success.value as Balance.Page<BalanceQuery.Projected<Q>>
  }) as Effect.Effect<Balance.Page<BalanceQuery.Projected<Q>>, ListError, BelvoClient>

/**
 * Streams every balance matching the query, across all pages, in order, in constant memory.
 *
 * The first page gives `count`; the rest are fetched up to `concurrency` at a time and emitted in
 * page order, each page whole once decoded (a retried page never duplicates or drops an item).
 * At `concurrency: 1` the server's `next` links are followed, one request at a time, and the next
 * request goes out while the current page is decoded.
 * Pages stay on the client's origin: a `next` URL elsewhere fails with `PaginationError`, and so
 * does a server that repeats a page or never ends. `page_size` defaults to 1000.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * const count = Balances.list(
 *   { link: "c81a1dea-6dd6-4999-8b9f-541ee8197058", collected_at__gte: "2024-01-01", fields: ["id", "available"] },
 *   { concurrency: 4 }
 * ).pipe(Stream.runCount)
 * ```
 *
 * @since 0.1.0
 * @category endpoints
 */
export const list = <const Q extends BalanceQuery.ListQuery>(
  query: Q,
  options?: ListOptions
): Stream.Stream<BalanceQuery.Projected<Q>, ListError, BelvoClient> =>
  Stream.unwrap(
    Effect.flatMap(prepareList(query, defaultListPageSize), (prepared) => {
      const concurrency = Math.max(1, Math.floor(options?.concurrency ?? defaultConcurrency))
      return concurrency === 1
        ? followNext(prepared, options)
        : concurrentPages(prepared, concurrency, options)
    })
  ).pipe(
    // One `unwrap`, and pages become items last. A stream stage keeps the last element it emitted
    // until it emits the next; with nested streams, a page's items kept that way while the next page
    // is on the wire survive young-generation collections (measured: 2.7x the promoted bytes).
    Stream.mapConcatChunk((page) => Chunk.unsafeFromArray(page.results as Array<BalanceQuery.Projected<Q>>))
  ) as Stream.Stream<BalanceQuery.Projected<Q>, ListError, BelvoClient>

interface Prepared<A> {
  readonly baseUrl: URL
  readonly url: URL
  readonly decode: (body: unknown) => Either.Either<Balance.Page<A>, ParseResult.ParseError>
  readonly pageSize: number
  readonly firstPage: number
}

const crossOrigin = (url: string) =>
  new BelvoError.PaginationError({
    message: `Refusing to follow a page URL off the configured base URL: ${url}. Credentials are only sent to the configured origin.`,
    reason: "CrossOrigin",
    url
  })

const endless = (url: string, why: string) =>
  new BelvoError.PaginationError({ message: `Pagination stopped: ${why} (${url})`, reason: "Endless", url })

/** Checks a `next` URL: absolute or relative, it must stay under the configured base URL. */
const checkNext = (baseUrl: URL, next: string): Either.Either<URL, BelvoError.PaginationError> => {
  let url: URL
  try {
    url = new URL(next, baseUrl)
  } catch {
    return Either.left(crossOrigin(next))
  }
  return Http.onBase(baseUrl, url) ? Either.right(url) : Either.left(crossOrigin(next))
}

/** Most pages a listing of `count` items can have, plus one for a server that shifts under us. */
const pageBound = (count: number, pageSize: number, firstPage: number) =>
  Math.ceil(count / pageSize) - firstPage + 2

/** A list page as received, with the `count` and `next` its head says: enough to ask for the next. */
interface PendingPage<A> {
  readonly count: number
  readonly next: string | null
  readonly answer: Http.Answer
  /** Paging relied on `count` and `next` from the head, so the whole page must agree with them. */
  readonly fromHead: boolean
  /** Present when the head could not be read alone and the whole page was decoded already. */
  readonly decoded?: Balance.Page<A>
}

/** Reads `count` and `next` from the page's head; a body without that head is decoded whole. */
const pendingPage = <A>(
  answer: Http.Answer,
  decode: Prepared<A>["decode"]
): Either.Either<PendingPage<A>, BelvoError.DecodeError> => {
  const head = parseHead(answer.text, "results")
  if (head !== undefined && FastDecode.isCount(head.count) && FastDecode.isNullOrString(head.next)) {
    return Either.right({ count: head.count, next: head.next, answer, fromHead: true })
  }
  return Either.map(Http.decodeAnswer(answer, decode), (page) => ({
    count: page.count,
    next: page.next,
    answer,
    fromHead: false,
    decoded: page
  }))
}

/** Decodes a pending page; one paged by its head must agree with it (JSON allows repeated keys). */
const decodePending = <A>(
  pending: PendingPage<A>,
  decode: Prepared<A>["decode"]
): Either.Either<Balance.Page<A>, BelvoError.DecodeError> =>
  pending.decoded !== undefined
    ? Either.right(pending.decoded)
    : Either.flatMap(Http.decodeAnswer(pending.answer, decode), (page) =>
        !pending.fromHead || (page.count === pending.count && page.next === pending.next)
          ? Either.right(page)
          : Either.left(
              Http.decodeFailure(
                pending.answer,
                `the page's count and next (${page.count}, ${page.next}) differ from those before its results (${pending.count}, ${pending.next}): a key is repeated`
              )
            )
      )

/** Lets the event loop turn once (microtasks, then I/O), so a request handed to the client is written. */
const yieldToEventLoop = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/**
 * Concurrency 1: follow the server's `next` links, refusing foreign origins, repeats and runaways.
 *
 * One request at a time, and the wire is never idle while the client works: as soon as page k's
 * body is in and `next` is read, the request for page k+1 goes out, and page k is decoded while the
 * server prepares k+1. The producer hands each page over with a signal that the following request
 * is on its way; the decoder waits for it, so decoding never delays the next request.
 */
const followNext = <A>(prepared: Prepared<A>, options?: CallOptions) =>
  Effect.map(Deferred.make<void>(), (firstSent) => {
    const seen = new Set<string>()
    let fetched = 0
    let bound = Number.POSITIVE_INFINITY
    interface State {
      readonly url: URL
      /**
       * Completed when this request is handed to the HTTP client, or starts waiting for the
       * client's rate limit or in-flight cap (or never will be sent): from then on, decoding the
       * previous page cannot delay it.
       */
      readonly sent: Deferred.Deferred<void>
    }
    const step = ({ url, sent }: State) =>
      Effect.gen(function* () {
        seen.add(url.href)
        fetched += 1
        if (fetched > bound) return yield* endless(url.href, `more pages than count allows (${fetched - 1})`)
        const { value: answer } = yield* pageRequest(
          url,
          Http.unparsed,
          options,
          Deferred.succeed(sent, undefined)
        )
        const page = yield* pendingPage(answer, prepared.decode)
        if (fetched === 1) bound = pageBound(page.count, prepared.pageSize, prepared.firstPage)
        const nextSent = yield* Deferred.make<void>()
        if (page.next === null) {
          yield* Deferred.succeed(nextSent, undefined)
          return [[page, nextSent], Option.none<State>()] as const
        }
        const next = yield* checkNext(prepared.baseUrl, page.next)
        if (seen.has(next.href)) return yield* endless(next.href, "the server repeated a page")
        return [[page, nextSent], Option.some({ url: next, sent: nextSent })] as const
      }).pipe(Effect.ensuring(Deferred.succeed(sent, undefined)))
    return Stream.paginateEffect({ url: prepared.url, sent: firstSent }, step).pipe(
      Stream.buffer({ capacity: 1 }),
      Stream.mapEffect(([page, nextSent]) =>
        Deferred.await(nextSent).pipe(
          Effect.zipRight(yieldToEventLoop),
          // Lazily: decoding when the effect is built would run before the wait above.
          Effect.zipRight(Effect.suspend(() => decodePending(page, prepared.decode)))
        )
      )
    )
  })

/**
 * Concurrency n: page 1 gives `count`; the remaining page numbers are fetched n at a time and
 * emitted in order. Every page, the first included, waits as the text it came in and is parsed
 * and decoded in page order just before its items are emitted, so at most one decoded page is
 * alive at a time.
 *
 * The first page is not kept decoded while the rest stream by: V8 watches how many fresh objects
 * survive a young-generation collection, and a whole page held for the length of the stream made
 * it allocate every later balance straight into the old generation (measured: 2.7x the promoted
 * bytes, the heap growing to several times its live size).
 */
const concurrentPages = <A>(prepared: Prepared<A>, concurrency: number, options?: CallOptions) =>
  Effect.gen(function* () {
    const { value: firstAnswer } = yield* pageRequest(prepared.url, Http.unparsed, options)
    const first = yield* pendingPage(firstAnswer, prepared.decode)
    if (first.next !== null) yield* checkNext(prepared.baseUrl, first.next)
    const count = first.count
    const lastPage = Math.ceil(count / prepared.pageSize)
    const decodeInOrder = (page: PendingPage<A>) =>
      // Inside the effect, not while building it: `Stream.mapEffect` keeps the effect it built
      // until the next page arrives.
      Effect.suspend(() =>
        Effect.flatMap(decodePending(page, prepared.decode), (decoded) =>
          decoded.next === null
            ? Effect.succeed(decoded)
            : Effect.as(checkNext(prepared.baseUrl, decoded.next), decoded)
        )
      )
    if (first.next === null || lastPage <= prepared.firstPage) {
      return Stream.fromEffect(decodeInOrder(first))
    }
    let pending: PendingPage<A> | undefined = first
    return Stream.range(prepared.firstPage, lastPage).pipe(
      Stream.mapEffect(
        (page) => {
          if (pending !== undefined) {
            // The first page, already here; let go of it once handed on.
            const taken = pending
            pending = undefined
            return Effect.succeed(taken)
          }
          const url = new URL(prepared.url)
          url.searchParams.set("page", String(page))
          return Effect.map(
            pageRequest(url, Http.unparsed, options),
            ({ value }): PendingPage<A> => ({ count, next: null, answer: value, fromHead: false })
          )
        },
        { concurrency }
      ),
      Stream.mapEffect(decodeInOrder)
    )
  })
