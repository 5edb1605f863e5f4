/**
 * A first program: build the client layer, retrieve fresh balances, list stored ones with filters,
 * get one by id, and handle an error.
 *
 * Run: BELVO_SECRET_ID=… BELVO_SECRET_PASSWORD=… BELVO_LINK_ID=… npx tsx examples/getting-started.ts
 */
import { NodeRuntime } from "@effect/platform-node"
import { BigDecimal, Config, Console, Effect, Layer, Stream } from "effect"
import { FetchHttpClient } from "effect/http"
import { pathToFileURL } from "node:url"
import { Balances, BelvoClient } from "../src/index.js"

// Reads BELVO_SECRET_ID, BELVO_SECRET_PASSWORD and BELVO_ENVIRONMENT (or BELVO_BASE_URL).
export const BelvoLive = BelvoClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))

export const program = Effect.gen(function* () {
  const link = yield* Config.String("BELVO_LINK_ID")

  // POST /api/br/balances/: fresh balances from the institution.
  const { balances, saved } = yield* Balances.retrieve({ link })
  yield* Console.log(`retrieved ${balances.length} balances (stored by Belvo: ${saved})`)
  for (const balance of balances) {
    yield* Console.log(balance.account_id, balance.currency, BigDecimal.format(balance.available))
  }

  // GET /api/br/balances/: every stored balance collected since 1 January 2024, every page.
  const recent = yield* Balances.list({
    link,
    collected_at__gte: "2024-01-01",
    fields: ["id", "collected_at", "available"]
  }).pipe(Stream.runCollect)
  yield* Console.log(`${recent.length} stored balances since 2024-01-01`)

  // GET /api/br/balances/{id}/: one balance.
  const first = balances[0]
  if (first !== undefined) {
    const again = yield* Balances.get(first.id)
    yield* Console.log(again.id, again.collected_at.toJSON())
  }
}).pipe(
  // A hint for the two errors a first run usually meets. The program still fails with the error.
  Effect.tapErrorTag("AuthenticationFailed", (error) =>
    Console.error(`Check BELVO_SECRET_ID / BELVO_SECRET_PASSWORD: ${error.message}`)
  ),
  Effect.tapErrorTag("TokenRequired", (error) =>
    Console.error(`This link needs an MFA token; see docs/mfa.md (${error.challenge.session})`)
  )
)

// runMain reports an unhandled error and exits with code 1 (130 on Ctrl-C).
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  NodeRuntime.runMain(program.pipe(Effect.provide(BelvoLive)))
}
