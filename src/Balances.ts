/**
 * The balances endpoints, one Effect program each.
 *
 * - {@link retrieve}: `POST /api/br/balances/`, fresh balances from the institution.
 * - {@link resume}: `PATCH /api/br/balances/`, completes a retrieve paused by an MFA challenge.
 * - {@link list}: `GET /api/br/balances/`, every page as one `Stream`.
 * - {@link listPage}: one page of the list.
 * - {@link get}: `GET /api/br/balances/{id}/`, one balance.
 *
 * Each endpoint checks its input (nothing is sent for an invalid one), sends its request through
 * the client, and reads the answer with its own status table: the documented statuses and the
 * error each becomes. Its error type is derived from that table, so it is exactly what the
 * endpoint can fail with.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Metric from "effect/Metric"
import * as Predicate from "effect/Predicate"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Balance from "./Balance.js"
import * as BalanceQuery from "./BalanceQuery.js"
import { BelvoClient, type CallOptions as ClientCallOptions } from "./BelvoClient.js"
import * as BelvoError from "./BelvoError.js"
import * as Answer from "./internal/answer.js"
import * as Attempt from "./internal/attempt.js"
import * as Errors from "./internal/errors.js"
import * as Keys from "./internal/keys.js"
import * as FastDecode from "./internal/fastDecode.js"
import * as Paginate from "./internal/paginate.js"
import { isUuid } from "./internal/uuid.js"
import * as Metrics from "./Metrics.js"
import * as MfaChallenge from "./MfaChallenge.js"

/** The collection, relative to the client's base URL. */
const PATH = "api/br/balances/"

// ---------------------------------------------------------------------------------------------
// Status tables: what each documented status becomes. Any other status is `UnknownStatus`, a 429
// is always `TooManyRequests`.
// ---------------------------------------------------------------------------------------------

const common = {
  401: Errors.unauthorized,
  403: Errors.accessDenied,
  408: Errors.requestTimeout,
  500: Errors.unexpected
} as const

/** `GET` list and detail: a missing balance (or a page past the last) is a 404. */
const readTable = { ...common, 404: Errors.notFound } as const

/** `POST` retrieve and `PATCH` resume: a 428 is a challenge for the request that met it. */
const mutationTable = (request: MfaChallenge.Request) =>
  ({
    ...common,
    400: Errors.badRequest,
    428: (failure: Errors.Failure) =>
      Errors.tokenRequired(
        failure,
        MfaChallenge.fromItem(
          { ...failure.first, request_id: failure.fields.request_id },
          request,
          failure.receivedAt
        )
      )
  }) as const

/** An MFA challenge met by a retrieve or a resume, and a resume's outcome (`Metrics`). */
const challenged = (operation: "retrieve" | "resume") =>
  Metric.update(Metric.withAttributes(Metrics.mfaChallenges, { "belvo.operation": operation }), 1)
const resumed = (outcome: "completed" | "challenged" | "expired" | "failed") =>
  Metric.update(Metric.withAttributes(Metrics.mfaResumes, { "belvo.outcome": outcome }), 1)

/** Failures below HTTP, possible on every request. */
type Transport = BelvoError.TransportError | BelvoError.Timeout | BelvoError.DecodeError

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
  | Errors.ErrorOf<ReturnType<typeof mutationTable>>
  | Transport
  | BelvoError.InvalidQuery

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
  | Errors.ErrorOf<typeof readTable>
  | Transport
  | Paginate.PagingError
  | BelvoError.InvalidQuery

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
export type GetError = Errors.ErrorOf<typeof readTable> | Transport | BelvoError.InvalidQuery

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
  readonly account_id?: string | undefined
  /** Persist the data in Belvo (201) or not (200). Default `true`. */
  readonly save_data?: boolean | undefined
}

