/**
 * The built `effect-belvo` command, run as a separate process the way a user runs it, against the
 * sandbox's server on 127.0.0.1 (configured by BELVO_* as in production) and its embedded sandbox
 * (--sandbox). What it writes is compared with what the library gives for the same query over the
 * same server: NDJSON and CSV byte for byte against `Balance.toJson`. Exit codes, usage errors
 * before anything is sent, secrets kept out of every output, MFA answered by flags, stored and
 * resumed, Ctrl-C and a closed pipe. The MFA prompt and the progress line run under a real
 * pseudo-terminal (util-linux script(1)); where it is missing, one line says those did not run.
 */
import { assert, beforeAll, describe, it, layer, vi } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { spawnSync } from "node:child_process"
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import { fileURLToPath } from "node:url"
import packageJson from "../../package.json" with { type: "json" }
import { Balance, type BalanceQuery, Balances, BelvoClient, MfaChallenge } from "../../src/index.js"
import { Sandbox, SandboxClient, SandboxModel, SandboxServer } from "../../src/testing/index.js"
import * as Format from "../../src/cli/format.js"
import * as Cli from "./harness.js"

// Each test runs several processes, each a fresh Node that loads Effect: on a busy machine one may
// take seconds. Two tests at a time: the file is quicker, and leaves cores to the suite's other
// files (some measure time).
vi.setConfig({ testTimeout: 180_000, maxConcurrency: 2 })

beforeAll(() => Cli.build(), 180_000)

const plain = SandboxModel.plainLinkId
const large = SandboxModel.largeLinkId
const secretId = SandboxModel.defaultSecretId
const secretPassword = SandboxModel.defaultSecretPassword
const MONEY = /^-?\d+\.\d{2,}$/

const ConfigLayer = (env: Record<string, string>) => ConfigProvider.layer(ConfigProvider.fromUnknown(env))

const temp = () => mkdtempSync(join(tmpdir(), "effect-belvo-cli-test-"))

/** RFC 4180 as the test reads it, independently of the command's writer. */
const csvCell = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text)
const csvOf = (columns: ReadonlyArray<string>, rows: ReadonlyArray<Record<string, unknown>>) =>
  [columns, ...rows.map((row) => columns.map((column) => String(row[column] ?? "")))]
    .map((cells) => `${cells.map(csvCell).join(",")}\n`)
    .join("")

const server = SandboxServer.layerWithSandbox({ port: 0, largeLinkBalances: 3000 }).pipe(Layer.orDie)

/** The environment pointing the command at the server, as a user configures it. */
const envFor = (url: string, extra: Record<string, string> = {}) => ({
  BELVO_BASE_URL: url,
  BELVO_SECRET_ID: secretId,
  BELVO_SECRET_PASSWORD: secretPassword,
  ...extra
})

const context = Effect.gen(function* () {
  const url = yield* SandboxServer.url
  return { url, env: envFor(url) }
})

/** The same listing through the library, over the same server: the rows `Balance.toJson` gives. */
const libraryRows = (query: BalanceQuery.ListQuery) =>
  Effect.gen(function* () {
    const url = yield* SandboxServer.url
    const client = BelvoClient.layer({
      baseUrl: url,
      secretId: Redacted.make(secretId),
      secretPassword: Redacted.make(secretPassword)
    }).pipe(Layer.provide(FetchHttpClient.layer), Layer.orDie)
    return yield* Balances.list(query).pipe(
      Stream.map(Balance.toJson),
      Stream.runCollect,
      Effect.provide(client)
    )
  })

const ndjsonOf = (rows: ReadonlyArray<unknown>) => rows.map((row) => `${JSON.stringify(row)}\n`).join("")

/** The rows of NDJSON text. */
const rowsOf = (ndjson: string): Array<Record<string, string>> =>
  ndjson
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line))

/** The requests the server logged that `match`: each test looks at its own link or session only. */
const requestsWhere = (match: (request: Sandbox.LoggedRequest) => boolean) =>
  Effect.map(Sandbox.requests, (log) => log.filter(match))

const mentions = (text: string) => (request: Sandbox.LoggedRequest) =>
  request.url.includes(text) || request.body.includes(text)

const lastWhere = (method: string, text: string) =>
  Effect.map(
    requestsWhere((request) => request.method === method && mentions(text)(request)),
    (found) => {
      assert.isNotEmpty(found, `a ${method} request for ${text}`)
      return found.at(-1)!
    }
  )

describe.concurrent("effect-belvo --help, --version, --completions", () => {
  const commands = [
    [],
    ["balances"],
    ["balances", "retrieve"],
    ["balances", "resume"],
    ["balances", "get"],
    ["balances", "list"],
    ["sandbox"]
  ]

  it.effect("every command has its help on stdout, and no flag takes a secret", () =>
    Effect.gen(function* () {
      for (const path of commands) {
        const result = yield* Cli.run([...path, "--help"])
        assert.strictEqual(result.code, 0, path.join(" "))
        assert.include(result.stdout, `USAGE\n  effect-belvo${path.map((part) => ` ${part}`).join("")}`)
        assert.strictEqual(result.stderr, "")
        // Secrets come from the environment only: nothing invites them onto a command line.
        assert.notMatch(result.stdout, /--[\w-]*(secret|password)/i)
      }
    })
  )

  it.effect("--version is the package's; --completions prints a script naming every command and flag", () =>
    Effect.gen(function* () {
      const version = yield* Cli.run(["--version"])
      assert.strictEqual(version.stdout.trim(), `effect-belvo v${packageJson.version}`)
      const bash = yield* Cli.run(["--completions", "bash"])
      assert.strictEqual(bash.code, 0)
      for (const word of [
        "balances",
        "retrieve",
        "resume",
        "list",
        "sandbox",
        "--page-size",
        "--collected-at-gte",
        "--save-challenge"
      ]) {
        assert.include(bash.stdout, word)
      }
    })
  )
})

