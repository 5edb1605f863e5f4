/**
 * One request, start to finish: each attempt waits for the client's limits, runs the endpoint's
 * send hook (once per request that leaves), is sent and its body read within the attempt timeout,
 * and its status becomes a 2xx `Answer` or the endpoint's tagged error; failed attempts are retried
 * by how safe the request is to repeat, all within the call timeout. The endpoint's span gets the
 * attempt number and request id; each attempt logs a debug line.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Headers from "effect/http/Headers"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import { BelvoClient, type CallOptions, type RetryPolicy, type Settings } from "../BelvoClient.js"
import * as BelvoError from "../BelvoError.js"
import type { Answer } from "./answer.js"
import * as Body from "./body.js"
import * as Codes from "./codes.js"
import * as Errors from "./errors.js"
import * as Limits from "./limits.js"
import * as Measure from "./measure.js"
import * as Checks from "./settings.js"
import * as Transport from "./transport.js"

/** Which requests may be sent again. */
export type Idempotency =
  /** Safe to repeat (GET). */
  | "idempotent"
  /** Repeat only when the request provably never reached the server (POST retrieve). */
  | "unsent-only"
  /** Never repeat (PATCH resume: a token is single use). */
  | "never"

/** What to send and how the answer is read. */
export interface Spec<T extends Errors.StatusTable, E = never, R = never> {
  /** The request, its URL relative to the client's base URL. */
  readonly request: HttpClientRequest.HttpClientRequest
  /** Method and path, for errors and logs. */
  readonly route: Errors.Route
  readonly idempotency: Idempotency
  /** The endpoint's documented statuses and their errors. */
  readonly table: T
  readonly overrides?: CallOptions | undefined
  /**
   * Signalled as each attempt starts, before it waits for the client's limits: whoever waits for
   * it (the pagination's decoder) is never held up by them.
   */
  readonly onStart?: Effect.Effect<void> | undefined
  /**
   * The send hook: runs inside the client's limits (after the rate limit let the request through,
   * holding its in-flight slot), just before the request leaves, and once per request that leaves:
   * a retry of a request that provably never left is the same request and does not run it again.
   * A failure sends nothing and is the call's failure, never retried.
   */
  readonly beforeSend?: Effect.Effect<void, E, R> | undefined
}

/** What one attempt can fail with. */
export type AttemptError<T extends Errors.StatusTable> =
  | Errors.ErrorOf<T>
  | BelvoError.TransportError
  | BelvoError.Timeout
  | BelvoError.DecodeError

interface Exchange {
  readonly status: number
  readonly headers: Headers.Headers
  readonly body: Body.Body
}

/** The send hook's failure while the attempts run: never retried, handed on as it is after them. */
class HookFailed<E> {
  constructor(readonly error: E) {}
}

/** The client's settings with a call's overrides, each checked before anything is sent. */
const settingsFor = (
  settings: Settings,
  overrides: CallOptions | undefined
): Result.Result<Settings, BelvoError.InvalidQuery> =>
  Result.gen(function* () {
    if (overrides === undefined) return settings
    const timeout = (field: "attemptTimeout" | "callTimeout", fallback: Duration.Duration) => {
      const value = overrides[field]
      return value === undefined
        ? Result.succeed(fallback)
        : Result.mapError(
            Checks.checkDuration(value, Checks.maxTimeout),
            (reason) => new BelvoError.InvalidQuery({ field, value, reason })
          )
    }
    const retry = overrides.retry ?? settings.retry
    const problem = Checks.checkRetryPolicy(retry)
    if (problem !== undefined)
      return yield* Result.fail(
        new BelvoError.InvalidQuery({ field: "retry", value: retry, reason: problem })
      )
    return {
      ...settings,
      attemptTimeout: yield* timeout("attemptTimeout", settings.attemptTimeout),
      callTimeout: yield* timeout("callTimeout", settings.callTimeout),
      retry
    }
  })

/** Whether an attempt's exchange failed before its request left. */
const neverLeft = <A, E>(exit: Exit.Exit<A, E>): boolean =>
  Exit.isFailure(exit) &&
  Option.match(Cause.findErrorOption(exit.cause), {
    onNone: () => false,
    onSome: (error) =>
      Predicate.isTagged(error, "TransportError") &&
      Predicate.hasProperty(error, "sent") &&
      error.sent === false
  })

