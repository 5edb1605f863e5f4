/**
 * The metrics of one request (`Metrics`): its attributes computed once, bounded (the route's
 * template, the base URL's host and port), and what each attempt records.
 *
 * @internal
 */
import type * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Metrics from "../Metrics.js"
import { template } from "./configured.js"
import type { Route } from "./errors.js"

export interface Measure {
  /** An attempt waited `millis` for the client's limits. */
  readonly waited: (millis: number) => Effect.Effect<void>
  /** An attempt that left took `millis`; the status when answered, the error's tag when it failed. */
  readonly took: (
    millis: number,
    status: number | undefined,
    error: string | undefined
  ) => Effect.Effect<void>
  /** An attempt is sent again after failing with `error`. */
  readonly retried: (error: string) => Effect.Effect<void>
  /** An answer had status 429. */
  readonly throttled: Effect.Effect<void>
}

export const forRoute = (baseUrl: URL, route: Route): Measure => {
  const request = { "http.request.method": route.method, "url.template": template(route.path) }
  const server = {
    "server.address": baseUrl.hostname,
    "server.port": baseUrl.port === "" ? (baseUrl.protocol === "https:" ? "443" : "80") : baseUrl.port
  }
  const waited = Metric.withAttributes(Metrics.limitWait, request)
  const throttled = Metric.withAttributes(Metrics.throttled, request)
  return {
    waited: (millis) => Metric.update(waited, millis / 1000),
    took: (millis, status, error) =>
      Metric.update(
        Metric.withAttributes(Metrics.requestDuration, {
          ...request,
          ...server,
          ...(status === undefined ? {} : { "http.response.status_code": String(status) }),
          ...(error === undefined ? {} : { "error.type": error })
        }),
        millis / 1000
      ),
    retried: (error) =>
      Metric.update(Metric.withAttributes(Metrics.retries, { ...request, "error.type": error }), 1),
    throttled: Metric.update(throttled, 1)
  }
}
