/**
 * A short session against the embedded sandbox (a retrieve, an MFA challenge answered, a listing),
 * then its metrics served for Prometheus until stopped.
 *
 * Run: npx tsx examples/observability-session.ts, then curl http://127.0.0.1:9464/metrics
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { pathToFileURL } from "node:url"
import { Balances } from "../src/index.js"
import { SandboxClient, SandboxModel } from "../src/testing/index.js"
import { PrometheusLive } from "./observability.js"

// Some traffic to count: a retrieve, an MFA challenge answered, a listing.
export const session = Effect.gen(function* () {
  yield* Balances.retrieve({ link: SandboxModel.plainLinkId })
  const required = yield* Effect.flip(Balances.retrieve({ link: SandboxModel.mfaLinkId }))
  if (required._tag === "TokenRequired") {
    yield* Balances.resume(required.challenge, SandboxModel.tokenFor(required.challenge))
  }
  yield* Balances.listPage({ link: SandboxModel.plainLinkId, page_size: 10 })
}).pipe(Effect.provide(SandboxClient.layer()))

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const port = Number(process.env.PORT ?? 9464)
  NodeRuntime.runMain(
    Effect.andThen(session, Console.log(`metrics on http://127.0.0.1:${port}/metrics (Ctrl-C to stop)`)).pipe(
      Effect.andThen(Effect.never),
      Effect.provide(PrometheusLive(port))
    )
  )
}