/** Sends `spec.request` and returns its 2xx answer, or the endpoint's error for any other status. */
export const send = <T extends Errors.StatusTable, E = never, R = never>(
  spec: Spec<T, E, R>
): Effect.Effect<Answer, AttemptError<T> | BelvoError.InvalidQuery | E, BelvoClient | R> =>
  Effect.gen(function* () {
    const client = yield* BelvoClient
    const settings = yield* Effect.fromResult(settingsFor(client.settings, spec.overrides))
    const { httpClient, limits, redact } = Transport.of(client)
    const { route, onStart, beforeSend } = spec
    const { method, path } = route
    // Whatever the server sends is read once, bounded, and its text is only ever given cleared of
    // the client's own credentials (`Body`), so nothing (an answer, an error, a log line, a span)
    // can keep them.
    const execute = httpClient.execute(spec.request).pipe(
      Effect.mapError((error) => Errors.transportError(route, error.cause ?? error, error.message)),
      Effect.flatMap((response) =>
        Effect.map(
          Body.read(response, settings.maxResponseBytes, route, redact),
          (body): Exchange => ({ status: response.status, headers: response.headers, body })
        )
      ),
      Effect.mapError((error) => redacted(error, redact))
    )
    // The hook is owed once per request that leaves: again after one that left, not after one
    // that provably never did.
    let owed = true
    const hooked = <A, E1, R1>(
      exchange: Effect.Effect<A, E1, R1>
    ): Effect.Effect<A, E1 | HookFailed<E>, R1 | R> =>
      beforeSend === undefined
        ? exchange
        : Effect.andThen(
            Effect.suspend(() =>
              owed
                ? beforeSend.pipe(
                    Effect.mapError((error) => new HookFailed(error)),
                    Effect.tap(() =>
                      Effect.sync(() => {
                        owed = false
                      })
                    )
                  )
                : Effect.void
            ),
            Effect.onExit(exchange, (exit) =>
              Effect.sync(() => {
                if (!neverLeft(exit)) owed = true
              })
            )
          )
    const measure = Measure.forRoute(client.baseUrl, route)
    const limited = limits !== Limits.none
    let attempt = 0
    let lastFailure = ""
    const once = Effect.flatMap(Clock.currentTimeMillis, (startedAt) => {
      attempt += 1
      const current = attempt
      // When the request left, for its duration: set as the exchange starts, after limits and hook.
      let sentAt = -1
      const exchange = Effect.flatMap(Clock.currentTimeMillis, (at) => {
        sentAt = at
        return execute
      }).pipe(
        Effect.timeoutOrElse({
          duration: settings.attemptTimeout,
          orElse: () =>
            Effect.fail(
              new BelvoError.Timeout({
                message: `${method} ${path} got no complete response within ${Duration.format(settings.attemptTimeout)} (attempt ${current})`,
                method,
                path,
                millis: Duration.toMillis(settings.attemptTimeout),
                scope: "attempt"
              })
            )
        })
      )
      const waited = limited
        ? Effect.flatMap(Clock.currentTimeMillis, (at) => measure.waited(at - startedAt))
        : Effect.void
      const permitted = limits.withPermit(Effect.andThen(waited, hooked(exchange)), route)
      const retried = current > 1 ? measure.retried(lastFailure) : Effect.void
      return Effect.andThen(
        retried,
        onStart === undefined ? permitted : Effect.andThen(onStart, permitted)
      ).pipe(
        Effect.flatMap((answered) => interpret(spec, answered, current, redact)),
        Effect.onExit((exit) =>
          sentAt < 0
            ? Effect.void
            : Effect.flatMap(Clock.currentTimeMillis, (now) => {
                const outcome = outcomeOf(exit)
                return measure.took(now - sentAt, outcome.status, outcome.error)
              })
        ),
        Effect.tapError((error) => {
          if (error instanceof HookFailed) return Effect.void
          lastFailure = error._tag
          return Effect.andThen(
            error._tag === "TooManyRequests"
              ? Effect.andThen(measure.throttled, limits.backOff(error.retryAfterMillis))
              : Effect.void,
            Effect.logDebug(`${method} ${path} attempt ${current} failed: ${error._tag}`).pipe(
              Effect.annotateLogs({ attempt: current, request_id: requestIdOf(error) ?? "none" })
            )
          )
        })
      )
    })
    const policy = settings.retry
    const retried =
      policy === false || policy.maxRetries === 0
        ? once
        : Effect.retry(once, {
            schedule: backoff(policy),
            times: policy.maxRetries,
            while: (error) => !(error instanceof HookFailed) && isRetryable(error, spec.idempotency)
          })
    return yield* retried.pipe(
      Effect.timeoutOrElse({
        duration: settings.callTimeout,
        orElse: () =>
          Effect.fail(
            new BelvoError.Timeout({
              message: `${method} ${path} did not complete within ${Duration.format(settings.callTimeout)}, retries included`,
              method,
              path,
              millis: Duration.toMillis(settings.callTimeout),
              scope: "call"
            })
          )
      }),
      Effect.mapError((error) => (error instanceof HookFailed ? error.error : error))
    )
  })

