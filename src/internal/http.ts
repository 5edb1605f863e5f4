/**
 * One request, start to finish: permit, attempt with timeout, bounded body read, status to tagged
 * error or decoded value, retries by policy, span and debug log. Every endpoint goes through `call`.
 *
 * @internal
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as Headers from "@effect/platform/Headers"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { BelvoClient, type CallOptions, type RetryPolicy } from "../BelvoClient.js"
import * as BelvoError from "../BelvoError.js"
import { MfaChallenge } from "../MfaChallenge.js"
import { excerpt, parseLossless } from "./json.js"
import { throttledClients } from "./throttle.js"

/** Which requests may be sent again. */
export type Idempotency =
  /** Safe to repeat (GET). */
  | "idempotent"
  /** Repeat only when the request provably never reached the server (POST retrieve). */
  | "unsent-only"
  /** Never repeat (PATCH resume: a token is single use). */
  | "never"

/** What the request was, for error messages and MFA challenges. */
export interface RequestContext {
  readonly method: string
  readonly path: string
  /** For 428 answers: what the original retrieve asked for, so a resume returns the same shape. */
  readonly mfa?: {
    /** The link asked for, in case a 428 item does not repeat it. */
    readonly link: string
    readonly save_data: boolean
    readonly fields?: ReadonlyArray<string> | undefined
    readonly omit?: ReadonlyArray<string> | undefined
  }
}

/** The statuses an endpoint documents; any other status becomes `UnknownStatus`. */
export type Documented = ReadonlySet<number>

/** A 2xx answer as received: what a decode error reports. */
export interface Answer {
  readonly context: RequestContext
  readonly status: number
  readonly requestId: string | null
  readonly text: string
}

/**
 * The `DecodeError` for a 2xx answer whose body does not match the API. Exported for decoding
 * that finishes after the call (a list page decoded while the next one is on its way).
 */
export const decodeFailure = (answer: Answer, reason: string): BelvoError.DecodeError =>
  new BelvoError.DecodeError({
    message: `${answer.context.method} ${answer.context.path} -> ${answer.status}: the response body does not match the API (request_id ${answer.requestId ?? "none"}): ${firstLine(reason)}`,
    status: answer.status,
    method: answer.context.method,
    path: answer.context.path,
    request_id: answer.requestId,
    reason,
    body: excerpt(answer.text)
  })

/**
 * Passed as `decode`, leaves a 2xx body unparsed: the call succeeds with the `Answer`, to be
 * decoded later with `decodeAnswer` (a page waiting for its turn holds one flat string, not a
 * thousand objects the garbage collector must trace).
 */
export const unparsed = (_body: unknown, answer: Answer): Either.Either<Answer, ParseResult.ParseError> =>
  Either.right(answer)

/** Parses a 2xx answer's body, amounts kept exact, and decodes it; a mismatch is a `DecodeError`. */
export const decodeAnswer = <A>(
  answer: Answer,
  decode: (body: unknown, answer: Answer) => Either.Either<A, ParseResult.ParseError>
): Either.Either<A, BelvoError.DecodeError> => {
  let json: unknown
  try {
    json = parseLossless(answer.text)
  } catch (error) {
    return Either.left(decodeFailure(answer, `malformed JSON: ${(error as Error).message}`))
  }
  return Either.mapLeft(decode(json, answer), (error) => decodeFailure(answer, error.message))
}

/** A decoded success. */
export interface Success<A> {
  readonly status: number
  readonly value: A
  readonly requestId: string | null
}

type AttemptError =
  | BelvoError.ApiError
  | BelvoError.TransportError
  | BelvoError.Timeout
  | BelvoError.DecodeError

/**
 * Sends `request` (an absolute URL on the client's origin) and decodes a 2xx body with `decode`.
 * The error type is widened by the caller to what its endpoint documents.
 */
