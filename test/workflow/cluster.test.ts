/**
 * effect-belvo/workflow across processes, with a real server started by the test: PostgreSQL on
 * 127.0.0.1 (test/support/servers.ts) for the engine, the sync store and the shared rate limit
 * (`RateLimiterSql`), the sandbox server in this process, three runner
 * processes on `ClusterWorkflowEngine` (test/workflow/cluster/runner.ts), a separate process
 * answering MFA (test/workflow/cluster/answerer.ts), and this process as a client-only cluster
 * member that starts and polls the syncs. One runner is SIGKILLed mid-sync. Everything is checked
 * from the outside: the sandbox's own request log, the sink's table, the engine's and the store's
 * tables.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as SqlClient from "effect/sql/SqlClient"
import { Sandbox, SandboxFault, SandboxServer } from "../../src/testing/index.js"
import { LinkSync, type SyncError } from "../../src/workflow/index.js"
import { asClient, awaitAll, keepOutput, peakWithin, servers, startRunners } from "./cluster/harness.js"
import { answererScript, type Child, lockTrouble, scopedScript } from "./cluster/processes.js"

const RUN = "nightly-2026-11-30"

/**
 * The most a request may lag its limiter slot, for the rate checks: a whole window's burst of one
 * busy runner was seen arriving 100-150 ms late on 2 cores (runners, PostgreSQL and this process
 * all busy), which put two windows' bursts within one second.
 */
const LAG_MILLIS = 250

/** How long after a 429 requests granted before its back-off reached the shared limiter may still arrive. */
const GRACE_MILLIS = 100

/** The same order every run: a seeded Fisher-Yates shuffle. */
const shuffled = <A>(items: ReadonlyArray<A>): Array<A> => {
  const out = [...items]
  let seed = 20261130
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    const j = seed % (i + 1)
    const swap = out[i]!
    out[i] = out[j]!
    out[j] = swap
  }
  return out
}

const bodyLink = (request: Sandbox.LoggedRequest): string => {
  try {
    const body: unknown = JSON.parse(request.body)
    return typeof body === "object" && body !== null && "link" in body ? String(body.link) : ""
  } catch {
    return ""
  }
}

const countBy = <A>(items: ReadonlyArray<A>, key: (a: A) => string): Map<string, number> => {
  const counts = new Map<string, number>()
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1)
  return counts
}

/** Which runner sent a request: its pid, from the user agent each runner's client sends. */
const runnerOf = (request: Sandbox.LoggedRequest): string =>
  /runner-(\d+)/.exec(request.headers["user-agent"] ?? "")?.[1] ?? "?"

