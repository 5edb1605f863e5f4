/**
 * Metrics: the client's request durations, retries, 429s, waits for its limits and MFA outcomes
 * (effect-belvo's `Metrics`), served to Prometheus over HTTP or pushed to an OpenTelemetry
 * collector over OTLP, with Effect's own exporters. Nothing to configure in the client: it
 * records into the registry of the program's context, which these layers read.
 * examples/observability-session.ts runs a session against the embedded sandbox and serves them.
 */
import { NodeHttpServer } from "@effect/platform-node"
import { Layer } from "effect"
import { FetchHttpClient, HttpRouter } from "effect/http"
import { OtlpMetrics, OtlpSerialization, PrometheusMetrics } from "effect/observability"
import { createServer } from "node:http"

// Prometheus scrapes GET /metrics on this process (9464 is the exporter's usual port).
export const PrometheusLive = (port: number) =>
  HttpRouter.serve(PrometheusMetrics.layerHttp({ path: "/metrics" }), { disableListenLog: true }).pipe(
    Layer.provide(NodeHttpServer.layer(createServer, { host: "127.0.0.1", port }))
  )

// Or push them to a collector's /v1/metrics (OTLP, JSON over HTTP) every 10 seconds, and once more
// when the program stops.
export const OtlpLive = (url: string) =>
  OtlpMetrics.layer({ url, resource: { serviceName: "balances-sync" }, exportInterval: "10 seconds" }).pipe(
    Layer.provide(OtlpSerialization.layerJson),
    Layer.provide(FetchHttpClient.layer)
  )
