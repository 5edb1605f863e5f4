/**
 * The sandbox on a loopback server: inside an Effect program, and from a test suite that is not
 * written with Effect (any HTTP client: fetch, axios, another language). Quoted by docs/testing.md.
 *
 * Run: npx tsx examples/testing-server.ts
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, ManagedRuntime } from "effect"
import { pathToFileURL } from "node:url"
import { Sandbox, SandboxFault, SandboxModel, SandboxServer } from "../src/testing/index.js"

// HTTP basic auth with the sandbox's demo credentials.
const authorization = `Basic ${btoa(`${SandboxModel.defaultSecretId}:${SandboxModel.defaultSecretPassword}`)}`

// A fresh sandbox served on 127.0.0.1 on a free port for the scope of the program.
export const listOverLoopback = Effect.gen(function* () {
  const url = yield* SandboxServer.url // e.g. http://127.0.0.1:53127
  const response = yield* Effect.promise(() =>
    fetch(`${url}/api/br/balances/?link=${SandboxModel.plainLinkId}&page_size=1`, {
      headers: { authorization }
    })
  )
  const page = (yield* Effect.promise(() => response.json())) as { count: number; next: string | null }
  return { status: response.status, count: page.count, next: page.next } // next: on the same origin
}).pipe(Effect.provide(SandboxServer.layerWithSandbox({ port: 0 })))

// For a suite that is not written with Effect: start once, use the URL, dispose at the end.
export const startSandbox = async () => {
  const runtime = ManagedRuntime.make(SandboxServer.layerWithSandbox({ seed: 1 }))
  const url = await runtime.runPromise(SandboxServer.url)
  return {
    url,
    // script faults or seed data through the same runtime
    failNextRetrieval: () =>
      runtime.runPromise(Sandbox.addFaults(SandboxFault.status(503, { method: "POST" }))),
    stop: () => runtime.dispose()
  }
}

export const main = Effect.gen(function* () {
  yield* Console.log(JSON.stringify(yield* listOverLoopback))
  // Stopped when the program ends, even on a failure.
  const sandbox = yield* Effect.acquireRelease(Effect.promise(startSandbox), (sandbox) =>
    Effect.promise(sandbox.stop)
  )
  yield* Effect.promise(sandbox.failNextRetrieval)
  const retrieve = () =>
    fetch(`${sandbox.url}/api/br/balances/`, {
      method: "POST",
      headers: { authorization, "content-type": "application/json" },
      body: JSON.stringify({ link: SandboxModel.plainLinkId })
    }).then((r) => r.status)
  yield* Console.log("statuses:", yield* Effect.promise(retrieve), yield* Effect.promise(retrieve)) // 503 201
}).pipe(Effect.scoped)

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) NodeRuntime.runMain(main)