export const call = <A>(options: {
  readonly request: HttpClientRequest.HttpClientRequest
  readonly context: RequestContext
  readonly idempotency: Idempotency
  readonly documented: Documented
  /** Gets the parsed body and the answer it came in (for a decode that finishes later). */
  readonly decode: (body: unknown, answer: Answer) => Either.Either<A, ParseResult.ParseError>
  readonly span: string
  readonly overrides?: CallOptions | undefined
  /**
   * Runs for each attempt just before the request is handed to the HTTP client. On a client with
   * a rate limit or an in-flight cap it runs as the attempt starts instead, before that wait, so
   * whoever waits for it is never held up by the limit.
   */
  readonly onSend?: Effect.Effect<void> | undefined
}): Effect.Effect<Success<A>, AttemptError, BelvoClient> =>
  Effect.flatMap(BelvoClient, (client) => {
    const settings = client.settings
    const policy = options.overrides?.retry !== undefined ? options.overrides.retry : settings.retry
    const attemptTimeout =
      options.overrides?.attemptTimeout !== undefined
        ? Duration.decode(options.overrides.attemptTimeout)
        : settings.attemptTimeout
    const callTimeout =
      options.overrides?.callTimeout !== undefined
        ? Duration.decode(options.overrides.callTimeout)
        : settings.callTimeout
    const { method, path } = options.context
    const { onSend } = options
    // Whether the client may hold the request back: then `onSend` runs before that wait.
    const early = throttledClients.has(client)
    let attempt = 0

    const once = Effect.suspend(() => {
      attempt += 1
      const current = attempt
      const attemptOnce = client
        .withPermit(
          (onSend === undefined || early
            ? client.httpClient.execute(options.request)
            : Effect.zipRight(onSend, client.httpClient.execute(options.request))
          ).pipe(
            Effect.mapError((error) => transportError(options.context, error.cause ?? error, error.message)),
            Effect.flatMap((response) => readBody(response, settings.maxResponseBytes, options.context)),
            Effect.timeoutFail({
              duration: attemptTimeout,
              onTimeout: () =>
                new BelvoError.Timeout({
                  message: `${method} ${path} got no complete response within ${Duration.format(attemptTimeout)} (attempt ${current})`,
                  method,
                  path,
                  millis: Duration.toMillis(attemptTimeout),
                  scope: "attempt"
                })
            }),
            Effect.scoped
          )
        )
        .pipe(
          Effect.flatMap(({ status, headers, text }) =>
            Effect.annotateCurrentSpan({
              "http.response.status_code": status,
              "belvo.attempt": current
            }).pipe(
              Effect.zipRight(interpret(status, headers, text, options)),
              Effect.tap((success) =>
                traceAnswer(`${method} ${path} -> ${status}`, current, success.requestId)
              ),
              Effect.tapError((error) =>
                traceAnswer(`${method} ${path} -> ${status} ${error._tag}`, current, requestIdOf(error))
              )
            )
          ),
          Effect.tapErrorTag("TransportError", (error) =>
            Effect.logDebug(`${method} ${path} transport failure: ${error.message}`).pipe(
              Effect.annotateLogs({ attempt: current })
            )
          ),
          Effect.tapErrorTag("Timeout", (error) =>
            Effect.logDebug(error.message).pipe(Effect.annotateLogs({ attempt: current }))
          ),
          withManualRedirects
        )
      return onSend !== undefined && early ? Effect.zipRight(onSend, attemptOnce) : attemptOnce
    })

    const retried =
      policy === false || policy.maxRetries <= 0
        ? once
        : Effect.retry(
            once,
            retrySchedule(policy, (error) => isRetryable(error, options.idempotency))
          )

    return retried.pipe(
      Effect.timeoutFail({
        duration: callTimeout,
        onTimeout: () =>
          new BelvoError.Timeout({
            message: `${method} ${path} did not complete within ${Duration.format(callTimeout)}, retries included`,
            method,
            path,
            millis: Duration.toMillis(callTimeout),
            scope: "call"
          })
      }),
      Effect.withSpan(options.span, {
        kind: "client",
        attributes: { "http.request.method": method, "url.path": path }
      })
    )
  })

/** fetch follows redirects by itself; Belvo does not redirect, so a 3xx is surfaced, never followed. */
const withManualRedirects = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.serviceOption(FetchHttpClient.RequestInit), (init) =>
    Effect.provideService(effect, FetchHttpClient.RequestInit, {
      ...Option.getOrElse(init, () => ({})),
      redirect: "manual"
    })
  )

interface RawResponse {
  readonly status: number
  readonly headers: Headers.Headers
  readonly text: string
}