layer(server, { excludeTestServices: true, concurrent: true })(
  "effect-belvo balances, against the sandbox server",
  (it) => {
    it.effect(
      "list: NDJSON byte for byte what Balance.toJson gives, across pages, with filters; stderr quiet",
      () =>
        Effect.gen(function* () {
          const { env } = yield* context
          const expected = ndjsonOf(
            yield* libraryRows({ link: plain, collected_at__gte: "2024-01-20", page_size: 7 })
          )
          assert.isAbove(expected.split("\n").length, 15)
          for (const concurrency of ["1", "4"]) {
            const result = yield* Cli.run(
              [
                "balances",
                "list",
                "--link",
                plain,
                "--collected-at-gte",
                "2024-01-20",
                "--page-size",
                "7",
                "--concurrency",
                concurrency,
                "--format",
                "ndjson"
              ],
              { env }
            )
            assert.strictEqual(result.code, 0, result.stderr)
            assert.strictEqual(result.stdout, expected)
            assert.strictEqual(result.stderr, "", "no progress when stderr is not a terminal")
          }
          // Off a terminal, NDJSON is the default.
          const byDefault = yield* Cli.run(
            ["balances", "list", "--link", plain, "--collected-at-gte", "2024-01-20"],
            { env }
          )
          assert.strictEqual(byDefault.stdout, expected)
        })
    )

    it.effect(
      "list: CSV byte for byte, quoting what needs it; --fields chooses the columns and their order",
      () =>
        Effect.gen(function* () {
          const { env } = yield* context
          const link = yield* Sandbox.addLink({
            accounts: [{ internal_identification: 'agência 12, conta "34"\nsegunda linha' }]
          })
          yield* Sandbox.addBalances([
            { link: link.id, available: "123456789012345.6789", blocked: "0", automatically_invested: "12.3" }
          ])
          const all = yield* libraryRows({ link: link.id })
          const csv = yield* Cli.run(["balances", "list", "--link", link.id, "--format", "csv"], { env })
          assert.strictEqual(csv.code, 0, csv.stderr)
          assert.strictEqual(csv.stdout, csvOf(Balance.fieldNames, all))
          assert.include(csv.stdout, '"agência 12, conta ""34""\nsegunda linha"')
          assert.include(csv.stdout, ",123456789012345.6789,0.00,12.30\n")
          const demo = yield* libraryRows({ link: plain, fields: ["available", "id"] })
          const fields = yield* Cli.run(
            ["balances", "list", "--link", plain, "--fields", "available,id", "--format", "csv"],
            { env }
          )
          assert.strictEqual(fields.stdout, csvOf(["available", "id"], demo))
          for (const row of demo) assert.match(String(row.available), MONEY)
        })
    )

    it.effect("list: JSON is the array of the rows; a table lines its columns up", () =>
      Effect.gen(function* () {
        const { env } = yield* context
        const rows = yield* libraryRows({ link: plain, page_size: 9 })
        const json = yield* Cli.run(
          ["balances", "list", "--link", plain, "--page-size", "9", "--format", "json"],
          { env }
        )
        assert.deepStrictEqual(JSON.parse(json.stdout), rows)
        assert.isTrue(json.stdout.endsWith("\n]\n"))
        const table = yield* Cli.run(["balances", "list", "--link", plain, "--format", "table"], { env })
        const lines = table.stdout.trimEnd().split("\n")
        assert.match(
          lines[0] ?? "",
          /^id +account_id +collected_at +currency +available +blocked +automatically_invested$/
        )
        assert.strictEqual(lines.length, rows.length + 1)
        // The last column is an amount, right-aligned: every line is as wide, the header's too.
        for (const line of lines) assert.strictEqual(line.length, lines[0]?.length)
        assert.strictEqual(
          lines[0]?.indexOf("currency"),
          (lines[1]?.indexOf(` ${rows[0]?.currency} `) ?? 0) + 1
        )
        rows.forEach((row, index) => {
          assert.deepStrictEqual(
            lines[index + 1]?.split(/ +/),
            Balance.fieldNames
              .filter((name) => !(Format.tableOmits as ReadonlyArray<string>).includes(name))
              .map((name) => row[name])
          )
        })
      })
    )

    it.effect("--out writes the file instead of stdout, in the format its extension names", () =>
      Effect.gen(function* () {
        const { env } = yield* context
        const dir = temp()
        const rows = yield* libraryRows({ link: plain })
        const result = yield* Cli.run(["balances", "list", "--link", plain, "--out", join(dir, "b.csv")], {
          env
        })
        assert.strictEqual(result.code, 0, result.stderr)
        assert.strictEqual(result.stdout, "")
        assert.strictEqual(readFileSync(join(dir, "b.csv"), "utf8"), csvOf(Balance.fieldNames, rows))
        yield* Cli.run(["balances", "list", "--link", plain, "--out", join(dir, "b.json")], { env })
        assert.deepStrictEqual(JSON.parse(readFileSync(join(dir, "b.json"), "utf8")), rows)
        const bad = yield* Cli.run(
          ["balances", "list", "--link", plain, "--out", join(dir, "missing", "b.csv")],
          { env }
        )
        assert.strictEqual(bad.code, 2)
        assert.include(bad.stderr, "Cannot write")
        rmSync(dir, { recursive: true })
      })
    )

    it.effect("get: one balance in every format", () =>
      Effect.gen(function* () {
        const { env } = yield* context
        const [row] = yield* libraryRows({ link: plain, page_size: 1 })
        const id = String(row?.id)
        const ndjson = yield* Cli.run(["balances", "get", id, "--format", "ndjson"], { env })
        assert.strictEqual(ndjson.stdout, ndjsonOf([row]))
        const json = yield* Cli.run(["balances", "get", id, "--fields", "id,available", "--format", "json"], {
          env
        })
        assert.strictEqual(json.stdout, `${JSON.stringify({ id, available: row?.available }, null, 2)}\n`)
        const csv = yield* Cli.run(["balances", "get", id, "--format", "csv", "--omit", "link"], { env })
        const { link: _, ...rest } = row as Record<string, unknown>
        assert.strictEqual(csv.stdout, csvOf(Object.keys(rest), [rest]))
        const table = yield* Cli.run(["balances", "get", id, "--format", "table"], { env })
        assert.deepStrictEqual(
          table.stdout
            .trimEnd()
            .split("\n")
            .map((line) => line.split(/ +/)),
          Balance.fieldNames.map((name) => [name, String(row?.[name])])
        )
      })
    )

    it.effect("retrieve: POSTs the link, account, projection and --no-save; writes the fresh balances", () =>
      Effect.gen(function* () {
        const { env } = yield* context
        const link = yield* Sandbox.addLink({ accounts: 2 })
        const account = link.accounts[0]?.id ?? ""
        const result = yield* Cli.run(
          [
            "balances",
            "retrieve",
            "--link",
            link.id,
            "--account",
            account,
            "--no-save",
            "--fields",
            "account_id,available",
            "--format",
            "ndjson"
          ],
          { env }
        )
        assert.strictEqual(result.code, 0, result.stderr)
        const rows = rowsOf(result.stdout)
        assert.strictEqual(rows.length, 1)
        assert.deepStrictEqual(Object.keys(rows[0] ?? {}), ["account_id", "available"])
        assert.strictEqual(rows[0]?.account_id, account)
        assert.match(rows[0]?.available ?? "", MONEY)
        const post = yield* lastWhere("POST", link.id)
        assert.deepStrictEqual(JSON.parse(post.body), {
          link: link.id,
          account_id: account,
          save_data: false
        })
        assert.strictEqual(new URL(post.url).searchParams.get("fields"), "account_id,available")
        assert.strictEqual(post.status, 200)
        const both = yield* Cli.run(["balances", "retrieve", "--link", link.id], { env })
        assert.strictEqual(both.stdout.trimEnd().split("\n").length, 2, "one balance per account")
        const saved = yield* lastWhere("POST", link.id)
        assert.deepStrictEqual(JSON.parse(saved.body), { link: link.id, save_data: true })
        assert.strictEqual(saved.status, 201)
      })
    )

    it.effect(
      "usage errors exit 2 before anything is sent, on stderr only; an unknown filter names the closest",
      () =>
        Effect.gen(function* () {
          const { env } = yield* context
          const { id: plain } = yield* Sandbox.addLink({ accounts: 1 })
          const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
            [["balances", "list", "--link", plain, "--colected-at-gte", "2024-01-01"], "--collected-at-gte"],
            [
              ["balances", "list", "--link", plain, "--collected_at__gte", "2024-01-01"],
              "--collected-at-gte"
            ],
            [["balances", "list", "--link", plain, "--pageSize", "10"], "--page-size"],
            [["balances", "list", "--link", plain, "--page-size", "abc"], "--page-size"],
            [
              ["balances", "list", "--link", plain, "--page-size", "5000"],
              'InvalidQuery: Invalid query parameter "page_size"'
            ],
            [
              ["balances", "list", "--link", plain, "--collected-at-gte", "2024-02-30"],
              '"collected_at__gte": must be a real calendar date'
            ],
            [["balances", "list", "--link", "not-a-link"], 'InvalidQuery: Invalid query parameter "link"'],
            [["balances", "list"], "Missing required flag: --link"],
            [
              ["balances", "get", "00000000-0000-4000-8000-00000000abcd", "--fields", "idd"],
              '"idd" is not a balance field'
            ],
            [["balances", "lst"], "list"],
            [["balances", "retrieve", "--link", plain, "--format", "xml"], "--format"]
          ]
          for (const [args, says] of cases) {
            const result = yield* Cli.run(args, { env })
            assert.strictEqual(result.code, 2, `${args.join(" ")}: ${result.stderr}`)
            assert.include(result.stderr, says, args.join(" "))
            assert.strictEqual(result.stdout, "", "no help text on stdout")
          }
          assert.deepStrictEqual(yield* requestsWhere(mentions(plain)), [], "nothing was sent")
          assert.deepStrictEqual(yield* requestsWhere(mentions("00000000-0000-4000-8000-00000000abcd")), [])
        })
    )

    it.effect("configuration errors exit 2 with BelvoClient.config's own text", () =>
      Effect.gen(function* () {
        const expected = (yield* Effect.flip(
          Effect.provide(Effect.asVoid(BelvoClient.config), ConfigLayer({}))
        )).cause.message
        const missing = yield* Cli.run(["balances", "list", "--link", plain])
        assert.strictEqual(missing.code, 2)
        assert.strictEqual(missing.stderr, `ConfigError: ${expected}\n`)
        const environment = {
          BELVO_SECRET_ID: "id",
          BELVO_SECRET_PASSWORD: "pw",
          BELVO_ENVIRONMENT: "staging"
        }
        const wrongEnvironment = (yield* Effect.flip(
          Effect.provide(Effect.asVoid(BelvoClient.config), ConfigLayer(environment))
        )).cause.message
        const staging = yield* Cli.run(["balances", "list", "--link", plain], { env: environment })
        assert.strictEqual(staging.stderr, `ConfigError: ${wrongEnvironment}\n`)
        assert.strictEqual(staging.code, 2)
      })
    )

    it.effect("API and network errors exit 1 with their tag and message; the secret never shows", () =>
      Effect.gen(function* () {
        const { url } = yield* context
        const password = "a-secret-that-must-not-leak"
        const wrong = yield* Cli.run(["balances", "list", "--link", plain], {
          env: envFor(url, { BELVO_SECRET_PASSWORD: password })
        })
        assert.strictEqual(wrong.code, 1)
        assert.match(wrong.stderr, /^AuthenticationFailed: 401 authentication_failed: /)
        assert.include(wrong.stderr, "Check BELVO_SECRET_ID and BELVO_SECRET_PASSWORD")
        for (const leak of [password, Buffer.from(`${secretId}:${password}`).toString("base64")]) {
          assert.notInclude(wrong.stdout + wrong.stderr, leak)
        }
        const missing = yield* Cli.run(["balances", "get", "00000000-0000-4000-8000-000000000001"], {
          env: envFor(url)
        })
        assert.strictEqual(missing.code, 1)
        assert.match(missing.stderr, /^NotFound: 404 not_found: /)
        const others = yield* Cli.run(["balances", "list", "--link", SandboxModel.otherLinkId], {
          env: envFor(url)
        })
        assert.strictEqual(others.code, 1)
        assert.match(others.stderr, /^AccessDenied: 403/)
        // Nothing listens on port 9 (discard) on loopback: refused, retried, then a TransportError.
        const refused = yield* Cli.run(["balances", "get", "00000000-0000-4000-8000-000000000001"], {
          env: envFor("http://127.0.0.1:9")
        })
        assert.strictEqual(refused.code, 1)
        assert.match(refused.stderr, /^TransportError: /)
      })
    )

    it.effect(
      "MFA off a terminal: TokenRequired (1); --save-challenge stores it (3); resume --token finishes it",
      () =>
        Effect.gen(function* () {
          const { env } = yield* context
          const mfa = SandboxModel.mfaLinkId
          const unanswered = yield* Cli.run(["balances", "retrieve", "--link", mfa], { env })
          assert.strictEqual(unanswered.code, 1)
          assert.match(unanswered.stderr, /^TokenRequired: 428 /)
          assert.include(unanswered.stderr, "--save-challenge FILE")

          const dir = temp()
          const file = join(dir, "challenge.json")
          const saved = yield* Cli.run(
            ["balances", "retrieve", "--link", mfa, "--fields", "id,available", "--save-challenge", file],
            { env, cwd: dir }
          )
          assert.strictEqual(saved.code, 3, saved.stderr)
          assert.strictEqual(saved.stdout, "")
          assert.include(saved.stderr, "MFA challenge saved to challenge.json")
          assert.include(saved.stderr, "effect-belvo balances resume --challenge challenge.json")
          assert.strictEqual(statSync(file).mode & 0o777, 0o600, "only its owner can read it")
          const text = readFileSync(file, "utf8")
          const challenge = yield* MfaChallenge.fromJson(text)
          assert.strictEqual(text, `${yield* MfaChallenge.toJson(challenge)}\n`)
          assert.deepStrictEqual(challenge.fields, ["id", "available"])
          const token = Option.getOrElse(yield* Sandbox.tokenForSession(challenge.session), () => "")

          const resumed = yield* Cli.run(
            ["balances", "resume", "--challenge", file, "--token", token, "--format", "ndjson"],
            { env }
          )
          assert.strictEqual(resumed.code, 0, resumed.stderr)
          const rows = rowsOf(resumed.stdout)
          assert.strictEqual(rows.length, 1)
          assert.deepStrictEqual(
            Object.keys(rows[0] ?? {}),
            ["id", "available"],
            "the retrieve's projection, kept"
          )
          const patch = yield* lastWhere("PATCH", challenge.session)
          assert.deepStrictEqual(JSON.parse(patch.body), {
            session: challenge.session,
            token,
            link: mfa,
            save_data: true
          })
          rmSync(dir, { recursive: true })
        })
    )

    it.effect("MFA: --token answers without a prompt; refused, the new challenge is saved or fails", () =>
      Effect.gen(function* () {
        const { env } = yield* context
        const { id: mfa } = yield* Sandbox.addLink({ mfa: true, accounts: 1 })
        const dir = temp()
        const file = join(dir, "again.json")
        const refused = yield* Cli.run(
          ["balances", "retrieve", "--link", mfa, "--token", "000000", "--save-challenge", file],
          { env }
        )
        assert.strictEqual(refused.code, 3, refused.stderr)
        const patches = yield* requestsWhere(
          (request) => request.method === "PATCH" && mentions(mfa)(request)
        )
        assert.deepStrictEqual(
          patches.map((request) => JSON.parse(request.body).token),
          ["000000"]
        )
        const next = yield* MfaChallenge.fromJson(readFileSync(file, "utf8"))
        assert.isTrue((yield* Sandbox.sessions).some((session) => session.session === next.session))
        const failed = yield* Cli.run(["balances", "retrieve", "--link", mfa, "--token", "000000"], { env })
        assert.strictEqual(failed.code, 1)
        assert.match(failed.stderr, /^TokenRequired: /)
        rmSync(dir, { recursive: true })
      })
    )

    it.effect(
      "MFA expecting no input: resumed without a token; a token challenge off a terminal needs --token (2)",
      () =>
        Effect.gen(function* () {
          const { env } = yield* context
          const dir = temp()
          const confirm = join(dir, "confirm.json")
          const saved = yield* Cli.run(
            ["balances", "retrieve", "--link", SandboxModel.confirmLinkId, "--save-challenge", confirm],
            { env }
          )
          assert.strictEqual(saved.code, 3)
          assert.include(saved.stderr, "expects no token")
          const resumed = yield* Cli.run(["balances", "resume", "--challenge", confirm], { env })
          assert.strictEqual(resumed.code, 0, resumed.stderr)
          const { session: confirmed } = yield* MfaChallenge.fromJson(readFileSync(confirm, "utf8"))
          assert.notProperty(JSON.parse((yield* lastWhere("PATCH", confirmed)).body), "token")

          const token = join(dir, "token.json")
          yield* Cli.run(
            ["balances", "retrieve", "--link", SandboxModel.mfaLinkId, "--save-challenge", token],
            { env }
          )
          const { session } = yield* MfaChallenge.fromJson(readFileSync(token, "utf8"))
          const needsToken = yield* Cli.run(["balances", "resume", "--challenge", token], { env })
          assert.strictEqual(needsToken.code, 2)
          assert.include(needsToken.stderr, "pass --token")
          // Expired: refused with SessionExpired before anything is sent.
          const expired = JSON.parse(readFileSync(token, "utf8"))
          writeFileSync(token, JSON.stringify({ ...expired, expiresAt: "2020-01-01T00:00:00.000Z" }))
          const late = yield* Cli.run(["balances", "resume", "--challenge", token, "--token", "1"], { env })
          assert.strictEqual(late.code, 1)
          assert.match(late.stderr, /^SessionExpired: /)
          writeFileSync(token, "{}")
          const garbage = yield* Cli.run(["balances", "resume", "--challenge", token], { env })
          assert.strictEqual(garbage.code, 2)
          assert.include(garbage.stderr, "is not an MFA challenge saved by --save-challenge")
          assert.deepStrictEqual(yield* requestsWhere(mentions(session)), [], "nothing was sent")
          rmSync(dir, { recursive: true })
        })
    )

    it.effect("--log-level debug logs to stderr: stdout stays data", () =>
      Effect.gen(function* () {
        const { env } = yield* context
        const result = yield* Cli.run(
          ["--log-level", "debug", "balances", "list", "--link", plain, "--page-size", "1000"],
          { env }
        )
        assert.strictEqual(result.stdout, ndjsonOf(yield* libraryRows({ link: plain, page_size: 1000 })))
        assert.include(result.stderr, "DEBUG")
      })
    )
  }
)

