/**
 * The programs of examples/ do what their comments say: those docs/testing.md quotes, and the
 * live examples run over the in-process sandbox instead of Belvo.
 */
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as BigDecimal from "effect/BigDecimal"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import { TestClock, TestConsole } from "effect/testing"
import * as Configuration from "../../examples/configuration.js"
import * as Errors from "../../examples/errors.js"
import * as Export from "../../examples/export.js"
import * as GettingStarted from "../../examples/getting-started.js"
import * as MfaExample from "../../examples/mfa.js"
import * as MfaTwoProcesses from "../../examples/mfa-two-processes.js"
import * as Pagination from "../../examples/pagination.js"
import * as Reliability from "../../examples/reliability.js"
import { banner } from "../../examples/sandbox-server.js"
import { retrieveWithMfa } from "../../examples/testing-mfa.js"
import {
  credentialsStayedHome,
  firstPage,
  MY_SECRET,
  SandboxLive,
  SandboxLiveByParts,
  scriptFaults,
  seedMyData
} from "../../examples/testing-sandbox.js"
import { listOverLoopback, startSandbox } from "../../examples/testing-server.js"
import { type Balances, BelvoClient, BelvoError, MfaChallenge } from "../../src/index.js"
import { Sandbox, SandboxClient, SandboxModel, SandboxServer } from "../../src/testing/index.js"
import { blockAfter } from "../../scripts/doc-blocks.js"
import { basic, call, list, PATH } from "./helpers.js"

