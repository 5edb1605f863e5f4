/**
 * The client's metrics, recorded with Effect's `Metric` on every call: served by any Effect
 * exporter (`PrometheusMetrics`, `OtlpMetrics` from `effect/observability`), in the registry of the
 * program's context. Names and attributes follow OpenTelemetry's HTTP client conventions where one
 * exists (`http.client.request.duration`, `http.request.method`, `url.template`,
 * `http.response.status_code`, `error.type`, `server.address`, `server.port`); the rest are named
 * `belvo.client.*`.
 *
 * Attributes are bounded: a route is its template (`/api/br/balances/{id}/`, never an id or a query
 * string), an error its tag, a status its number; no link, account, request id or secret is ever
 * an attribute.
 *
 * @since 1.1.0
 */
import * as Metric from "effect/Metric"

/** OpenTelemetry's advice for `http.client.request.duration`, in seconds. */
const DURATION_BOUNDARIES = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]

/**
 * How long each HTTP attempt took, in seconds, from the moment it left (after the client's limits
 * let it through) to its body read: one observation per attempt, retries included. Attributes:
 * `http.request.method`, `url.template`, `server.address`, `server.port`, and
 * `http.response.status_code` when the server answered, `error.type` (the error's tag) when the
 * attempt failed.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Balances, Metrics } from "effect-belvo"
 *
 * const program = Effect.gen(function* () {
 *   yield* Balances.get("0b94bdf9-3719-43a9-81e7-be95d2318595")
 *   const { count, sum } = yield* Metric.value(Metrics.requestDuration)
 *   console.log(`${count} requests, ${(sum / count).toFixed(3)} s each`)
 * })
 * ```
 *
 * @since 1.1.0
 * @category metrics
 */
export const requestDuration: Metric.Histogram<number> = Metric.histogram("http.client.request.duration", {
  description: "Duration of each HTTP attempt to Belvo, in seconds",
  boundaries: DURATION_BOUNDARIES
})

/**
 * Attempts sent again after a failure (a GET after a transient status or transport failure, a
 * POST that provably never left). Attributes: `http.request.method`, `url.template`, `error.type`
 * (what the retried attempt failed with).
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Metrics } from "effect-belvo"
 *
 * const retriedOnTimeout = Metric.value(Metric.withAttributes(Metrics.retries, { "error.type": "Timeout" }))
 * ```
 *
 * @since 1.1.0
 * @category metrics
 */
export const retries: Metric.Counter<number> = Metric.counter("belvo.client.request.retries", {
  description: "HTTP attempts to Belvo sent again after a failure",
  incremental: true
})

/**
 * Answers with status 429 (Belvo's firewall refusing the rate). Attributes: `http.request.method`,
 * `url.template`.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Metrics } from "effect-belvo"
 *
 * const refused = Effect.map(Metric.value(Metrics.throttled), (state) => state.count)
 * ```
 *
 * @since 1.1.0
 * @category metrics
 */
export const throttled: Metric.Counter<number> = Metric.counter("belvo.client.request.throttled", {
  description: "HTTP answers from Belvo with status 429",
  incremental: true
})

/**
 * How long each attempt waited for the client's limits (the rate limit, then an in-flight slot),
 * in seconds; recorded on a client that has limits. Attributes: `http.request.method`,
 * `url.template`.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Metrics } from "effect-belvo"
 *
 * const waited = Effect.map(Metric.value(Metrics.limitWait), (state) => `${state.sum.toFixed(1)} s waiting in all`)
 * ```
 *
 * @since 1.1.0
 * @category metrics
 */
export const limitWait: Metric.Histogram<number> = Metric.histogram("belvo.client.limit.wait.duration", {
  description:
    "Time an HTTP attempt to Belvo waited for the client's rate limit and in-flight cap, in seconds",
  boundaries: [0, 0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60]
})

/**
 * MFA challenges met: answers with status 428 that carried a challenge. Attribute
 * `belvo.operation`: `retrieve` (the first) or `resume` (the institution asked again).
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { Metrics } from "effect-belvo"
 *
 * const askedAgain = Metric.value(Metric.withAttributes(Metrics.mfaChallenges, { "belvo.operation": "resume" }))
 * ```
 *
 * @since 1.1.0
 * @category metrics
 */
export const mfaChallenges: Metric.Counter<number> = Metric.counter("belvo.client.mfa.challenges", {
  description: "MFA challenges (428 token_required) met by retrieves and resumes",
  incremental: true
})

/**
 * MFA resumes by outcome, attribute `belvo.outcome`: `completed` (balances came back),
 * `challenged` (another challenge), `expired` (the session was over, found by the client before
 * sending or by Belvo) or `failed` (any other error).
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { Metrics } from "effect-belvo"
 *
 * const completed = Metric.value(Metric.withAttributes(Metrics.mfaResumes, { "belvo.outcome": "completed" }))
 * ```
 *
 * @since 1.1.0
 * @category metrics
 */
export const mfaResumes: Metric.Counter<number> = Metric.counter("belvo.client.mfa.resumes", {
  description: "MFA resumes by outcome: completed, challenged, expired, failed",
  incremental: true
})

/**
 * Every metric of this module, for a dashboard's list or a test.
 *
 * @example
 * ```ts
 * import { Metrics } from "effect-belvo"
 *
 * console.log(Metrics.all.map((metric) => metric.id)) // ["http.client.request.duration", "belvo.client.request.retries", …]
 * ```
 *
 * @since 1.1.0
 * @category metrics
 */
export const all: ReadonlyArray<Metric.Metric<number, unknown>> = [
  requestDuration,
  retries,
  throttled,
  limitWait,
  mfaChallenges,
  mfaResumes
]