// Pages answered slowly, so a listing is still running when it is stopped.
const slowServer = SandboxServer.layerWithSandbox({
  port: 0,
  largeLinkBalances: 3000,
  pageLatency: "40 millis"
}).pipe(Layer.orDie)

layer(slowServer, { excludeTestServices: true, concurrent: true })("a long listing, stopped", (it) => {
  it.effect("Ctrl-C stops a listing: exit 130, every line written whole, a JSON array closed", () =>
    Effect.gen(function* () {
      const { env } = yield* context
      for (const format of ["ndjson", "csv", "json"] as const) {
        const running = Cli.start(
          [
            "balances",
            "list",
            "--link",
            large,
            "--page-size",
            "20",
            "--concurrency",
            "1",
            "--format",
            format
          ],
          { env }
        )
        yield* running.waitFor(/(?:.*\n){3}/)
        running.child.kill("SIGINT")
        const result = yield* running.exit
        assert.strictEqual(result.code, 130, `${format}: ${result.stderr}`)
        assert.isTrue(result.stdout.endsWith("\n"), format)
        const lines = result.stdout.trimEnd().split("\n")
        assert.isBelow(lines.length, 3000, `${format}: stopped before the end`)
        if (format === "ndjson") for (const line of lines) assert.match(JSON.parse(line).available, MONEY)
        if (format === "csv")
          for (const line of lines) assert.strictEqual(line.split(",").length, Balance.fieldNames.length)
        if (format === "json") assert.isAbove((JSON.parse(result.stdout) as Array<unknown>).length, 0)
      }
    })
  )

  it.effect("a reader that goes away (| head) stops the listing quietly, with 0", () =>
    Effect.gen(function* () {
      const { env } = yield* context
      const running = Cli.start(
        ["balances", "list", "--link", large, "--page-size", "50", "--concurrency", "1"],
        { env }
      )
      yield* running.waitFor(/\n/)
      running.child.stdout?.destroy()
      const result = yield* running.exit
      assert.strictEqual(result.code, 0)
      assert.strictEqual(result.stderr, "")
    })
  )
})

