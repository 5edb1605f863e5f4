/**
 * `npm run sandbox`: the seeded sandbox on a real server, for curl, a browser app or any client.
 *
 * Listens on 127.0.0.1 only (port from PORT, default 8787), prints the base URL, the demo
 * credentials and link ids and a few curl commands, and runs until Ctrl-C.
 *
 * Run: npm run sandbox            (or PORT=9000 npm run sandbox)
 */
import { NodeRuntime } from "@effect/platform-node"
import { Config, Console, Effect } from "effect"
import { pathToFileURL } from "node:url"
import { SandboxModel, SandboxServer } from "../src/testing/index.js"

/** What to print once the server listens. */
export const banner = (url: string): string => {
  const auth = `-u '${SandboxModel.defaultSecretId}:${SandboxModel.defaultSecretPassword}'`
  const json = `-H 'content-type: application/json'`
  return `effect-belvo sandbox listening on ${url}

Credentials (HTTP basic auth)
  secret id        ${SandboxModel.defaultSecretId}
  secret password  ${SandboxModel.defaultSecretPassword}
  other secret     ${SandboxModel.otherSecretId} / ${SandboxModel.otherSecretPassword}

Links
  plain link       ${SandboxModel.plainLinkId}  (accounts ${SandboxModel.plainAccountIds.join(", ")})
  MFA link         ${SandboxModel.mfaLinkId}  (POST answers 428; token = challenge value reversed)
  large link       ${SandboxModel.largeLinkId}  (100,000 generated balances)
  other's link     ${SandboxModel.otherLinkId}  (owned by the other secret: 403)

Try
  curl ${auth} '${url}/api/br/balances/?link=${SandboxModel.plainLinkId}&page_size=2&fields=id,collected_at,available'
  curl ${auth} '${url}/api/br/balances/?link=${SandboxModel.largeLinkId}&collected_at__range=2024-03-01,2024-03-02&page_size=1000'
  curl ${auth} ${json} -d '{"link":"${SandboxModel.plainLinkId}","save_data":false}' ${url}/api/br/balances/
  curl ${auth} ${json} -d '{"link":"${SandboxModel.mfaLinkId}"}' ${url}/api/br/balances/
  curl ${auth} ${json} -X PATCH -d '{"session":"<session>","token":"<value reversed>","link":"${SandboxModel.mfaLinkId}"}' ${url}/api/br/balances/

Ctrl-C to stop.`
}

export const main = Effect.gen(function* () {
  const port = yield* Config.Port("PORT").pipe(Config.withDefault(8787))
  yield* Effect.gen(function* () {
    yield* Console.log(banner(yield* SandboxServer.url))
    return yield* Effect.never
  }).pipe(Effect.provide(SandboxServer.layerWithSandbox({ port })))
})

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) NodeRuntime.runMain(main)
