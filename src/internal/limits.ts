/**
 * The limits a client puts on its own requests: a rate limit (this client's own, in memory, or one
 * shared by every process on a `RateLimiter` store found in context) and a cap on requests in
 * flight. `withPermit` runs one attempt under them; `backOff` spends the rest of the window after a
 * 429, so every client on the same limiter waits, not only the one that was refused.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as Option from "effect/Option"
import * as RateLimiter from "effect/persistence/RateLimiter"
import * as Semaphore from "effect/Semaphore"
import type { Settings } from "../BelvoClient.js"
import * as BelvoError from "../BelvoError.js"
import { pathOf } from "./configured.js"
import { type Route, retryAfterMillis } from "./errors.js"

export interface Limits {
  /**
   * Runs one attempt under the limits: waits for the rate limit (holding at most one window's worth
   * of permits at a time), then an in-flight slot. A limiter whose store fails fails the attempt
   * with a `TransportError` that was never sent.
   */
  readonly withPermit: <A, E, R>(
    attempt: Effect.Effect<A, E, R>,
    route: Route
  ) => Effect.Effect<A, E | BelvoError.TransportError, R>
  /** After a 429 (with its `Retry-After`, when given): spends the rest of the window. */
  readonly backOff: (retryAfterMillis: number | null) => Effect.Effect<void>
}

/** No limits: every request goes out at once. */
export const none: Limits = { withPermit: (attempt) => attempt, backOff: () => Effect.void }

/** The limits of `settings`, on the `RateLimiter` in context when there is one. */
export const make = Effect.fnUntraced(function* (settings: Settings) {
  const { rateLimit, maxConcurrentRequests } = settings
  if (rateLimit === undefined && maxConcurrentRequests === undefined) return none
  const semaphore =
    maxConcurrentRequests === undefined ? undefined : yield* Semaphore.make(maxConcurrentRequests)
  const capped = <A, E, R>(attempt: Effect.Effect<A, E, R>) =>
    semaphore === undefined ? attempt : semaphore.withPermits(1)(attempt)
  if (rateLimit === undefined) return { withPermit: capped, backOff: none.backOff } satisfies Limits
  const shared = yield* Effect.serviceOption(RateLimiter.RateLimiter)
  const limiter = Option.isSome(shared)
    ? shared.value
    : yield* Effect.provide(RateLimiter.make, RateLimiter.layerStoreMemory)
  // Takes `tokens` from the limit's fixed window; the answer says how long to wait (it never waits).
  const consume = (tokens: number) =>
    limiter.consume({
      key: rateLimit.key,
      limit: rateLimit.limit,
      window: rateLimit.interval,
      algorithm: "fixed-window",
      onExceeded: "delay",
      tokens
    })
  const windowMillis = Duration.toMillis(rateLimit.interval)
  // A permit taken is a slot of a (maybe later) window, spent whether or not its request ever
  // leaves: so this process holds at most one window's worth of permits it is still waiting on.
  // Its other requests wait here, holding nothing; a process that stops wastes at most one window
  // of a shared limit, however many requests it had queued (thousands of queued syncs once left
  // the other runners without a slot for 15 s).
  const ahead = yield* Semaphore.make(rateLimit.limit)
  return {
    withPermit: (attempt, route) =>
      ahead
        .withPermits(1)(
          consume(1).pipe(
            Effect.mapError(
              (error) =>
                new BelvoError.TransportError({
                  message: `${route.method} ${route.path} was not sent: the rate limiter's store failed: ${error.message}`,
                  method: route.method,
                  path: route.path,
                  sent: false
                })
            ),
            Effect.flatMap(({ delay }) => (Duration.isZero(delay) ? Effect.void : Effect.sleep(delay)))
          )
        )
        .pipe(Effect.andThen(capped(attempt))),
    // The rest of the window is spent (longer for a longer Retry-After, up to a minute of windows).
    backOff: (retryAfterMillis) => {
      const windows = retryAfterMillis === null ? 1 : Math.max(1, Math.ceil(retryAfterMillis / windowMillis))
      return consume(rateLimit.limit * Math.min(windows, 60)).pipe(
        Effect.asVoid,
        Effect.catch((error) => Effect.logDebug(`rate limiter back-off not recorded: ${error.message}`))
      )
    }
  } satisfies Limits
})

/**
 * `client` under `limits`, for a caller's own requests on the public service (another Belvo
 * endpoint, say): each request waits for its permit, and a 429 spends the window.
 */
export const limitClient = (client: HttpClient.HttpClient, limits: Limits): HttpClient.HttpClient =>
  limits === none
    ? client
    : HttpClient.transform(client, (response, request) =>
        limits.withPermit(response, { method: request.method, path: pathOf(request.url) }).pipe(
          Effect.catchTag("TransportError", (error) =>
            Effect.fail(
              new HttpClientError.HttpClientError({
                reason: new HttpClientError.TransportError({ request, description: error.message })
              })
            )
          ),
          Effect.tap((answered) =>
            answered.status === 429
              ? Effect.flatMap(Clock.currentTimeMillis, (now) =>
                  limits.backOff(retryAfterMillis(answered.headers, now))
                )
              : Effect.void
          )
        )
      )