describe.concurrent("--sandbox", () => {
  it.effect(
    "runs any command against the sandbox embedded in the process, the same data as SandboxClient.layer",
    () =>
      Effect.gen(function* () {
        const rows = yield* Balances.list({ link: plain }).pipe(
          Stream.map(Balance.toJson),
          Stream.runCollect,
          Effect.provide(SandboxClient.layer())
        )
        for (const args of [
          ["--sandbox", "balances", "list", "--link", plain, "--format", "csv"],
          ["balances", "list", "--sandbox", "--link", plain, "--format", "csv"]
        ]) {
          const result = yield* Cli.run(args)
          assert.strictEqual(result.code, 0, result.stderr)
          assert.strictEqual(result.stdout, csvOf(Balance.fieldNames, rows))
        }
      })
  )
})

describe.concurrent("effect-belvo sandbox", () => {
  it.live(
    "serves the sandbox on 127.0.0.1 and prints its credentials; the command lists from it; Ctrl-C stops it",
    () =>
      Effect.gen(function* () {
        const server = Cli.start([
          "sandbox",
          "--port",
          "0",
          "--large-link-balances",
          "1500",
          "--latency",
          "5 millis"
        ])
        const [, url = ""] = yield* server.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/)
        for (const needle of [
          secretId,
          secretPassword,
          plain,
          large,
          SandboxModel.mfaLinkId,
          SandboxModel.confirmLinkId
        ]) {
          assert.include(server.stdout(), needle)
        }
        const list = yield* Cli.run(
          ["balances", "list", "--link", large, "--fields", "id", "--format", "csv"],
          { env: envFor(url) }
        )
        assert.strictEqual(list.code, 0, list.stderr)
        assert.strictEqual(list.stdout.trimEnd().split("\n").length, 1 + 1500)
        const unauthorized = yield* Effect.promise(() => fetch(`${url}/api/br/balances/?link=${plain}`))
        assert.strictEqual(unauthorized.status, 401)
        server.child.kill("SIGINT")
        const result = yield* server.exit
        assert.strictEqual(result.code, 130)
      })
  )

  it.effect("--port falls back to PORT; a bad port or latency is a usage error", () =>
    Effect.gen(function* () {
      const bad = yield* Cli.run(["sandbox", "--port", "70000"])
      assert.strictEqual(bad.code, 2)
      assert.include(bad.stderr, "70000 is not a port")
      const latency = yield* Cli.run(["sandbox", "--latency", "soon"])
      assert.strictEqual(latency.code, 2)
      const invalidPort = yield* Cli.run(["sandbox"], { env: { PORT: "not-a-port" } })
      assert.strictEqual(invalidPort.code, 2)
    })
  )
})