const decoder = new TextDecoder()

/** Reads the body, refusing more than `limit` bytes so a runaway body cannot exhaust memory. */
const readBody = (
  response: HttpClientResponse.HttpClientResponse,
  limit: number,
  context: RequestContext
): Effect.Effect<RawResponse, BelvoError.TransportError | BelvoError.DecodeError> => {
  const tooLarge = (size: string) =>
    new BelvoError.DecodeError({
      message: `${context.method} ${context.path} -> ${response.status}: body of ${size} exceeds the ${limit}-byte limit`,
      status: response.status,
      method: context.method,
      path: context.path,
      request_id: headerRequestId(response.headers),
      reason: "body too large",
      body: ""
    })
  const failedMidBody = (error: { readonly cause?: unknown }) =>
    transportError(context, error.cause ?? error, "the connection failed mid-body")
  const answered = (text: string): RawResponse => ({
    status: response.status,
    headers: response.headers,
    text
  })
  const declared = Number(response.headers["content-length"])
  if (Number.isFinite(declared)) {
    if (declared > limit) return Effect.fail(tooLarge(`${declared} bytes`))
    // The client stops at the declared length, so the whole body can be read at once.
    return Effect.mapBoth(response.text, { onFailure: failedMidBody, onSuccess: answered })
  }
  // No length (chunked): count bytes as they come and stop past the limit.
  const chunks: Array<Uint8Array> = []
  let size = 0
  return response.stream.pipe(
    Stream.mapError(failedMidBody),
    Stream.runForEach((chunk) => {
      size += chunk.length
      if (size > limit) return Effect.fail(tooLarge(`more than ${limit} bytes`))
      chunks.push(chunk)
      return Effect.void
    }),
    Effect.map(() =>
      answered(chunks.length === 1 ? decoder.decode(chunks[0]) : decoder.decode(concat(chunks, size)))
    )
  )
}

const concat = (chunks: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

const NEVER_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"])

/** Connection refused or no such host: the server never saw the request. */
const neverSent = (cause: unknown): boolean => {
  let current: unknown = cause
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string" && NEVER_SENT.has(code)) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}

const causeText = (cause: unknown): string => {
  const parts: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown }
    if (typeof message === "string" && message !== "")
      parts.push(typeof code === "string" ? `${code}: ${message}` : message)
    current = (current as { cause?: unknown }).cause
  }
  return parts.join(" <- ")
}

const transportError = (context: RequestContext, cause: unknown, fallback: string) => {
  const sent = !neverSent(cause)
  return new BelvoError.TransportError({
    message: `${context.method} ${context.path} failed in transport: ${causeText(cause) || fallback}${sent ? "" : " (never sent)"}`,
    method: context.method,
    path: context.path,
    sent
  })
}

const headerRequestId = (headers: Headers.Headers): string | null =>
  headers["x-request-id"] ?? headers["request-id"] ?? null

/** One debug line per answered attempt, and the request id on the call's span. */
const traceAnswer = (line: string, attempt: number, requestId: string | null) =>
  Effect.zipRight(
    Effect.annotateCurrentSpan("belvo.request_id", requestId ?? "none"),
    Effect.logDebug(line).pipe(Effect.annotateLogs({ attempt, request_id: requestId ?? "none" }))
  )

const requestIdOf = (error: AttemptError): string | null => ("request_id" in error ? error.request_id : null)

const interpret = <A>(
  status: number,
  headers: Headers.Headers,
  text: string,
  options: {
    readonly context: RequestContext
    readonly documented: Documented
    readonly decode: (body: unknown, answer: Answer) => Either.Either<A, ParseResult.ParseError>
  }
): Effect.Effect<Success<A>, AttemptError> => {
  const { context } = options
  if (status >= 200 && status < 300) {
    const answer: Answer = { context, status, requestId: headerRequestId(headers), text }
    const decoded =
      options.decode === unparsed ? Either.right(answer as A) : decodeAnswer(answer, options.decode)
    return Either.match(decoded, {
      onLeft: Effect.fail,
      onRight: (value) => Effect.succeed({ status, value, requestId: answer.requestId })
    })
  }
  return Effect.flatMap(apiError(status, headers, text, options.context, options.documented), Effect.fail)
}

