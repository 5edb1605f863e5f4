/**
 * The seeded sandbox on a real server, started from a program: what `effect-belvo sandbox` (and
 * `npm run sandbox`, which runs it) does, for curl, a browser app or any client.
 *
 * Listens on 127.0.0.1 only (port from PORT, default 8787), prints the base URL, the demo
 * credentials and link ids and a few commands to try, and runs until Ctrl-C.
 *
 * Run: npx tsx examples/sandbox-server.ts      (or PORT=9000 npx effect-belvo sandbox)
 */
import { NodeRuntime } from "@effect/platform-node"
import { Config, Console, Effect } from "effect"
import { pathToFileURL } from "node:url"
import { banner } from "../src/cli/sandbox.js"
import { SandboxServer } from "../src/testing/index.js"

// What `effect-belvo sandbox` prints once the server listens: the URL, credentials and demo links.
export { banner }

export const main = Effect.gen(function* () {
  const port = yield* Config.Port("PORT").pipe(Config.withDefault(8787))
  yield* Effect.gen(function* () {
    yield* Console.log(banner(yield* SandboxServer.url))
    return yield* Effect.never
  }).pipe(Effect.provide(SandboxServer.layerWithSandbox({ port })))
})

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) NodeRuntime.runMain(main)