describe("examples/testing-sandbox.ts", () => {
  it.effect("seeds a secret, a link with two balances and a million-balance link", () =>
    Effect.gen(function* () {
      const { link, big } = yield* seedMyData
      const page = (yield* firstPage(link.id)) as { count: number; results: Array<{ available: number }> }
      assert.strictEqual(page.count, 2)
      assert.deepStrictEqual(
        page.results.map((r) => r.available),
        [1500, 1499.9]
      )
      assert.strictEqual(((yield* firstPage(big.id)) as { count: number }).count, 1_000_000)
      assert.deepStrictEqual(yield* credentialsStayedHome, { requests: 2, leaked: 0, maxInFlight: 1 })
    }).pipe(Effect.provide(SandboxLive))
  )

  it.effect("the layer built from parts is the same sandbox", () =>
    Effect.gen(function* () {
      const { link } = yield* seedMyData
      assert.strictEqual(((yield* firstPage(link.id)) as { count: number }).count, 2)
    }).pipe(Effect.provide(SandboxLiveByParts))
  )

  it.effect("the scripted faults happen as commented", () =>
    Effect.gen(function* () {
      yield* scriptFaults
      const auth = basic(MY_SECRET.id, MY_SECRET.password)
      const { link } = yield* seedMyData
      const posts: Array<number> = []
      for (let i = 0; i < 3; i++)
        posts.push((yield* call("POST", PATH, { auth, body: { link: link.id } })).status)
      assert.deepStrictEqual(posts, [400, 400, 201])
      const gets: Array<string> = []
      for (let i = 0; i < 6; i++) {
        const answer = yield* Effect.result(list({ link: link.id }, auth))
        gets.push(
          Result.isFailure(answer)
            ? answer.failure.reason._tag
            : `${answer.success.status}${answer.success.headers["retry-after"] ?? ""}`
        )
      }
      // The dropped connection fails to send; the truncated body fails when read.
      assert.deepStrictEqual(gets, ["200", "4292", "200", "TransportError", "DecodeError", "200"])
      const detail = yield* Effect.forkChild(
        call("GET", `${PATH}00000000-0000-4000-8000-000000000000/`, { auth })
      )
      yield* TestClock.adjust("2999 millis")
      assert.isUndefined(detail.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      assert.strictEqual((yield* Fiber.join(detail)).status, 404)
    }).pipe(Effect.provide(SandboxLive))
  )
})

describe("examples/testing-mfa.ts", () => {
  it.effect("428, then the reversed value resumes with 201", () =>
    Effect.gen(function* () {
      const result = yield* retrieveWithMfa
      assert.strictEqual(result.challengeStatus, 428)
      assert.strictEqual(result.resumeStatus, 201)
      assert.deepStrictEqual(result.same, Option.some(result.token))
    }).pipe(Effect.provide(SandboxLive))
  )
})

describe("examples/testing-server.ts and sandbox-server.ts", () => {
  it.live("lists over loopback, and a suite without Effect can script faults", () =>
    Effect.gen(function* () {
      const result = yield* listOverLoopback
      assert.strictEqual(result.status, 200)
      assert.strictEqual(result.count, 60)
      assert.match(result.next ?? "", /^http:\/\/127\.0\.0\.1:\d+\/api\/br\/balances\/\?/)
      const sandbox = yield* Effect.promise(startSandbox)
      yield* Effect.promise(sandbox.failNextRetrieval)
      const retrieve = () =>
        fetch(`${sandbox.url}/api/br/balances/`, {
          method: "POST",
          headers: { authorization: basic(), "content-type": "application/json" },
          body: JSON.stringify({ link: SandboxModel.plainLinkId, save_data: false })
        }).then((r) => r.status)
      assert.deepStrictEqual([yield* Effect.promise(retrieve), yield* Effect.promise(retrieve)], [503, 200])
      yield* Effect.promise(sandbox.stop)
    })
  )

  it("the banner names the URL, the credentials and every demo link", () => {
    const text = banner("http://127.0.0.1:8787")
    for (const needle of [
      "http://127.0.0.1:8787/api/br/balances/",
      SandboxModel.defaultSecretId,
      SandboxModel.defaultSecretPassword,
      SandboxModel.plainLinkId,
      SandboxModel.mfaLinkId,
      SandboxModel.largeLinkId,
      SandboxModel.otherLinkId
    ]) {
      assert.include(text, needle)
    }
  })
})

const linkConfig = (link: string) => ConfigProvider.layer(ConfigProvider.fromUnknown({ BELVO_LINK_ID: link }))

/** Runs `effect` until it returns a value, yielding to other fibers between tries. */
const eventually = <A>(effect: Effect.Effect<A | undefined, never, Sandbox.Sandbox>) =>
  Effect.gen(function* () {
    for (let i = 0; i < 1000; i++) {
      const value = yield* effect
      if (value !== undefined) return value
      yield* Effect.yieldNow
    }
    return yield* Effect.die("never happened")
  })

describe("the live examples, over the in-process sandbox", () => {
  it.effect("getting-started: retrieves, lists and gets", () =>
    Effect.gen(function* () {
      yield* GettingStarted.program
      const lines = (yield* TestConsole.logLines).map((line) =>
        Array.isArray(line) ? line.join(" ") : String(line)
      )
      assert.include(lines.join("\n"), "retrieved 2 balances (stored by Belvo: true)")
      assert.match(lines.join("\n"), /\d+ stored balances since 2024-01-01/)
    }).pipe(Effect.provide([SandboxClient.layer(), linkConfig(SandboxModel.plainLinkId)]))
  )

  it.effect("getting-started: bad credentials print a hint, and the program still fails", () =>
    Effect.gen(function* () {
      const result = yield* Effect.result(GettingStarted.program)
      assert.isTrue(Result.isFailure(result) && result.failure._tag === "AuthenticationFailed")
      assert.include(String(yield* TestConsole.errorLines), "Check BELVO_SECRET_ID / BELVO_SECRET_PASSWORD")
    }).pipe(
      Effect.provide([
        SandboxClient.layer({ client: { secretPassword: Redacted.make("not the password") } }),
        linkConfig(SandboxModel.plainLinkId)
      ])
    )
  )

  it.effect("pagination and reliability: their programs run to the end", () =>
    Effect.gen(function* () {
      yield* Pagination.program
      yield* Reliability.program
      const text = (yield* TestConsole.logLines).map(String).join("\n")
      assert.include(text, "10 balances taken")
      assert.match(text, /first page: \d+ of \d+/)
    }).pipe(Effect.provide([SandboxClient.layer(), linkConfig(SandboxModel.plainLinkId)]))
  )

  it.effect("errors: explains a refused retrieve, then fails with it; its JSON decodes back", () =>
    Effect.gen(function* () {
      const result = yield* Effect.result(Errors.program)
      assert.isTrue(Result.isFailure(result))
      const error = (result as Result.Failure<never, Balances.RetrieveError>).failure
      assert.strictEqual(error._tag, "AccessDenied")
      assert.strictEqual(Errors.advice(error), "check the Belvo credentials or link owner")
      const printed = (yield* TestConsole.errorLines).map(String)
      assert.include(printed, "advice: check the Belvo credentials or link owner")
      const json = yield* Errors.errorToJson(error)
      assert.include(printed, json)
      const back = yield* Errors.errorFromJson(json)
      assert.strictEqual(back._tag, "AccessDenied")
      assert.strictEqual(back.message, error.message)
      // An answered error encodes as one; a timeout (no answer) does not.
      const answered = yield* Errors.answeredToJson(error)
      assert.isTrue(Option.isSome(answered) && JSON.parse(answered.value)._tag === "AccessDenied")
      const timeout = new BelvoError.Timeout({
        message: "m",
        method: "GET",
        path: "/",
        millis: 1,
        scope: "call"
      })
      assert.isTrue(Option.isNone(yield* Errors.answeredToJson(timeout)))
    }).pipe(Effect.provide([SandboxClient.layer(), linkConfig(SandboxModel.otherLinkId)]))
  )

  it.effect(
    "reliability: the ledger hook records a retrieve as it leaves; a failing ledger sends nothing",
    () =>
      Effect.gen(function* () {
        const ledger: Array<string> = []
        const record = (link: string) => Effect.sync(() => void ledger.push(link))
        const retrieval = yield* Reliability.retrieveRecorded(SandboxModel.plainLinkId, record)
        assert.strictEqual(retrieval.status, 201)
        assert.deepStrictEqual(ledger, [SandboxModel.plainLinkId])
        const down = (link: string) => Effect.fail(new Reliability.LedgerDown({ link }))
        const error = yield* Effect.flip(Reliability.retrieveRecorded(SandboxModel.plainLinkId, down))
        assert.strictEqual(error._tag, "LedgerDown")
        assert.lengthOf(
          (yield* Sandbox.requests).filter((request) => request.method === "POST"),
          1
        )
      }).pipe(Effect.provide(SandboxClient.layer()))
  )

  it.effect("mfa: start stores the challenge, finish resumes it with the token", () =>
    Effect.gen(function* () {
      const started = yield* MfaExample.start(SandboxModel.mfaLinkId)
      assert.strictEqual(started._tag, "NeedsToken")
      if (started._tag !== "NeedsToken") return
      assert.isTrue(started.expectsInput)
      const challenge = yield* MfaChallenge.fromJson(started.stored)
      const finished = yield* MfaExample.finish(
        started.stored,
        SandboxModel.tokenFor(challenge.token_generation_data!.value!)
      )
      assert.deepStrictEqual(finished, { _tag: "Done", balances: 1, currencies: ["BRL"] })
    }).pipe(Effect.provide(SandboxClient.layer()))
  )

  it.effect("mfa: Mfa.answer waits for the token a web handler submits", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(MfaExample.retrieveAnswering(SandboxModel.mfaLinkId))
      const session = yield* eventually(Effect.map(Sandbox.sessions, (all) => all[0]?.session))
      const token = Option.getOrThrow(yield* Sandbox.tokenForSession(session))
      yield* eventually(
        Effect.map(MfaExample.submitToken(session, token), (accepted) => (accepted ? true : undefined))
      )
      const retrieval = yield* Fiber.join(fiber)
      assert.strictEqual(retrieval.balances.length, 1)
      assert.deepStrictEqual(Object.keys(retrieval.balances[0]!).sort(), [
        "account_id",
        "available",
        "currency"
      ])
    }).pipe(Effect.provide(SandboxClient.layer()))
  )

  it.effect("mfa: without a token before the session ends, NoTokenInTime or SessionExpired", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        Effect.result(MfaExample.retrieveAnswering(SandboxModel.mfaLinkId))
      )
      yield* eventually(Effect.map(Sandbox.sessions, (all) => all[0]?.session))
      yield* TestClock.adjust("10 minutes")
      const result = yield* Fiber.join(fiber)
      assert.isTrue(Result.isFailure(result))
      assert.include(
        ["NoTokenInTime", "SessionExpired"],
        (result as Result.Failure<unknown, { _tag: string }>).failure._tag
      )
    }).pipe(Effect.provide(SandboxClient.layer()))
  )
})