// --- on a terminal ---

if (Cli.ptyMissing !== undefined) {
  console.log(`[test/cli] the pseudo-terminal tests (MFA prompt, progress) did not run: ${Cli.ptyMissing}`)
}

const reversed = (value: string) => Array.from(value).reverse().join("")

layer(server, { excludeTestServices: true, concurrent: true })(
  "effect-belvo on a terminal (script(1))",
  (it) => {
    const onTerminal = Cli.ptyMissing === undefined ? it.effect : it.effect.skip

    onTerminal(
      "MFA: the challenge is shown and the token typed, a wrong one asked again; the data stays out of the prompt",
      () =>
        Effect.gen(function* () {
          const { env } = yield* context
          const dir = temp()
          const out = join(dir, "out.ndjson")
          const link = yield* Sandbox.addLink({ mfa: true, accounts: 1 })
          const term = Cli.pty(["balances", "retrieve", "--link", link.id, "--format", "ndjson"], {
            env,
            redirect: out
          })
          const first = yield* term.waitFor(
            /Use this code to generate the token[\s\S]*Code: (\d+) \(numeric\)[\s\S]*Expires in[\s\S]*Token/
          )
          term.child.stdin?.write("000000\r")
          const second = yield* term.waitFor(/not accepted[\s\S]*Code: (\d+)[\s\S]*Token/)
          assert.notStrictEqual(second[1], first[1], "a new challenge")
          term.child.stdin?.write(`${reversed(second[1] ?? "")}\r`)
          const result = yield* term.exit
          const screen = Cli.screen(result.stdout)
          assert.strictEqual(result.code, 0, screen)
          assert.include(screen, "1 balance retrieved, stored by Belvo (201)")
          const data = readFileSync(out, "utf8")
          const [row, ...rest] = rowsOf(data)
          assert.deepStrictEqual(rest, [])
          assert.strictEqual(row?.account_id, link.accounts[0]?.id)
          assert.notInclude(data, "Token")
          const tokens = (yield* requestsWhere((r) => r.method === "PATCH" && mentions(link.id)(r))).map(
            (r) => JSON.parse(r.body).token
          )
          assert.deepStrictEqual(tokens, ["000000", reversed(second[1] ?? "")])
          rmSync(dir, { recursive: true })
        })
    )

    onTerminal(
      "MFA expecting no input: the instructions, then Enter; the balances as a table on the terminal",
      () =>
        Effect.gen(function* () {
          const { env } = yield* context
          const link = yield* Sandbox.addLink({ mfa: "confirm", accounts: 1 })
          const term = Cli.pty(["balances", "retrieve", "--link", link.id], { env })
          yield* term.waitFor(/Confirm the access in your bank's app[\s\S]*Press Enter once done/)
          term.child.stdin?.write("\r")
          const result = yield* term.exit
          const screen = Cli.screen(result.stdout)
          assert.strictEqual(result.code, 0, screen)
          assert.match(
            screen,
            /\nid +account_id +collected_at +currency +available +blocked +automatically_invested\n/
          )
          assert.include(screen, link.accounts[0]?.id ?? "")
          assert.notProperty(JSON.parse((yield* lastWhere("PATCH", link.id)).body), "token")
        })
    )

    onTerminal("Ctrl-C at the prompt stops with 130, nothing resumed", () =>
      Effect.gen(function* () {
        const { env } = yield* context
        const link = yield* Sandbox.addLink({ mfa: true, accounts: 1 })
        const term = Cli.pty(["balances", "retrieve", "--link", link.id], { env })
        yield* term.waitFor(/Token/)
        term.child.stdin?.write("12\u0003")
        const result = yield* term.exit
        assert.strictEqual(result.code, 130, Cli.screen(result.stdout))
        assert.deepStrictEqual(yield* requestsWhere((r) => r.method === "PATCH" && mentions(link.id)(r)), [])
      })
    )

    onTerminal("progress: items, pages and rate on stderr, the terminal; never in the data", () =>
      Effect.gen(function* () {
        const { env } = yield* context
        const dir = temp()
        const out = join(dir, "out.ndjson")
        const rows = yield* libraryRows({ link: plain, page_size: 5 })
        const term = Cli.pty(["balances", "list", "--link", plain, "--page-size", "5"], {
          env,
          redirect: out
        })
        const result = yield* term.exit
        const screen = Cli.screen(result.stdout)
        assert.strictEqual(result.code, 0, screen)
        assert.include(screen, `Listed ${rows.length} balances in ${Math.ceil(rows.length / 5)} pages in `)
        assert.strictEqual(readFileSync(out, "utf8"), ndjsonOf(rows))
        // The same listing to a file with --out: progress too; to the terminal itself: none.
        const shown = yield* Cli.pty(
          ["balances", "list", "--link", plain, "--page-size", "5", "--format", "csv"],
          { env }
        ).exit
        assert.notInclude(Cli.screen(shown.stdout), "Listed")
        rmSync(dir, { recursive: true })
      })
    )
  }
)

// --- docs/cli.md: every `$` block is run, and must print what the page shows ---

const documentation = readFileSync(new URL("../../docs/cli.md", import.meta.url), "utf8")
const TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g

/**
 * Whether `actual` is what the page shows: exactly, except that a timestamp on the page stands for
 * any timestamp (the fresh ones are "now"), and on a terminal the time left before a challenge
 * expires ("Expires in 10m") for any.
 */
const shows = (expected: string, actual: string, options: { readonly countdown?: boolean } = {}) => {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  let pattern = expected.split(TIMESTAMP).map(escape).join(TIMESTAMP.source)
  if (options.countdown) pattern = pattern.replace(/Expires in [^,]+,/g, "Expires in [^,]+,")
  return new RegExp(`^${pattern}$`).test(actual)
}

interface Step {
  readonly command: string
  readonly expected: string
}

/** A block as steps: each `$` line and the lines it prints. */
const stepsOf = (block: string): ReadonlyArray<Step> =>
  block
    .split(/^\$ /m)
    .slice(1)
    .map((part) => {
      const [command = "", ...output] = part.split("\n")
      const expected = output.join("\n")
      return { command, expected: expected === "" ? "" : `${expected.replace(/\n$/, "")}\n` }
    })

const EXAMPLE_URL = "http://127.0.0.1:8787"

/** Runs the steps of a block as a shell would, in a fresh directory, and checks what each prints. */
const runBlock = (block: string) =>
  Effect.gen(function* () {
    const cwd = temp()
    let env: Record<string, string> = {}
    let code: number | null = null
    let server: Cli.Running | undefined
    let url = EXAMPLE_URL
    try {
      for (const { command, expected } of stepsOf(block)) {
        let actual: string
        if (command === "echo $?") actual = `${code}\n`
        else if (command.startsWith("export ")) {
          for (const assignment of command.slice("export ".length).split(" ")) {
            const [name = "", value = ""] = assignment.split("=")
            env = { ...env, [name]: value.replace(EXAMPLE_URL, url) }
          }
          actual = ""
        } else if (command.startsWith("cat ")) actual = readFileSync(join(cwd, command.slice(4)), "utf8")
        else if (/^npx effect-belvo sandbox( > \/dev\/null &)?$/.test(command)) {
          server = Cli.start(["sandbox", "--port", "0"], { cwd })
          url =
            (yield* server.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*Ctrl-C to stop\.\n/))[1] ??
            ""
          actual = command.endsWith("&") ? "" : server.stdout().replaceAll(url, EXAMPLE_URL)
        } else if (command.startsWith("npx effect-belvo ")) {
          const result = yield* Cli.run(command.slice("npx effect-belvo ".length).split(" "), { env, cwd })
          code = result.code
          actual = result.stdout + result.stderr
        } else throw new Error(`docs/cli.md: the tests cannot run "$ ${command}"`)
        if (!shows(expected, actual)) assert.strictEqual(actual, expected, `$ ${command}`)
      }
    } finally {
      server?.child.kill("SIGINT")
      if (server !== undefined) yield* server.exit
      rmSync(cwd, { recursive: true })
    }
  })