const firstLine = (text: string): string => {
  const lines = text.split("\n")
  return lines.length <= 3 ? lines.join(" ") : `${lines.slice(0, 3).join(" ")} …`
}

const decodeItem = Schema.decodeUnknownOption(BelvoError.ErrorItem)

/** Error bodies are arrays of items; a single object (or a `{detail}` object) is accepted too. */
const errorItems = (status: number, text: string): ReadonlyArray<BelvoError.ErrorItem> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return []
  }
  const raw = Array.isArray(json) ? json : [json]
  const items: Array<BelvoError.ErrorItem> = []
  for (const entry of raw) {
    const item = decodeItem(entry)
    if (Option.isSome(item)) items.push(item.value)
    else if (
      typeof entry === "object" &&
      entry !== null &&
      typeof (entry as { detail?: unknown }).detail === "string"
    ) {
      items.push({
        code: DEFAULT_CODE[status] ?? `http_${status}`,
        message: (entry as { detail: string }).detail
      })
    }
  }
  return items
}

/** The code a status implies when the body does not say. */
const DEFAULT_CODE: Record<number, string> = {
  400: "invalid",
  401: "authentication_failed",
  403: "access_to_resource_denied",
  404: "not_found",
  408: "request_timeout",
  428: "token_required",
  429: "too_many_requests",
  500: "unexpected_error"
}

const BAD_REQUEST: Record<
  string,
  new (
    fields: Schema.Struct.Type<typeof BelvoError.ApiErrorFields>
  ) => BelvoError.BadRequestError
> = {
  session_expired: BelvoError.SessionExpired,
  too_many_sessions: BelvoError.TooManySessions,
  login_error: BelvoError.LoginError,
  institution_down: BelvoError.InstitutionDown,
  institution_unavailable: BelvoError.InstitutionUnavailable,
  institution_inactive: BelvoError.InstitutionInactive,
  invalid_link: BelvoError.InvalidLink,
  unconfirmed_link: BelvoError.UnconfirmedLink,
  unsupported_operation: BelvoError.UnsupportedOperation,
  invalid_period: BelvoError.InvalidPeriod,
  invalid_credentials_storage: BelvoError.InvalidCredentialsStorage,
  invalid_fetch_resources: BelvoError.InvalidFetchResources
}

const VALIDATION_CODES = new Set(["required", "null", "blank", "invalid", "does_not_exist"])