describe("examples/mfa-two-processes.ts", () => {
  it.live("store writes the challenge and names the token; resume answers with it, once", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const file = `${yield* fs.makeTempDirectoryScoped({ prefix: "effect-belvo-mfa-" })}/challenge.json`
      const port = new URL(yield* SandboxServer.url).port
      const client = MfaTwoProcesses.SandboxBelvo.pipe(
        Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({ PORT: port })))
      )
      yield* MfaTwoProcesses.store(file).pipe(Effect.provide(client))
      const stored = yield* MfaChallenge.fromJson(yield* fs.readFileString(file), {})
      const token = SandboxModel.tokenFor(stored)
      yield* MfaTwoProcesses.resume(file, token).pipe(Effect.provide(client))
      // TestConsole keeps each argument of a Console.log as its own entry.
      const [line, ...balance] = (yield* TestConsole.logLines).map(String)
      assert.strictEqual(line, `challenge stored in ${file}; the token: ${token}`)
      assert.match(balance.join(" "), new RegExp(`^${SandboxModel.mfaAccountId} BRL \\d+(\\.\\d+)?$`))
      // A session is single use.
      const again = yield* Effect.flip(MfaTwoProcesses.resume(file, token).pipe(Effect.provide(client)))
      assert.strictEqual(again._tag, "SessionExpired")
    }).pipe(
      Effect.provide([SandboxServer.layerWithSandbox({ port: 0 }), NodeFileSystem.layer, TestConsole.layer])
    )
  )

  it.effect("a command it does not know fails, naming the ones it does", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(MfaTwoProcesses.main(["sevre"]))
      assert.include(String(error), "usage: serve | store | resume <token>")
    })
  )
})

