/**
 * Syncing many links as durable workflows, embedded: one process, the in-memory engine and store,
 * against the in-process sandbox. A nightly job starts one sync per link; links that ask for MFA
 * wait for a token, which a web handler (here: a fiber reading the pending challenges) hands over;
 * every stored balance is listed into a sink, page by page, each page once.
 *
 * Run: npx tsx examples/scale.ts   (or `npm start -- --scale`)
 * The same workflow runs across processes on one PostgreSQL: docs/scale.md.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Fiber, Layer, Schedule } from "effect"
import { pathToFileURL } from "node:url"
import { Sandbox, SandboxClient, SandboxModel } from "../src/testing/index.js"
import { LinkSync, PageSink } from "../src/workflow/index.js"

// The links to sync tonight: the sandbox's plain, token and confirm-on-device links, plus 20 more.
export const tonight = Effect.gen(function* () {
  const extra = yield* Effect.forEach(Array.from({ length: 20 }), () => Sandbox.addLink({ accounts: 2 }))
  return [
    SandboxModel.plainLinkId,
    SandboxModel.mfaLinkId,
    SandboxModel.confirmLinkId,
    ...extra.map((l) => l.id)
  ]
})

// What the web app does when the person answers: it reads the pending challenges and hands over a
// token, or none when the challenge expects no input (the person approved on their phone).
export const answerPending = Effect.gen(function* () {
  for (const waiting of yield* LinkSync.pending) {
    const data = waiting.challenge.token_generation_data
    const token = data?.expects_user_input === false ? undefined : SandboxModel.tokenFor(waiting.challenge)
    yield* LinkSync.answer({ executionId: waiting.executionId }, token)
    yield* Console.log(
      `  answered ${waiting.link.slice(0, 8)} round ${waiting.round}: ${token ?? "no token needed"}`
    )
  }
})

// The nightly job: one sync per link (at most 8 running at once), each listing what it stored.
export const nightly = (run: string) =>
  Effect.gen(function* () {
    const links = yield* tonight
    const webApp = yield* Effect.forkChild(
      answerPending.pipe(Effect.repeat(Schedule.spaced("50 millis")), Effect.ignore)
    )
    const summaries = yield* Effect.forEach(
      links,
      (link) => LinkSync.start({ link, run, list: { collected_at__gte: "2020-01-01" } }),
      { concurrency: 8 }
    )
    yield* Fiber.interrupt(webApp)
    return summaries
  })

// Where listed pages go: here, a count per link; a real sink writes them, skipping keys it has seen.
export const counting = Effect.gen(function* () {
  const memory = yield* PageSink.makeMemory
  return { layer: Layer.succeed(PageSink.PageSink, memory.sink), memory }
})

// What every sync uses: each person's monthly budget (Open Finance Brazil's cap of 420 at the time
// of writing), and one re-send of a request whose answer was lost (the default; "never" to refuse).
export const Settings = Layer.succeed(LinkSync.Settings, {
  ...LinkSync.defaultSettings,
  monthlyBudget: 420,
  resend: "once"
})

export const main = Effect.gen(function* () {
  const { layer, memory } = yield* counting
  const summaries = yield* nightly("2026-11-30").pipe(
    Effect.provide(
      LinkSync.layerEmbedded(layer).pipe(
        Layer.provide(Settings),
        Layer.provideMerge(SandboxClient.layer({ largeLinkBalances: 0 }))
      )
    )
  )
  for (const summary of summaries.slice(0, 4)) {
    yield* Console.log(
      `${summary.link.slice(0, 8)}: HTTP ${summary.status}, ${summary.retrieved} retrieved, ${summary.rounds} MFA rounds, ${summary.listed} listed in ${summary.pages} pages`
    )
  }
  const listed = summaries.reduce((n, s) => n + s.listed, 0)
  yield* Console.log(
    `${summaries.length} links synced; ${listed} balances delivered in ${memory.deliveries().length} pages`
  )
})

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) NodeRuntime.runMain(main)
