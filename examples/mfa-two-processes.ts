/**
 * docs/mfa.md's "Across requests", tried on a sandbox that outlives one process: a sandbox server,
 * one process that meets the 428 and stores the challenge, another that resumes it with the token.
 *
 * Run (PORT, default 8787, is the sandbox's port for all three):
 *   npx tsx examples/mfa-two-processes.ts serve &          # the sandbox on 127.0.0.1 until stopped
 *   npx tsx examples/mfa-two-processes.ts store            # writes challenge.json, prints the token
 *   npx tsx examples/mfa-two-processes.ts resume <token>   # reads challenge.json: the balances
 */
import { NodeFileSystem, NodeRuntime } from "@effect/platform-node"
import { BigDecimal, Config, Console, Effect, FileSystem, Layer, Redacted } from "effect"
import { FetchHttpClient } from "effect/http"
import { pathToFileURL } from "node:url"
import { Balances, BelvoClient, MfaChallenge } from "../src/index.js"
import { SandboxModel, SandboxServer } from "../src/testing/index.js"

const port = Config.Port("PORT").pipe(Config.withDefault(8787))

// The sandbox on 127.0.0.1 until the process is stopped: its MFA sessions outlive the processes
// that talk to it.
export const serve = Effect.gen(function* () {
  const sandbox = SandboxServer.layerWithSandbox({ port: yield* port })
  yield* Effect.gen(function* () {
    yield* Console.log(`sandbox listening on ${yield* SandboxServer.url}`)
    return yield* Effect.never
  }).pipe(Effect.provide(sandbox))
})

// The client of that sandbox, with its demo credentials.
export const SandboxBelvo = Layer.unwrap(
  Effect.gen(function* () {
    return BelvoClient.layer({
      baseUrl: `http://127.0.0.1:${yield* port}`,
      secretId: Redacted.make(SandboxModel.defaultSecretId),
      secretPassword: Redacted.make(SandboxModel.defaultSecretPassword)
    })
  })
).pipe(Layer.provide(FetchHttpClient.layer))

// One process: the retrieve meets a 428, and the challenge is kept as JSON (here in a file; in a
// web application, the user's session or a database row).
export const store = (file: string) =>
  Balances.retrieve({ link: SandboxModel.mfaLinkId }).pipe(
    Effect.flatMap(() => Console.log("the institution asked for no token")),
    Effect.catchTag("TokenRequired", ({ challenge }) =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        yield* fs.writeFileString(file, yield* MfaChallenge.toJson(challenge))
        // What the user would type. The sandbox's token is the challenge's value reversed.
        yield* Console.log(`challenge stored in ${file}; the token: ${SandboxModel.tokenFor(challenge)}`)
      })
    )
  )

// Another process: the stored challenge, typed for a retrieve without projection (`{}`), resumed
// with the token. The items are whole `Balance`s, no cast.
export const resume = (file: string, token: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const challenge = yield* MfaChallenge.fromJson(yield* fs.readFileString(file), {})
    const { balances } = yield* Balances.resume(challenge, token)
    for (const balance of balances) {
      yield* Console.log(balance.account_id, balance.currency, BigDecimal.format(balance.available))
    }
  })

// `node mfa.ts serve`, `store` or `resume <token>`.
export const main = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const [command, token] = args
    const file = "challenge.json"
    if (command === "serve") return yield* serve
    if (command === "store") return yield* store(file)
    if (command === "resume" && token !== undefined) return yield* resume(file, token)
    return yield* Effect.fail(new Error("usage: serve | store | resume <token>"))
  }).pipe(Effect.provide([SandboxBelvo, NodeFileSystem.layer]))

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  NodeRuntime.runMain(main(process.argv.slice(2)))
}