describe("what a failed example prints", () => {
  it("getting-started without BELVO_* exits 1 printing the text docs/getting-started.md quotes", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "examples/getting-started.ts"], {
      env: { PATH: process.env.PATH ?? "" },
      encoding: "utf8",
      timeout: 60_000
    })
    assert.strictEqual(run.status, 1, run.stderr)
    // runMain's logger puts the time and the fiber first: `[22:21:34.822] ERROR (#2): `.
    const printed = `${run.stdout}${run.stderr}`.replace(/^\[[\d:.]+\] ERROR \(#\d+\): /m, "").trim()
    const quoted = blockAfter(
      "docs/getting-started.md",
      readFileSync("docs/getting-started.md", "utf8"),
      "after printing:"
    )
    assert.strictEqual(printed, quoted?.code)
  })
})

describe("examples/configuration.ts", () => {
  it.effect("a bad option fails when the layer is built, naming the option", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        yield* Configuration.rejectedOption,
        "BelvoClient option maxConcurrentRequests must be a whole number from 1 to 10000"
      )
    })
  )

  it.effect("the layer from a record reads its base URL", () =>
    Effect.gen(function* () {
      const client = yield* BelvoClient.BelvoClient
      assert.strictEqual(client.baseUrl.href, "http://localhost:8787/")
    }).pipe(Effect.provide(Configuration.FromMapLive))
  )
})

