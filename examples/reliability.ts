/**
 * Reliability settings: client-wide retries, timeouts, rate limit and in-flight cap; per-call
 * overrides; interruption; debug logs.
 *
 * Run: BELVO_SECRET_ID=… BELVO_SECRET_PASSWORD=… BELVO_LINK_ID=… npx tsx examples/reliability.ts
 */
import { NodeRuntime } from "@effect/platform-node"
import { Config, Console, Data, Effect, Layer, References, Stream } from "effect"
import { FetchHttpClient } from "effect/http"
import { pathToFileURL } from "node:url"
import { Balances, BelvoClient } from "../src/index.js"

// Client-wide settings, shared by every call made through this layer.
export const BelvoLive = BelvoClient.layerConfig({
  retry: { ...BelvoClient.defaultRetryPolicy, maxRetries: 5, maxDelay: "4 seconds" },
  attemptTimeout: "20 seconds",
  callTimeout: "2 minutes",
  rateLimit: { limit: 50, interval: "1 second" },
  maxConcurrentRequests: 16
}).pipe(Layer.provide(FetchHttpClient.layer))

// A ledger of retrieves that went out: each is recorded inside the client's limits, just before it
// leaves (never while it waits for the rate limit), so after a crash the ledger tells which links
// may have reached Belvo. A ledger that fails sends nothing, and its error is the call's.
export class LedgerDown extends Data.TaggedError("LedgerDown")<{ readonly link: string }> {}

export const retrieveRecorded = (link: string, record: (link: string) => Effect.Effect<void, LedgerDown>) =>
  // Effect<Retrieval<Balance>, RetrieveError | LedgerDown, BelvoClient>
  Balances.retrieve({ link }, { beforeSend: record(link) })

// Per call: fail fast on a health check, no retries, a short attempt timeout.
export const healthCheck = (id: string) =>
  Balances.get(
    id,
    { fields: ["id"] },
    { retry: false, attemptTimeout: "3 seconds", callTimeout: "3 seconds" }
  )

// Per call: a patient listing of a large link.
export const patientList = (link: string) =>
  Balances.list(
    { link },
    {
      concurrency: 2,
      attemptTimeout: "2 minutes",
      callTimeout: "10 minutes",
      retry: { ...BelvoClient.defaultRetryPolicy, maxRetries: 8 }
    }
  )

// Interruption aborts the request in flight: here, after 10 seconds whatever the client settings say.
export const atMostTenSeconds = (link: string) =>
  Balances.listPage({ link }).pipe(Effect.timeout("10 seconds"))

// Debug lines: each answered attempt (status or error tag, attempt number, request_id) and each
// transport failure, for the effect given and every call inside it.
export const withDebugLogs = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Effect.provideService(References.MinimumLogLevel, "Debug"))

export const program = Effect.gen(function* () {
  const link = yield* Config.String("BELVO_LINK_ID")
  const count = yield* patientList(link).pipe(Stream.runCount)
  yield* Console.log(`${count} balances`)
  const page = yield* atMostTenSeconds(link)
  yield* Console.log(`first page: ${page.results.length} of ${page.count}`)
}).pipe(withDebugLogs)

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  NodeRuntime.runMain(program.pipe(Effect.provide(BelvoLive)))
}
