/**
 * The sandbox in a test suite: an in-process layer, seeding your own data, scripting faults and
 * checking what was sent. Quoted by docs/testing.md.
 *
 * Run: npx tsx examples/testing-sandbox.ts
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { pathToFileURL } from "node:url"
import { Sandbox, SandboxFault, SandboxHttp, SandboxModel } from "../src/testing/index.js"

// A fresh sandbox and an in-process HttpClient answered by it: no sockets, and the test's Clock
// (TestClock) drives MFA expiry and scripted delays. Provide it where the real transport would go.
export const SandboxLive = SandboxHttp.layer({ seed: 42, balancesPerAccount: 10 })

// The same, built from parts: the Sandbox service and the client that talks to it.
export const SandboxLiveByParts = SandboxHttp.layerHttpClient.pipe(
  Layer.provideMerge(Sandbox.layer({ seed: 42, balancesPerAccount: 10 }))
)

export const MY_SECRET = { id: "my-secret-id", password: "my-secret-password" }

export const seedMyData = Effect.gen(function* () {
  yield* Sandbox.addSecret(MY_SECRET)
  const link = yield* Sandbox.addLink({
    owner: MY_SECRET.id,
    accounts: [{ id: "6f1d2b9a-0c4e-4e8f-9a1b-2c3d4e5f6a7b", internal_identification: "0001-123456" }]
  })
  // Only `link` is required; the rest defaults (created_at and collected_at to Clock now).
  yield* Sandbox.addBalances([
    { link: link.id, collected_at: "2024-03-01T10:00:00Z", available: "1500.00", blocked: "0.00" },
    { link: link.id, collected_at: "2024-03-02T10:00:00Z", available: "1499.90", currency: "BRL" }
  ])
  // A million balances computed on demand: no memory, pages served as fast as small ones.
  const big = yield* Sandbox.addGeneratedLink({ owner: MY_SECRET.id, count: 1_000_000, accounts: 4, seed: 7 })
  return { link, big }
})

export const scriptFaults = Sandbox.addFaults(
  // the first two retrievals meet a down institution, the third goes through
  SandboxFault.error("institution_down", { method: "POST", times: 2 }),
  // the second list page is throttled with a Retry-After of 2 seconds
  SandboxFault.status(429, { method: "GET", path: "/api/br/balances/", nth: 2, retryAfter: 2 }),
  // the fourth list request loses its connection, the fifth gets a body cut in half
  SandboxFault.drop({ method: "GET", nth: 4 }),
  SandboxFault.truncated({ method: "GET", nth: 5 }),
  // every detail request waits 3 seconds (TestClock.adjust moves it along)
  SandboxFault.delay("3 seconds", { path: /^\/api\/br\/balances\/[^/]+\/$/, times: Infinity })
)

export const credentialsStayedHome = Effect.gen(function* () {
  const log = yield* Sandbox.requests
  const leaked = log.filter(
    (request) =>
      request.headers.authorization !== undefined && new URL(request.url).host !== "sandbox.belvo.com"
  )
  const { maxInFlight } = yield* Sandbox.stats
  return { requests: log.length, leaked: leaked.length, maxInFlight }
})

// What a client does on the wire, by hand: basic auth, GET a page, read the JSON.
export const firstPage = (link: string) =>
  HttpClientRequest.get("https://sandbox.belvo.com/api/br/balances/").pipe(
    HttpClientRequest.setUrlParams({ link, page_size: 2, fields: "id,available" }),
    HttpClientRequest.basicAuth(MY_SECRET.id, MY_SECRET.password),
    HttpClient.execute,
    Effect.flatMap((response) => response.json)
  )

export const main = Effect.gen(function* () {
  const { link, big } = yield* seedMyData
  yield* Console.log("my link:", JSON.stringify(yield* firstPage(link.id)))
  yield* Console.log("big link:", JSON.stringify(yield* firstPage(big.id)))
  yield* Console.log("demo link id:", SandboxModel.plainLinkId)
  yield* scriptFaults
  yield* Console.log("log:", JSON.stringify(yield* credentialsStayedHome))
}).pipe(Effect.provide(SandboxLive))

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) NodeRuntime.runMain(main)