/** An attempt's status (when the server answered) and error tag (when it failed), for its metrics. */
const outcomeOf = (
  exit: Exit.Exit<Answer, unknown>
): { readonly status: number | undefined; readonly error: string | undefined } => {
  if (Exit.isSuccess(exit)) return { status: exit.value.status, error: undefined }
  const error = Option.getOrUndefined(Cause.findErrorOption(exit.cause))
  if (!Predicate.hasProperty(error, "_tag") || typeof error._tag !== "string") {
    return { status: undefined, error: Cause.hasInterruptsOnly(exit.cause) ? "Interrupted" : "Defect" }
  }
  const status =
    Predicate.hasProperty(error, "status") && typeof error.status === "number" ? error.status : undefined
  return { status: status === 0 ? undefined : status, error: error._tag }
}

/** A transport or body error with the client's credentials taken out of what the server chose. */
const redacted = <E extends BelvoError.TransportError | BelvoError.DecodeError>(
  error: E,
  redact: (text: string) => string
): E => {
  const message = redact(error.message)
  const requestId =
    error._tag === "DecodeError" && error.request_id !== null ? redact(error.request_id) : null
  if (message === error.message && (error._tag !== "DecodeError" || requestId === error.request_id))
    return error
  return (
    error._tag === "TransportError"
      ? new BelvoError.TransportError({ ...error, message })
      : new BelvoError.DecodeError({ ...error, message, request_id: requestId })
  ) as E
}

/** A 2xx exchange becomes an `Answer`; any other status the endpoint's error. */
const interpret = <T extends Errors.StatusTable>(
  spec: Pick<Spec<T>, "route" | "table">,
  { status, headers, body }: Exchange,
  attempt: number,
  redact: (text: string) => string
): Effect.Effect<Answer, Errors.ErrorOf<T>> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const success = status >= 200 && status < 300
    const error = success
      ? undefined
      : Errors.toError(spec.table, Errors.failure(spec.route, status, headers, body.text(), now, redact))
    const headerId = Errors.headerRequestId(headers)
    const requestId = error === undefined ? (headerId === null ? null : redact(headerId)) : requestIdOf(error)
    const traced = Effect.andThen(
      Effect.annotateCurrentSpan({
        "http.response.status_code": status,
        "belvo.attempt": attempt,
        "belvo.request_id": requestId ?? "none"
      }),
      Effect.logDebug(
        `${spec.route.method} ${spec.route.path} -> ${status}${error ? ` ${error._tag}` : ""}`
      ).pipe(Effect.annotateLogs({ attempt, request_id: requestId ?? "none" }))
    )
    return error === undefined
      ? Effect.as(traced, { route: spec.route, status, requestId, body })
      : Effect.andThen(traced, Effect.fail(error))
  })

const requestIdOf = (error: BelvoError.BelvoError): string | null =>
  "request_id" in error ? error.request_id : null

/** What may be retried, by how safe it is to send the request again. */
export const isRetryable = (error: BelvoError.BelvoError, idempotency: Idempotency): boolean => {
  if (idempotency === "never") return false
  if (error._tag === "TransportError") return idempotency === "idempotent" || !error.sent
  if (idempotency !== "idempotent") return false
  if (error._tag === "Timeout") return error.scope === "attempt"
  if (error._tag === "DecodeError") return false
  return "status" in error && Codes.transientStatuses.has(error.status)
}

const retryAfterOf = (error: unknown): number | null =>
  typeof error === "object" &&
  error !== null &&
  "retryAfterMillis" in error &&
  typeof error.retryAfterMillis === "number"
    ? error.retryAfterMillis
    : null

/**
 * Exponential backoff from `baseDelay`, optionally jittered, each wait capped at `maxDelay`; a
 * `Retry-After` lengthens the wait, up to `maxRetryAfter`.
 */
export const backoff = (policy: RetryPolicy): Schedule.Schedule<Duration.Duration, unknown> => {
  const maxDelay = Duration.fromInputUnsafe(policy.maxDelay)
  const maxRetryAfter = Duration.fromInputUnsafe(policy.maxRetryAfter)
  const exponential = Schedule.exponential(policy.baseDelay, 2)
  return (policy.jitter ? Schedule.jittered(exponential) : exponential).pipe(
    Schedule.modifyDelay(({ duration, input }) => {
      const capped = Duration.min(duration, maxDelay)
      const retryAfter = retryAfterOf(input)
      return Effect.succeed(
        retryAfter === null
          ? capped
          : Duration.max(capped, Duration.min(Duration.millis(retryAfter), maxRetryAfter))
      )
    })
  )
}