describe.concurrent("docs/cli.md shows real output", () => {
  const blocks = Array.from(documentation.matchAll(/```sh\n(\$ [\s\S]*?)\n```/g), (match) => match[1] ?? "")

  it("has transcripts to check", () => {
    assert.isAtLeast(blocks.length, 6)
  })

  for (const block of blocks) {
    it.live(block.split("\n")[0] ?? "", () => runBlock(block), 60_000)
  }

  const session = /```text\n(\$ npx effect-belvo (.*)\n[\s\S]*?✔ Token … (\S+)\n[\s\S]*?)```/.exec(
    documentation
  )
  const onTerminal = Cli.ptyMissing === undefined ? it.live : it.live.skip

  onTerminal("the MFA session on a terminal, typed as the page shows", () =>
    Effect.gen(function* () {
      assert.isNotNull(session, "docs/cli.md shows an MFA session on a terminal")
      const [, text = "", args = "", token = ""] = session ?? []
      const term = Cli.pty(args.split(" "))
      yield* term.waitFor(/Token/)
      term.child.stdin?.write(`${token}\r`)
      const result = yield* term.exit
      const expected = text.split("\n").slice(1).join("\n")
      const screen = Cli.screen(result.stdout)
      if (!shows(expected, screen, { countdown: true })) assert.strictEqual(screen, expected)
    })
  )
})