describe("LinkSync across processes (PostgreSQL, runner processes)", () => {
  it.live(
    "1,000 links, 3 runners, one killed mid-sync: every sync ends once and succeeds (budget permitting), a request sent again only as the sync's one re-send, budgets and the shared rate limit hold",
    () => {
      const rateLimit = 50
      const monthlyBudget = 5
      const children: Array<Child> = []
      return Effect.gen(function* () {
        const started = Date.now()
        // The links: 900 plain (1 to 3 accounts), 60 asking for a token, 40 confirmed on a device.
        const plain = yield* Effect.forEach(
          Array.from({ length: 900 }, (_, i) => i),
          (i) => Sandbox.addLink({ accounts: 1 + (i % 3) })
        )
        const tokens = yield* Effect.forEach(Array.from({ length: 60 }), () =>
          Sandbox.addLink({ mfa: true, accounts: 1 })
        )
        const confirms = yield* Effect.forEach(Array.from({ length: 40 }), () =>
          Sandbox.addLink({ mfa: "confirm", accounts: 2 })
        )
        // Launched in a mixed order, so the kill finds every kind of sync in flight.
        const links = shuffled([...plain, ...tokens, ...confirms])
        const accounts = new Map(links.map((link) => [link.id, link.accounts.length]))
        const mfa = new Set([...tokens, ...confirms].map((link) => link.id))
        // 10 persons with 8 plain links each, a budget of 5: 3 of each person's syncs are refused.
        const personOf = new Map(plain.slice(0, 80).map((link, i) => [link.id, `person-${i % 10}`]))
        // A quarter of the syncs, and every MFA one, list what they stored into the sink.
        const payloads: Array<LinkSync.Payload> = links.map((link, i) => {
          const person = personOf.get(link.id)
          return {
            link: link.id,
            run: RUN,
            ...(person === undefined ? {} : { person }),
            ...(i % 4 === 1 || mfa.has(link.id) ? { list: {} } : {})
          }
        })

        const { pgUrl, runners } = yield* startRunners(yield* servers, {
          name: "thousand",
          runners: 3,
          sandboxUrl: yield* SandboxServer.url,
          rateLimit,
          monthlyBudget
        })
        children.push(...runners)
        const readyAt = Date.now()

        const report = yield* asClient(
          pgUrl,
          runners.length,
          Effect.gen(function* () {
            const sql = yield* SqlClient.SqlClient
            const balancedAt = Date.now()
            // The web app: its own process, looking at the pending challenges 3 s from now.
            const answerer = yield* scopedScript("answerer", answererScript, {
              PG_URL: pgUrl,
              DELAY_MS: "3000",
              EXPECTED: String(mfa.size),
              DEADLINE_MS: "80000"
            })
            children.push(answerer)

            // The victim dies once the sandbox has seen 300 requests.
            const victim = runners[1]!
            const killer = yield* Effect.forkChild(
              Effect.gen(function* () {
                while ((yield* Sandbox.stats).requests < 300) yield* Effect.sleep("20 millis")
                victim.process.kill("SIGKILL")
                return Date.now()
              })
            )
            const ids = yield* Effect.forEach(payloads, LinkSync.launch, { concurrency: 50 })
            const launchedAt = Date.now()
            const killedAt = yield* Fiber.join(killer).pipe(
              Effect.timeoutOrElse({
                duration: "30 seconds",
                orElse: () => Effect.die("never killed: too few requests")
              })
            )
            const done = yield* awaitAll(ids, Date.now() + 80_000)
            const finishedAt = Date.now()
            assert.strictEqual(done.size, ids.length, `${ids.length - done.size} syncs never completed`)

            const log = yield* Sandbox.requests
            const claims = new Set(
              (yield* sql<{ key: string }>`SELECT key FROM effect_belvo_claims`).map((row) => row.key)
            )
            const pages = yield* sql<{
              key: string
              balance_ids: string
              deliveries: number
            }>`SELECT key, balance_ids, deliveries FROM test_pages`
            // The engine's own record: one run request per execution, one final reply to it.
            const runs = yield* sql<{ entity_id: string; requests: number; exits: number }>`
              SELECT m.entity_id, count(DISTINCT m.id)::int AS requests, count(r.id)::int AS exits
              FROM cluster_messages m LEFT JOIN cluster_replies r ON r.request_id = m.id AND r.kind = 0
              WHERE m.tag = 'run' AND m.entity_type = 'Workflow/effect-belvo/LinkSync'
              GROUP BY m.entity_id`

            // --- every sync: one final result, the expected one
            assert.strictEqual(runs.length, ids.length)
            for (const run of runs) assert.deepStrictEqual([run.requests, run.exits], [1, 1], run.entity_id)
            const posts = countBy(
              log.filter((r) => r.method === "POST"),
              bodyLink
            )
            const patches = countBy(
              log.filter((r) => r.method === "PATCH"),
              bodyLink
            )
            const answered = new Set(
              answerer
                .events()
                .filter((e) => e.event === "answered")
                .map((e) => String(e.executionId))
            )
            let succeeded = 0
            let resentTotal = 0
            const unknown: Array<string> = []
            const budgetSpent = new Map<string, number>()
            for (const [i, payload] of payloads.entries()) {
              const id = ids[i]!
              const exit = done.get(id)!
              const link = payload.link
              if (Exit.isSuccess(exit)) {
                succeeded += 1
                const { resent, rounds } = exit.value
                assert.include([0, 1], resent, `re-sends of ${link}`)
                resentTotal += resent
                assert.deepStrictEqual(
                  exit.value,
                  {
                    link,
                    run: RUN,
                    status: 201,
                    retrieved: accounts.get(link)!,
                    // A resume whose answer died with the victim is re-sent as a fresh retrieve,
                    // whose new challenge is one more round.
                    rounds: mfa.has(link) ? 1 + (rounds > 1 ? resent : 0) : 0,
                    pages: payload.list === undefined ? 0 : 1,
                    listed: payload.list === undefined ? 0 : accounts.get(link)!,
                    resent
                  },
                  link
                )
                // Sent again only as its one re-send, which the summary counts. (A request claimed by
                // a runner killed before it left never arrived: then the re-send is its only POST.)
                const posted = posts.get(link) ?? 0
                assert.isTrue(
                  posted >= 1 && posted <= 1 + resent,
                  `${posted} POSTs for ${link}, ${resent} re-sent`
                )
                if (mfa.has(link)) {
                  // Every session resumed once at most: a lost resume's session is never resumed again.
                  const patched = patches.get(link) ?? 0
                  assert.isTrue(
                    patched <= rounds && patched >= rounds - resent,
                    `${patched} PATCHes for ${link}, ${rounds} rounds, ${resent} re-sent`
                  )
                  assert.isTrue(answered.has(id), `the answerer process answered ${link}`)
                }
                continue
              }
              const error = Cause.findErrorOption(exit.cause)
              assert.isTrue(Option.isSome(error), `${link} died: ${Cause.pretty(exit.cause)}`)
              const failure = Option.getOrThrow(error)
              if (failure._tag === "BudgetSpent") {
                const person = Redacted.value(failure.person)
                assert.strictEqual(person, payload.person)
                assert.strictEqual(failure.limit, monthlyBudget)
                budgetSpent.set(person, (budgetSpent.get(person) ?? 0) + 1)
                assert.isUndefined(posts.get(link), `a refused sync sent nothing (${link})`)
                continue
              }
              // The only other acceptable end: a request claimed by a process that died before its
              // answer was recorded, with nothing stored since, whose re-send the person's budget
              // refused (a budgeted link); sent once, never again.
              assert.strictEqual(
                failure._tag,
                "OutcomeUnknown",
                `${link}: ${failure._tag}: ${failure.message}`
              )
              const { resend, step } = failure as SyncError.OutcomeUnknown
              assert.strictEqual(resend, "budget", `${link}: OutcomeUnknown (${step}), re-send ${resend}`)
              assert.isDefined(payload.person, `${link}: refused a re-send without a budget`)
              const key = step === "retrieve" ? `${id}/retrieve` : `${id}/resume-1`
              assert.isTrue(claims.has(key), `${link}: OutcomeUnknown without a claim (${step})`)
              // Its one POST, or none when the runner was killed between the claim and the send.
              assert.isAtMost(posts.get(link) ?? 0, 1, `POSTs for ${link}`)
              unknown.push(`${mfa.has(link) ? "mfa" : "plain"} ${step}`)
            }
            // Every re-send the summaries count is in the store's counter, and no link was sent
            // more than its one re-send allows.
            const resends = (yield* sql<{
              n: number
            }>`SELECT count(*)::int AS n FROM effect_belvo_resends`)[0]?.n
            assert.strictEqual(resends, resentTotal, "re-sends in the store")
            for (const [link, count] of posts) assert.isAtMost(count, 2, `POSTs for ${link}`)

            // --- budgets: 5 granted per person across runners (re-sends included), the rest refused before sending
            const postsPerPerson = countBy(
              [...personOf].filter(([link]) => posts.has(link)),
              ([, person]) => person
            )
            for (let p = 0; p < 10; p++) {
              const person = `person-${p}`
              // 3 refused, or one more when a re-send of that person's took a retrieval.
              assert.isAtLeast(budgetSpent.get(person) ?? 0, 3, `BudgetSpent for ${person}`)
              assert.isAtMost(postsPerPerson.get(person) ?? 0, monthlyBudget, `POSTs for ${person}`)
            }

            // --- pages: each listed sync's page delivered under its key, with the link's balances;
            // a key delivered again (its page activity re-run after the kill) is the same page
            const pageByKey = new Map(pages.map((row) => [row.key, row]))
            let expectedPages = 0
            for (const [i, payload] of payloads.entries()) {
              if (payload.list === undefined || !Exit.isSuccess(done.get(ids[i]!)!)) continue
              expectedPages += 1
              const row = pageByKey.get(`${ids[i]}/page-1`)
              assert.isDefined(row, `page 1 of ${payload.link}`)
              const stored = (yield* Sandbox.balancesOf(payload.link)).map((b) => b.id)
              assert.deepStrictEqual(row?.balance_ids.split(",").sort(), [...stored].sort())
            }
            assert.strictEqual(pages.length, expectedPages, "no page delivered that no sync listed")

            // --- the shared rate limit: Belvo never saw more than the limiter lets through.
            // Its worst case is 2 x limit - 1 starts in any span of one interval (a window and the
            // next, less the next one's first). Arrivals are starts plus the lag of a busy runner's
            // timer and of this busy process's event loop, so they are counted over spans of the
            // interval less LAG_MILLIS: each holds only requests started within one interval, as long
            // as none lagged more. Over a whole second: never more than two windows' worth.
            const times = log.map((r) => r.receivedAt)
            const span = (Math.max(...times) - Math.min(...times)) / 1000
            const peak = peakWithin(times, 1000)
            const peakLagged = peakWithin(times, 1000 - LAG_MILLIS)
            const overall = log.length / span
            assert.isAtMost(peakLagged, 2 * rateLimit - 1, `arrivals within ${1000 - LAG_MILLIS} ms`)
            assert.isAtMost(peak, 2 * rateLimit, "arrivals within 1 s")
            assert.isAtMost(overall, rateLimit * 1.1, "requests per second over the whole run")

            // --- the kill: the victim had been working, and nothing came from it after its death
            const fromVictim = log.filter((r) => runnerOf(r) === String(victim.pid))
            assert.isAbove(fromVictim.length, 0, "the killed runner had sent requests")
            assert.isTrue(fromVictim.every((r) => r.receivedAt < killedAt + 1_000))
            return {
              syncs: ids.length,
              succeeded,
              budgetSpent: [...budgetSpent.values()].reduce((a, b) => a + b, 0),
              resent: resentTotal,
              outcomeUnknown: Object.fromEntries(countBy(unknown, (u) => u)),
              requests: log.length,
              byRunner: Object.fromEntries(countBy(log, runnerOf)),
              victim: victim.pid,
              recoveryListings: log.filter((r) => r.method === "GET" && r.url.includes("fields=id")).length,
              pages: pages.length,
              pagesDeliveredAgain: pages.filter((row) => row.deliveries > 1).length,
              answered: answered.size,
              peakPerSecond: peak,
              peakWithinLagAllowance: peakLagged,
              overallPerSecond: Math.round(overall * 10) / 10,
              lockTroubleOnSurvivors: runners.filter((r) => r !== victim).map(lockTrouble),
              seconds: {
                runnersReady: (readyAt - started) / 1000,
                shardsSpread: (balancedAt - readyAt) / 1000,
                launch: (launchedAt - balancedAt) / 1000,
                killAfterLaunchStart: (killedAt - balancedAt) / 1000,
                allDone: (finishedAt - balancedAt) / 1000,
                afterKill: (finishedAt - killedAt) / 1000
              }
            }
          })
        )
        console.log(JSON.stringify({ test: "cluster-1000", ...report }))
      }).pipe(
        keepOutput(() => children),
        Effect.provide(SandboxServer.layerWithSandbox({ latency: "5 millis" }))
      )
    },
    150_000
  )

  it.live(
    "a 429 to one runner spends the shared window: no runner's request reaches Belvo for the next second",
    () => {
      const rateLimit = 30
      const children: Array<Child> = []
      return Effect.gen(function* () {
        const links = yield* Effect.forEach(Array.from({ length: 60 }), () =>
          Sandbox.addLink({ accounts: 1 })
        )
        // The 25th listing is refused: 429 with Retry-After 2 s.
        yield* Sandbox.addFaults(SandboxFault.status(429, { method: "GET", nth: 25, retryAfter: 2 }))
        const { pgUrl, runners } = yield* startRunners(yield* servers, {
          name: "throttled",
          runners: 3,
          sandboxUrl: yield* SandboxServer.url,
          rateLimit
        })
        children.push(...runners)
        const report = yield* asClient(
          pgUrl,
          runners.length,
          Effect.gen(function* () {
            // 8 syncs a second, a POST and a GET each: about 16 requests a second, under the limit,
            // so nothing is queued ahead in the limiter when the 429 comes.
            const ids: Array<string> = []
            for (const link of links) {
              ids.push(yield* LinkSync.launch({ link: link.id, run: RUN, list: {} }))
              yield* Effect.sleep("125 millis")
            }
            const done = yield* awaitAll(ids, Date.now() + 30_000)
            assert.strictEqual(done.size, ids.length)
            for (const exit of done.values()) assert.isTrue(Exit.isSuccess(exit), String(exit))

            const log = yield* Sandbox.requests
            const refused = log.filter((r) => r.status === 429)
            assert.lengthOf(refused, 1)
            const throttled = refused[0]!
            const at = throttled.receivedAt
            const throttledRunner = runnerOf(throttled)
            // Requests whose permits were granted before the back-off reached the limiter (within the
            // 429's round trip) may still arrive just after it; after that, none for a second.
            const after = log
              .filter((r) => r !== throttled && r.receivedAt >= at)
              .map((r) => r.receivedAt - at)
            const straggling = after.filter((dt) => dt < GRACE_MILLIS)
            const quiet = after.filter((dt) => dt >= GRACE_MILLIS && dt < 1_000)
            assert.deepStrictEqual(quiet, [], "requests in the second after the 429")
            const before = log.filter((r) => r.receivedAt >= at - 1_000 && r.receivedAt < at)
            assert.isAbove(
              new Set(before.map(runnerOf)).size,
              1,
              "other runners were sending right before the 429 too"
            )
            // The refused listing itself: retried by its runner after Retry-After, page delivered once.
            const retried = log.find(
              (r) => r.receivedAt > at && r.url === throttled.url && runnerOf(r) === throttledRunner
            )
            assert.isDefined(retried, "the refused listing was retried")
            assert.isAtLeast((retried?.receivedAt ?? 0) - at, 2_000, "not before its Retry-After")
            const sql = yield* SqlClient.SqlClient
            const pages = yield* sql<{ deliveries: number }>`SELECT deliveries FROM test_pages`
            assert.lengthOf(pages, ids.length)
            assert.isTrue(pages.every((row) => row.deliveries === 1))
            return {
              requests: log.length,
              inTheSecondBefore: before.length,
              runnersBefore: new Set(before.map(runnerOf)).size,
              stragglersMillis: straggling,
              nextArrivalMillis: after.find((dt) => dt >= GRACE_MILLIS),
              retryAfterMillis: (retried?.receivedAt ?? 0) - at
            }
          })
        )
        console.log(JSON.stringify({ test: "cluster-429", ...report }))
      }).pipe(
        keepOutput(() => children),
        Effect.provide(SandboxServer.layerWithSandbox({ latency: "5 millis" }))
      )
    },
    90_000
  )
})