describe("examples/export.ts", () => {
  /** Money as `Balance.toJson` and `Balance.formatAmount` write it: two decimals at least, no exponent. */
  const MONEY = /^-?\d+\.\d{2,}$/
  const AMOUNTS = ["available", "blocked", "automatically_invested"] as const

  /** A link with amounts whose exact text is known, in two currencies. */
  const seedExact = Effect.gen(function* () {
    const link = yield* Sandbox.addLink({ accounts: 1 })
    const ids = {
      trailingZero: "00000000-0000-4000-8000-000000000001",
      cents: "00000000-0000-4000-8000-000000000002",
      huge: "00000000-0000-4000-8000-000000000003"
    }
    yield* Sandbox.addBalances([
      {
        link: link.id,
        id: ids.trailingZero,
        currency: "BRL",
        available: "1000.2",
        blocked: "0",
        automatically_invested: "12.3456"
      },
      {
        link: link.id,
        id: ids.cents,
        currency: "BRL",
        available: "0.10",
        blocked: "-5",
        automatically_invested: "0.20"
      },
      {
        link: link.id,
        id: ids.huge,
        currency: "USD",
        available: "123456789012345.6789",
        blocked: "0.00",
        automatically_invested: "0.01"
      }
    ])
    return { link: link.id, ids }
  })

  /** The exact sum, per currency and amount, of what the sandbox holds: computed from its wire text. */
  const expectedTotals = (link: string) =>
    Effect.map(Sandbox.balancesOf(link), (balances) => {
      const totals = new Map<string, Record<(typeof AMOUNTS)[number], BigDecimal.BigDecimal>>()
      for (const balance of balances) {
        const sum = totals.get(balance.currency) ?? {
          available: BigDecimal.fromBigInt(0n),
          blocked: BigDecimal.fromBigInt(0n),
          automatically_invested: BigDecimal.fromBigInt(0n)
        }
        for (const amount of AMOUNTS) {
          sum[amount] = BigDecimal.sum(sum[amount], BigDecimal.fromStringUnsafe(String(balance[amount])))
        }
        totals.set(balance.currency, sum)
      }
      return totals
    })

  const collectText = <E, R>(stream: Stream.Stream<string, E, R>) =>
    Effect.map(Stream.runCollect(stream), (chunks) => chunks.join(""))

  it.effect("NDJSON: one line per balance, exact amounts with two decimals at least, UTC timestamps", () =>
    Effect.gen(function* () {
      const { link, ids } = yield* seedExact
      const text = yield* collectText(Export.ndjson(link))
      assert.isTrue(text.endsWith("\n"))
      const lines = text
        .slice(0, -1)
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, string>)
      assert.strictEqual(lines.length, 3)
      const byId = new Map(lines.map((line) => [line.id, line]))
      const amounts = (id: string) => AMOUNTS.map((amount) => byId.get(id)?.[amount])
      assert.deepStrictEqual(amounts(ids.trailingZero), ["1000.20", "0.00", "12.3456"])
      assert.deepStrictEqual(amounts(ids.cents), ["0.10", "-5.00", "0.20"])
      assert.deepStrictEqual(amounts(ids.huge), ["123456789012345.6789", "0.00", "0.01"])
      // Balances added without collected_at are collected at the Clock's now: the TestClock's epoch.
      assert.strictEqual(byId.get(ids.cents)?.collected_at, "1970-01-01T00:00:00.000Z")
      assert.strictEqual(byId.get(ids.cents)?.link, link)
    }).pipe(Effect.provide(SandboxClient.layer()))
  )

  it.effect("NDJSON of the demo link: every line parses, in list order, amounts equal to the sandbox's", () =>
    Effect.gen(function* () {
      const link = SandboxModel.plainLinkId
      const stored = yield* Sandbox.balancesOf(link)
      const text = yield* collectText(Export.ndjson(link))
      const lines = text
        .slice(0, -1)
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, string>)
      assert.strictEqual(lines.length, stored.length)
      assert.isAbove(lines.length, 0)
      lines.forEach((line, index) => {
        const wire = stored[index]!
        assert.strictEqual(line.id, wire.id)
        assert.strictEqual(line.collected_at, new Date(wire.collected_at).toISOString())
        for (const amount of AMOUNTS) {
          const value = line[amount] ?? ""
          assert.match(value, MONEY, `${line.id} ${amount}`)
          assert.isTrue(
            BigDecimal.equals(
              BigDecimal.fromStringUnsafe(value),
              BigDecimal.fromStringUnsafe(String(wire[amount]))
            ),
            `${line.id} ${amount}: ${value} vs ${wire[amount]}`
          )
        }
      })
    }).pipe(Effect.provide(SandboxClient.layer()))
  )

  it.effect("CSV: the header, then one row per balance with the same values as the NDJSON", () =>
    Effect.gen(function* () {
      const link = SandboxModel.plainLinkId
      const stored = yield* Sandbox.balancesOf(link)
      const rows = (yield* collectText(Export.csv(link))).slice(0, -1).split("\n")
      assert.strictEqual(
        rows[0],
        "id,account_id,currency,available,blocked,automatically_invested,collected_at"
      )
      assert.strictEqual(rows.length, stored.length + 1)
      const json = (yield* collectText(Export.ndjson(link)))
        .slice(0, -1)
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, string>)
      rows.slice(1).forEach((row, index) => {
        const cells = row.split(",")
        assert.deepStrictEqual(
          cells,
          Export.csvColumns.map((column) => json[index]?.[column]),
          `row ${index + 1}`
        )
        for (const column of [3, 4, 5]) assert.match(cells[column] ?? "", MONEY, `row ${index + 1}`)
      })
    }).pipe(Effect.provide(SandboxClient.layer()))
  )

  it.effect("totals per currency equal an exact sum computed from the sandbox's own amounts", () =>
    Effect.gen(function* () {
      const { link } = yield* seedExact
      for (const target of [link, SandboxModel.plainLinkId]) {
        const totals = yield* Export.totalsPerCurrency(target)
        const expected = yield* expectedTotals(target)
        assert.deepStrictEqual([...totals.keys()].sort(), [...expected.keys()].sort())
        for (const [currency, sum] of expected) {
          for (const amount of AMOUNTS) {
            const got = totals.get(currency)![amount]
            assert.isTrue(
              BigDecimal.equals(got, sum[amount]),
              `${currency} ${amount}: ${BigDecimal.format(got)} vs ${BigDecimal.format(sum[amount])}`
            )
          }
        }
      }
      assert.deepStrictEqual([...Export.formatTotals(yield* Export.totalsPerCurrency(link))].sort(), [
        "BRL: available 1000.30, blocked -5.00, automatically invested 12.5456",
        "USD: available 123456789012345.6789, blocked 0.00, automatically invested 0.01"
      ])
    }).pipe(Effect.provide(SandboxClient.layer()))
  )

  it.effect("exportLink writes both files, streamed, with the same text as the streams", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const directory = `${yield* fs.makeTempDirectoryScoped({ prefix: "effect-belvo-export-test-" })}/out`
      const link = SandboxModel.plainLinkId
      const { files, totals } = yield* Export.exportLink(link, directory)
      assert.deepStrictEqual(files, {
        ndjson: `${directory}/balances.ndjson`,
        csv: `${directory}/balances.csv`
      })
      assert.strictEqual(yield* fs.readFileString(files.ndjson), yield* collectText(Export.ndjson(link)))
      assert.strictEqual(yield* fs.readFileString(files.csv), yield* collectText(Export.csv(link)))
      assert.deepStrictEqual([...totals.keys()], ["BRL"])
    }).pipe(Effect.scoped, Effect.provide([SandboxClient.layer(), NodeFileSystem.layer]))
  )

  // Live: the run adds its USD balance at the Clock's now, which orders it among the others, as
  // when it is run for real.
  it.live(
    "the sandbox run writes to EXPORT_DIR and prints the totals of both currencies, as docs/data.md quotes them",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const directory = yield* fs.makeTempDirectoryScoped({ prefix: "effect-belvo-export-test-" })
        yield* Export.sandboxExport.pipe(
          Effect.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({ EXPORT_DIR: directory })))
        )
        const printed = (yield* TestConsole.logLines).map(String)
        assert.include(printed, `wrote ${directory}/balances.ndjson\nwrote ${directory}/balances.csv`)
        assert.include(printed, "USD: available 1000.20, blocked 0.00, automatically invested 12.3456")
        assert.isTrue(printed.some((line) => /^BRL: available \d+\.\d{2}, /.test(line)))
        const quoted = blockAfter(
          "docs/data.md",
          readFileSync("docs/data.md", "utf8"),
          "export const formatTotals"
        )
        assert.strictEqual(printed.filter((line) => /^[A-Z]{3}: /.test(line)).join("\n"), quoted?.code)
        const csvRows = (yield* fs.readFileString(`${directory}/balances.csv`)).trimEnd().split("\n")
        assert.strictEqual(csvRows.length, 1 + 60 + 1) // the header, the demo link's 60 balances, the USD one
      }).pipe(Effect.scoped, Effect.provide([NodeFileSystem.layer, TestConsole.layer]))
  )
})