// --- what the command needs, said plainly ---

const minimumNode = packageJson.engines.node.replace(/^>=/, "")
const older = (version: string) => {
  const [a = 0, b = 0, c = 0] = version.replace(/^v/, "").split(".").map(Number)
  const [x = 0, y = 0, z = 0] = minimumNode.split(".").map(Number)
  return a !== x ? a < x : b !== y ? b < y : c < z
}
/** A Node older than `engines` on PATH, outside node_modules (the system's, where the repository pins its own). */
const olderNode = (process.env.PATH ?? "")
  .split(delimiter)
  .filter((dir) => !dir.includes("node_modules"))
  .map((dir) => join(dir, "node"))
  .find((node) => {
    const version = spawnSync(node, ["--version"], { encoding: "utf8" })
    return version.status === 0 && older(version.stdout.trim())
  })
if (olderNode === undefined) {
  console.log(`[test/cli] the Node version check did not run: no Node older than ${minimumNode} on PATH`)
}

describe.concurrent("what the command needs", () => {
  const onOlderNode = olderNode === undefined ? it.skip : it

  onOlderNode("on a Node older than engines asks, it says so and exits 2", () => {
    const result = spawnSync(olderNode ?? "", [Cli.bin, "--help"], {
      encoding: "utf8",
      env: Cli.environment()
    })
    assert.strictEqual(result.status, 2, result.stderr)
    assert.strictEqual(result.stdout, "")
    assert.match(
      result.stderr,
      new RegExp(`^effect-belvo needs Node >=${minimumNode.replaceAll(".", "\\.")}; this is Node \\d+`)
    )
  })

  it("without @effect/platform-node, it says what to install and exits 2", () => {
    const dir = temp()
    cpSync(join(Cli.bin, "..", "..", ".."), dir, {
      recursive: true,
      filter: (source) => !source.endsWith("tsbuildinfo")
    })
    mkdirSync(join(dir, "node_modules"))
    symlinkSync(
      fileURLToPath(new URL("../../node_modules/effect", import.meta.url)),
      join(dir, "node_modules", "effect")
    )
    const result = spawnSync(process.execPath, [join(dir, "dist", "cli", "bin.js"), "--help"], {
      encoding: "utf8",
      env: Cli.environment()
    })
    rmSync(dir, { recursive: true })
    assert.strictEqual(result.status, 2, result.stderr)
    assert.strictEqual(
      result.stderr,
      `The effect-belvo command needs @effect/platform-node, a peer dependency of effect-belvo: npm install @effect/platform-node@${packageJson.peerDependencies["@effect/platform-node"]}\n`
    )
  })
})
