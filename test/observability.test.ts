/**
 * examples/observability.ts (with examples/observability-session.ts): the client's metrics scraped over HTTP by Prometheus' text format,
 * and pushed over OTLP to a collector on 127.0.0.1, after the example's session.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import { OtlpLive, PrometheusLive } from "../examples/observability.js"
import { session } from "../examples/observability-session.js"
import { Metrics } from "../src/index.js"
import { freePort } from "./support/servers.js"

describe("examples/observability.ts", () => {
  it.live("Prometheus scrapes every metric of the session over HTTP", () =>
    Effect.gen(function* () {
      const port = yield* Effect.promise(freePort)
      const text = yield* Effect.gen(function* () {
        yield* session
        return yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()))
      }).pipe(Effect.provide(PrometheusLive(port)))
      // What the session recorded (it met no retry, 429 or limit).
      for (const metric of [Metrics.requestDuration, Metrics.mfaChallenges, Metrics.mfaResumes]) {
        assert.include(text, metric.id.replaceAll(".", "_"), `${metric.id} is served`)
      }
      // Two POSTs (201, then the MFA link's 428), one PATCH (201), one GET page (200).
      const count = (labels: string) =>
        Number(
          text.match(
            new RegExp(`^http_client_request_duration_count\\{${labels}[^}]*\\} (\\d+)$`, "m")
          )?.[1] ?? -1
        )
      assert.strictEqual(
        count(
          'http_request_method="POST",url_template="/api/br/balances/",server_address="localhost",server_port="80",http_response_status_code="201"'
        ),
        1
      )
      assert.strictEqual(
        count(
          'http_request_method="POST",url_template="/api/br/balances/",server_address="localhost",server_port="80",http_response_status_code="428"'
        ),
        1
      )
      assert.strictEqual(count('http_request_method="PATCH"'), 1)
      assert.match(text, /^belvo_client_mfa_resumes\{belvo_outcome="completed"\} 1$/m)
    }).pipe(Effect.provideService(Metric.MetricRegistry, new Map()))
  )

  it.live("OTLP pushes them to a collector, once more as the program stops", () =>
    Effect.gen(function* () {
      const bodies: Array<string> = []
      const collector = createServer((request, response) => {
        let body = ""
        request.on("data", (chunk: Buffer) => {
          body += chunk.toString()
        })
        request.on("end", () => {
          if (request.url === "/v1/metrics") bodies.push(body)
          response.writeHead(200, { "content-type": "application/json" }).end("{}")
        })
      })
      yield* Effect.acquireRelease(
        Effect.promise(
          () => new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", () => resolve()))
        ),
        () => Effect.promise(() => new Promise<void>((resolve) => collector.close(() => resolve())))
      )
      const { port } = collector.address() as AddressInfo
      yield* session.pipe(Effect.provide(OtlpLive(`http://127.0.0.1:${port}/v1/metrics`)))
      assert.isAbove(bodies.length, 0)
      const sent = JSON.parse(bodies.at(-1) ?? "{}") as {
        resourceMetrics: ReadonlyArray<{
          scopeMetrics: ReadonlyArray<{ metrics: ReadonlyArray<{ name: string }> }>
        }>
      }
      const names = sent.resourceMetrics.flatMap((r) =>
        r.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.name))
      )
      assert.includeMembers(names, [
        "http.client.request.duration",
        "belvo.client.mfa.challenges",
        "belvo.client.mfa.resumes"
      ])
      assert.include(bodies.at(-1) ?? "", '"balances-sync"')
    }).pipe(Effect.scoped, Effect.provideService(Metric.MetricRegistry, new Map()))
  )
})