/** Retry-After in seconds or as an HTTP date, in millis from now. */
const retryAfterMillis = (headers: Headers.Headers, now: number): number | null => {
  const value = headers["retry-after"]
  if (value === undefined) return null
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

/** Maps a non-2xx response to its tagged error. Exported for tests of the mapping table. */
export const apiError = (
  status: number,
  headers: Headers.Headers,
  text: string,
  context: RequestContext,
  documented: Documented
): Effect.Effect<BelvoError.ApiError | BelvoError.DecodeError> =>
  Effect.map(Clock.currentTimeMillis, (now): BelvoError.ApiError | BelvoError.DecodeError => {
    const items = errorItems(status, text)
    const first = items[0]
    const code = first?.code ?? DEFAULT_CODE[status] ?? `http_${status}`
    const detail = first?.message ?? (text.trim() === "" ? "(empty body)" : excerpt(text, 200))
    const request_id = first?.request_id ?? headerRequestId(headers)
    const fields = {
      message: `${status} ${code}: ${detail} (${context.method} ${context.path}, request_id ${request_id ?? "none"})`,
      status,
      method: context.method,
      path: context.path,
      code,
      detail,
      request_id,
      errors: items
    }
    const retryAfter = retryAfterMillis(headers, now)
    if (status === 429) return new BelvoError.TooManyRequests({ ...fields, retryAfterMillis: retryAfter })
    if (!documented.has(status)) {
      return new BelvoError.UnknownStatus({
        ...fields,
        message: `${status} ${code}: ${detail} (${context.method} ${context.path}, request_id ${request_id ?? "none"}; status not documented for this endpoint)`,
        body: excerpt(text),
        retryAfterMillis: retryAfter
      })
    }
    switch (status) {
      case 400: {
        const known = BAD_REQUEST[code]
        if (known) return new known(fields)
        if (VALIDATION_CODES.has(code))
          return new BelvoError.ValidationError({ ...fields, field: first?.field ?? null })
        return new BelvoError.BadRequest(fields)
      }
      case 401:
        return code === "consent_without_accounts"
          ? new BelvoError.ConsentWithoutAccounts(fields)
          : new BelvoError.AuthenticationFailed(fields)
      case 403:
        return new BelvoError.AccessDenied(fields)
      case 404:
        return new BelvoError.NotFound(fields)
      case 408:
        return new BelvoError.RequestTimeout(fields)
      case 428: {
        if (first?.session === undefined || first.expiry === undefined) {
          return new BelvoError.DecodeError({
            message: `${context.method} ${context.path} -> 428 without the session and expiry needed to resume (request_id ${request_id ?? "none"})`,
            status,
            method: context.method,
            path: context.path,
            request_id,
            reason: "token_required item lacks session or expiry",
            body: excerpt(text)
          })
        }
        const challenge = new MfaChallenge({
          session: first.session,
          link: first.link ?? context.mfa?.link ?? "",
          expiry: first.expiry,
          expiresAt: DateTime.unsafeMake(now + first.expiry * 1000),
          ...(first.token_generation_data ? { token_generation_data: first.token_generation_data } : {}),
          request_id,
          save_data: context.mfa?.save_data ?? true,
          ...(context.mfa?.fields ? { fields: context.mfa.fields as MfaChallenge["fields"] & {} } : {}),
          ...(context.mfa?.omit ? { omit: context.mfa.omit as MfaChallenge["omit"] & {} } : {})
        })
        return new BelvoError.TokenRequired({ ...fields, challenge })
      }
      default:
        return new BelvoError.UnexpectedError(fields)
    }
  })

const TRANSIENT_STATUS = new Set([502, 503, 504])

/** What may be retried, by how safe it is to send the request again. */
export const isRetryable = (error: AttemptError, idempotency: Idempotency): boolean => {
  if (idempotency === "never") return false
  if (error._tag === "TransportError") return idempotency === "idempotent" || !error.sent
  if (idempotency !== "idempotent") return false
  switch (error._tag) {
    case "Timeout":
      return error.scope === "attempt"
    case "RequestTimeout":
    case "TooManyRequests":
    case "UnexpectedError":
      return true
    case "UnknownStatus":
      return TRANSIENT_STATUS.has(error.status)
    default:
      return false
  }
}

const retryAfterOf = (error: AttemptError): number | null =>
  error._tag === "TooManyRequests" || error._tag === "UnknownStatus" ? error.retryAfterMillis : null

/**
 * Exponential backoff with optional jitter, each wait capped; a `Retry-After` lengthens the wait
 * (up to its own cap); stops after `maxRetries` or at the first error that is not retryable.
 */
export const retrySchedule = (
  policy: RetryPolicy,
  retryable: (error: AttemptError) => boolean
): Schedule.Schedule<unknown, AttemptError> => {
  const maxDelay = Duration.decode(policy.maxDelay)
  const maxRetryAfter = Duration.decode(policy.maxRetryAfter)
  const backoff = Schedule.exponential(policy.baseDelay, 2).pipe(
    (schedule) => (policy.jitter ? Schedule.jittered(schedule) : schedule),
    Schedule.modifyDelay((_, delay) => Duration.min(delay, maxDelay))
  )
  return backoff.pipe(
    Schedule.intersect(Schedule.recurs(policy.maxRetries)),
    Schedule.intersect(Schedule.identity<AttemptError>()),
    Schedule.modifyDelay(([, error], delay) => {
      const retryAfter = retryAfterOf(error)
      return retryAfter === null
        ? delay
        : Duration.max(delay, Duration.min(Duration.millis(retryAfter), maxRetryAfter))
    }),
    Schedule.whileInput(retryable)
  )
}

/** Builds an absolute request URL on the client's base URL. */
export const urlFor = (base: URL, relativePath: string): URL => new URL(relativePath, base)

/** Whether `url` is on the client's origin and under its base path. */
export const onBase = (base: URL, url: URL): boolean =>
  url.origin === base.origin && url.pathname.startsWith(base.pathname)