/**
 * The send hook of {@link retrieve} and {@link resume}: an effect that runs inside the client's
 * limits (once the rate limit let the request through, holding its in-flight slot), just before
 * the request leaves, once per request that leaves. A failure sends nothing and is the call's
 * failure, typed, never retried. For a ledger of what was sent: record the request as it goes out,
 * and after a crash know whether it may have reached Belvo.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * declare const recordSent: (link: string) => Effect.Effect<void, "LedgerDown">
 *
 * const link = "c81a1dea-6dd6-4999-8b9f-541ee8197058"
 * // Effect<Retrieval<Balance>, RetrieveError | "LedgerDown", BelvoClient>
 * const program = Balances.retrieve({ link }, { beforeSend: recordSent(link) })
 * ```
 *
 * @since 1.1.0
 * @category models
 */
export interface SendHook<E = never, R = never> {
  readonly beforeSend?: Effect.Effect<void, E, R> | undefined
}

/**
 * Options of {@link retrieve}: the per-call settings and the send hook.
 *
 * @example
 * ```ts
 * import { Balances } from "effect-belvo"
 *
 * const options: Balances.RetrieveOptions = { attemptTimeout: "2 minutes", retry: false }
 * const program = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }, options)
 * ```
 *
 * @since 1.1.0
 * @category models
 */
export interface RetrieveOptions<E = never, R = never> extends CallOptions, SendHook<E, R> {}

// ---------------------------------------------------------------------------------------------
// Input checks and decoders
// ---------------------------------------------------------------------------------------------

// The keys each argument may have: anything else is refused, with the closest one suggested.
const PROJECTION_KEYS = Keys.of<BalanceQuery.Projection>()({ fields: true, omit: true })
const RETRIEVE_KEYS = Keys.of<RetrieveParams>()({
  link: true,
  account_id: true,
  save_data: true,
  fields: true,
  omit: true
})
const CALL_KEYS = Keys.of<CallOptions>()({ retry: true, attemptTimeout: true, callTimeout: true })
const RETRIEVE_OPTION_KEYS = Keys.of<RetrieveOptions<unknown, unknown>>()({
  retry: true,
  attemptTimeout: true,
  callTimeout: true,
  beforeSend: true
})
const RESUME_KEYS = Keys.of<ResumeOptions<unknown, unknown>>()({
  fields: true,
  omit: true,
  save_data: true,
  attemptTimeout: true,
  callTimeout: true,
  beforeSend: true
})
const LIST_KEYS = Keys.of<ListOptions>()({
  retry: true,
  attemptTimeout: true,
  callTimeout: true,
  concurrency: true,
  maxPages: true
})

/** Fails with the first unknown key of `input`, before anything is sent. */
const knownKeys = (
  where: string,
  input: unknown,
  known: ReadonlyArray<string>
): Effect.Effect<void, BelvoError.InvalidQuery> => {
  const unknown = Keys.check(where, input, known)
  return unknown === undefined ? Effect.void : Effect.fail(unknown)
}

const requireUuid = (field: string, value: unknown): Effect.Effect<string, BelvoError.InvalidQuery> =>
  typeof value === "string" && isUuid(value)
    ? Effect.succeed(value)
    : Effect.fail(new BelvoError.InvalidQuery({ field, value, reason: "must be a UUID" }))

/** The projection part of a query or options object, without `undefined` members. */
const projectionOf = (options: {
  readonly fields?: ReadonlyArray<Balance.Field> | undefined
  readonly omit?: ReadonlyArray<Balance.Field> | undefined
}): BalanceQuery.Projection => ({
  ...(options.fields === undefined ? {} : { fields: options.fields }),
  ...(options.omit === undefined ? {} : { omit: options.omit })
})

/** The per-call settings of an options object, without what is not a setting. */
const callOptionsOf = (options: CallOptions | undefined): CallOptions | undefined =>
  options === undefined
    ? undefined
    : {
        ...(options.retry === undefined ? {} : { retry: options.retry }),
        ...(options.attemptTimeout === undefined ? {} : { attemptTimeout: options.attemptTimeout }),
        ...(options.callTimeout === undefined ? {} : { callTimeout: options.callTimeout })
      }

/** A decoder from a fast path with its Schema fallback, reporting why a body does not match. */
const decoderOf =
  <A>(decode: (input: unknown) => Result.Result<A, Schema.SchemaError>): Answer.Decoder<A> =>
  (input) =>
    Result.mapError(decode(input), FastDecode.errorMessage)

const decodeBalances = (projection: BalanceQuery.Projection) =>
  decoderOf(
    FastDecode.withFallback(
      Schema.Array(BalanceQuery.projection(projection)),
      FastDecode.balances(BalanceQuery.keptFields(projection))
    )
  )

const decodeBalance = (projection: BalanceQuery.Projection) =>
  decoderOf(
    FastDecode.withFallback(
      BalanceQuery.projection(projection),
      FastDecode.balance(BalanceQuery.keptFields(projection))
    )
  )

// Paths in errors and logs are the request's real path, base URL prefix included.
const routeOf = (baseUrl: URL, method: string, path: string): Errors.Route => ({
  method,
  path: `${baseUrl.pathname}${path}`
})

const retrieval = <A>(answer: Answer.Answer, balances: ReadonlyArray<A>): Retrieval<A> => ({
  status: answer.status === 201 ? 201 : 200,
  saved: answer.status === 201,
  balances,
  requestId: answer.requestId
})

// ---------------------------------------------------------------------------------------------
// Endpoints
// ---------------------------------------------------------------------------------------------

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
export const retrieve = Effect.fn("Balances.retrieve")(function* <
  const P extends RetrieveParams,
  E = never,
  R = never
>(
  params: P & Keys.NoExtraKeys<P, RetrieveParams>,
  options?: RetrieveOptions<E, R>
): Effect.fn.Return<Retrieval<BalanceQuery.Projected<P>>, RetrieveError | E, BelvoClient | R> {
  yield* knownKeys("", params, RETRIEVE_KEYS)
  yield* knownKeys("options", options, RETRIEVE_OPTION_KEYS)
  const link = yield* requireUuid("link", params.link)
  const account =
    params.account_id === undefined ? undefined : yield* requireUuid("account_id", params.account_id)
  const projection = projectionOf(params)
  const urlParams = yield* Effect.fromResult(BalanceQuery.encodeProjection(projection))
  const save_data = params.save_data ?? true
  const { baseUrl } = yield* BelvoClient
  const request = HttpClientRequest.post(PATH, { urlParams }).pipe(
    HttpClientRequest.bodyJsonUnsafe({
      link,
      ...(account === undefined ? {} : { account_id: account }),
      save_data
    })
  )
  const answer = yield* Attempt.send({
    request,
    route: routeOf(baseUrl, "POST", PATH),
    idempotency: "unsent-only",
    table: mutationTable({ link, save_data, ...projection }),
    overrides: callOptionsOf(options),
    beforeSend: options?.beforeSend
  }).pipe(Effect.tapErrorTag("TokenRequired", () => challenged("retrieve")))
  const balances = yield* Effect.fromResult(Answer.decode(answer, decodeBalances(projection)))
  return retrieval(answer, balances as ReadonlyArray<BalanceQuery.Projected<P>>)
})

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
export interface ResumeOptions<E = never, R = never> extends Omit<CallOptions, "retry">, SendHook<E, R> {
  /** Only these fields; defaults to the challenge's (what the original retrieve asked for). */
  readonly fields?: ReadonlyArray<Balance.Field> | undefined
  /** Leave these fields out; defaults to the challenge's. */
  readonly omit?: ReadonlyArray<Balance.Field> | undefined
  /** Defaults to what the original retrieve asked for (stored in the challenge). */
  readonly save_data?: boolean | undefined
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
export const resume = Effect.fn("Balances.resume")(function* <
  C extends MfaChallenge.MfaChallenge,
  const O extends ResumeOptions<unknown, unknown> = {}
>(
  challenge: C,
  token?: string | undefined,
  options?: O & Keys.NoExtraKeys<O, ResumeOptions<unknown, unknown>>
): Effect.fn.Return<Retrieval<ResumedItem<O, C>>, ResumeError | HookError<O>, BelvoClient | HookContext<O>> {
  yield* knownKeys("options", options, RESUME_KEYS)
  const { baseUrl } = yield* BelvoClient
  const route = routeOf(baseUrl, "PATCH", PATH)
  yield* Effect.fromResult(
    Result.mapError(
      MfaChallenge.check(challenge),
      (reason) =>
        new BelvoError.InvalidQuery({
          field: "challenge",
          value: typeof challenge === "object" && challenge !== null ? challenge.session : challenge,
          reason
        })
    )
  )
  if (token !== undefined && (typeof token !== "string" || token.length === 0 || token.length > 256)) {
    return yield* new BelvoError.InvalidQuery({
      field: "token",
      value: typeof token === "string" ? `${token.length} characters` : token,
      reason: "must be a non-empty string of at most 256 characters, or undefined when no token is needed"
    })
  }
  // The resume returns what the retrieve asked for, unless told otherwise.
  const projection = projectionOf({
    fields: options?.fields ?? (options?.omit === undefined ? challenge.fields : undefined),
    omit: options?.omit ?? (options?.fields === undefined ? challenge.omit : undefined)
  })
  const urlParams = yield* Effect.fromResult(BalanceQuery.encodeProjection(projection))
  const save_data = options?.save_data ?? challenge.save_data
  if (yield* MfaChallenge.isExpired(challenge)) {
    yield* resumed("expired")
    return yield* Errors.sessionExpired(challenge, route, "before it was resumed")
  }
  const request = HttpClientRequest.patch(PATH, { urlParams }).pipe(
    HttpClientRequest.bodyJsonUnsafe({
      session: challenge.session,
      ...(token === undefined ? {} : { token }),
      link: challenge.link,
      save_data
    })
  )
  const answer = yield* Attempt.send({
    request,
    route,
    idempotency: "never",
    table: mutationTable({ link: challenge.link, save_data, ...projection }),
    overrides: { ...callOptionsOf(options), retry: false },
    beforeSend: options?.beforeSend as Effect.Effect<void, HookError<O>, HookContext<O>> | undefined
  }).pipe(
    Effect.tapError((error) =>
      Predicate.isTagged(error, "TokenRequired")
        ? Effect.andThen(challenged("resume"), resumed("challenged"))
        : resumed(Predicate.isTagged(error, "SessionExpired") ? "expired" : "failed")
    )
  )
  const balances = yield* Effect.fromResult(Answer.decode(answer, decodeBalances(projection))).pipe(
    Effect.tapError(() => resumed("failed"))
  )
  yield* resumed("completed")
  return retrieval(answer, balances as ReadonlyArray<ResumedItem<O, C>>)
})

/**
 * The item type {@link resume} returns: exact when its options name literal `fields` / `omit`;
 * else the challenge's own when it is typed (`MfaChallenge.Typed<A>`, from `MfaChallenge.fromJson`
 * with the retrieve's projection); otherwise a balance whose fields are all optional, since the
 * challenge's projection (which the resume repeats) is only known at run time. `Mfa.answer` keeps
 * the retrieve's exact type.
 *
 * @example
 * ```ts
 * import type { Balance, Balances, MfaChallenge } from "effect-belvo"
 *
 * type Slim = Balances.ResumedItem<{ fields: readonly ["id", "available"] }> // Pick<Balance, "id" | "available">
 * type Whole = Balances.ResumedItem<{}, MfaChallenge.Typed<Balance.Balance>> // Balance
 * type Unknown = Balances.ResumedItem<{}> // Partial<Balance>
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export type ResumedItem<O, C = MfaChallenge.MfaChallenge> = O extends
  | { readonly fields: ReadonlyArray<Balance.Field> }
  | { readonly omit: ReadonlyArray<Balance.Field> }
  ? BalanceQuery.Projected<O>
  : C extends MfaChallenge.Typed<infer A>
    ? A
    : Partial<Balance.Balance>

/** The error and context of an options object's send hook. */
type HookError<O> = O extends { readonly beforeSend: Effect.Effect<void, infer E, infer _R> } ? E : never
type HookContext<O> = O extends { readonly beforeSend: Effect.Effect<void, infer _E, infer R> } ? R : never

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
export const get = Effect.fn("Balances.get")(function* <const P extends BalanceQuery.Projection = {}>(
  id: string,
  projection?: P & Keys.NoExtraKeys<P, BalanceQuery.Projection>,
  options?: CallOptions
): Effect.fn.Return<BalanceQuery.Projected<P>, GetError, BelvoClient> {
  yield* knownKeys("", projection, PROJECTION_KEYS)
  yield* knownKeys("options", options, CALL_KEYS)
  const balanceId = yield* requireUuid("id", id)
  const shape = projectionOf(projection ?? {})
  const urlParams = yield* Effect.fromResult(BalanceQuery.encodeProjection(shape))
  const { baseUrl } = yield* BelvoClient
  const path = `${PATH}${balanceId}/`
  const answer = yield* Attempt.send({
    request: HttpClientRequest.get(path, { urlParams }),
    route: routeOf(baseUrl, "GET", path),
    idempotency: "idempotent",
    table: readTable,
    overrides: options
  })
  const balance = yield* Effect.fromResult(Answer.decode(answer, decodeBalance(shape)))
  return balance as BalanceQuery.Projected<P>
})

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
   * Pages fetched at once after the first (which gives `count`), a whole number from 1 to 64. Items
   * are always emitted in page order; memory holds about `concurrency + 1` pages. Default
   * {@link defaultConcurrency}.
   */
  readonly concurrency?: number | undefined
  /**
   * The most pages one listing may take, a whole number from 1 to 1,000,000: the bound on a server
   * that never ends. A `count` implying more fails before paging; more `next` links than this fail
   * when reached. Default {@link defaultMaxPages}.
   */
  readonly maxPages?: number | undefined
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

/**
 * The default bound on the pages of one listing: 10,000 pages (10 million balances at
 * {@link defaultListPageSize}), far past any real link, near enough to stop a server that never ends.
 *
 * @example
 * ```ts
 * import { Balances } from "effect-belvo"
 *
 * console.log(Balances.defaultMaxPages) // 10000
 * // An archive job reading a very large link at Belvo's default page size:
 * const all = Balances.list({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058", page_size: 100 }, { maxPages: 200_000 })
 * ```
 *
 * @since 1.0.0
 * @category defaults
 */
export const defaultMaxPages = 10_000

const wholeOption = (field: string, value: number | undefined, fallback: number, max: number) =>
  value === undefined
    ? Effect.succeed(fallback)
    : Number.isInteger(value) && value >= 1 && value <= max
      ? Effect.succeed(value)
      : Effect.fail(
          new BelvoError.InvalidQuery({ field, value, reason: `must be a whole number from 1 to ${max}` })
        )

/**
 * Sends one page request of a listing, under the client's policy for GET; within `list`, each page
 * gets its own "Balances.listPage" span (`listPage` is one already).
 */
const fetchPage =
  (baseUrl: URL, options: CallOptions | undefined, spanEach: boolean) =>
  (request: HttpClientRequest.HttpClientRequest, onStart?: Effect.Effect<void>) => {
    const sent = Attempt.send({
      request,
      route: routeOf(baseUrl, "GET", PATH),
      idempotency: "idempotent",
      table: readTable,
      overrides: options,
      onStart
    })
    return spanEach ? sent.pipe(Effect.withSpan("Balances.listPage", { kind: "client" })) : sent
  }

/** A list query checked and encoded, and what paging it needs. */
const prepareList = Effect.fnUntraced(function* (
  query: BalanceQuery.ListQuery,
  options: ListOptions | undefined,
  spanEach: boolean,
  defaultPageSize?: number
) {
  const maxPages = yield* wholeOption("maxPages", options?.maxPages, defaultMaxPages, 1_000_000)
  const withSize =
    defaultPageSize !== undefined && query.page_size === undefined
      ? { ...query, page_size: defaultPageSize }
      : query
  const urlParams = yield* Effect.fromResult(BalanceQuery.encode(withSize))
  const { baseUrl } = yield* BelvoClient
  const listing: Paginate.Listing<
    unknown,
    Errors.ErrorOf<typeof readTable> | Transport | BelvoError.InvalidQuery,
    BelvoClient
  > = {
    baseUrl,
    request: HttpClientRequest.get(PATH, { urlParams }),
    pageSize: withSize.page_size ?? 100,
    firstPage: withSize.page ?? 1,
    maxPages,
    decode: decoderOf(
      FastDecode.withFallback(
        Balance.Page(BalanceQuery.projection(projectionOf(query))),
        FastDecode.page(BalanceQuery.keptFields(projectionOf(query)))
      )
    ),
    fetch: fetchPage(baseUrl, options, spanEach)
  }
  return listing
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
export const listPage = Effect.fn("Balances.listPage")(function* <const Q extends BalanceQuery.ListQuery>(
  query: Q & Keys.NoExtraKeys<Q, BalanceQuery.ListQuery>,
  options?: CallOptions
): Effect.fn.Return<Balance.Page<BalanceQuery.Projected<Q>>, ListError, BelvoClient> {
  yield* knownKeys("options", options, CALL_KEYS)
  const listing = yield* prepareList(query, options, false)
  const answer = yield* listing.fetch(listing.request)
  const page = yield* Effect.fromResult(Answer.decode(answer, listing.decode))
  return page as Balance.Page<BalanceQuery.Projected<Q>>
})

/**
 * Streams every balance matching the query, across all pages, in order, in constant memory.
 *
 * The first page gives `count`; the rest are fetched up to `concurrency` at a time and emitted in
 * page order, each page whole once decoded (a retried page never duplicates or drops an item).
 * At `concurrency: 1` the server's `next` links are followed, one request at a time, and the next
 * request goes out while the current page is decoded. A stream never ends early in silence: past
 * the pages `count` implies, `next` links are still followed, so every item the server has is
 * yielded, or the stream fails.
 * Pages stay on the client's origin: a `next` URL elsewhere fails with `PaginationError`, and so
 * does a server that links a page twice, sends an empty page that links to another, or goes past
 * `maxPages`. `page_size` defaults to 1000.
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
  query: Q & Keys.NoExtraKeys<Q, BalanceQuery.ListQuery>,
  options?: ListOptions
): Stream.Stream<BalanceQuery.Projected<Q>, ListError, BelvoClient> =>
  Stream.unwrap(
    Effect.gen(function* () {
      yield* knownKeys("options", options, LIST_KEYS)
      const concurrency = yield* wholeOption("concurrency", options?.concurrency, defaultConcurrency, 64)
      const listing = yield* prepareList(query, options, true, defaultListPageSize)
      return Paginate.pages(listing, concurrency)
    })
  ).pipe(
    // Pages become items last, each page's array handed on whole as one chunk. A stream stage
    // keeps the last element it emitted until it emits the next; with nested streams, a page's
    // items kept that way while the next page is on the wire survive young-generation collections
    // (measured: 2.7x the promoted bytes).
    Stream.filter((page) => page.results.length > 0),
    Stream.map(
      (page) => page.results as readonly [BalanceQuery.Projected<Q>, ...Array<BalanceQuery.Projected<Q>>]
    ),
    Stream.flattenArray,
    Stream.withSpan("Balances.list")
  )
