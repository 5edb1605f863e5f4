/**
 * What the docs quote as printed, an error message or an output, is what the code prints: each
 * quoted text is read from the doc and compared with the real one. (What `runMain` prints for a
 * missing variable, and the totals of docs/data.md, are held by test/testing/examples.test.ts,
 * beside the rest of what those examples do; docs/mfa.md's two-process recipe by the pack check,
 * which runs it.)
 */
import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import { TestConsole } from "effect/testing"
import { FetchHttpClient } from "effect/http"
import * as Export from "../examples/export.js"
import * as ListFilters from "../examples/list-filters.js"
import { blockAfter } from "../scripts/doc-blocks.js"
import { Balance, Balances, BelvoClient, MfaChallenge } from "../src/index.js"
import { Sandbox, SandboxClient, SandboxHttp, SandboxModel } from "../src/testing/index.js"
import { call, type Json, PATH } from "./testing/helpers.js"

/** The fenced block that opens after `phrase` in `document`. */
const quotedAfter = (document: string, phrase: string): string => {
  const block = blockAfter(document, readFileSync(document, "utf8"), phrase)
  assert.isDefined(block, `${document} no longer says ${phrase}, then a block`)
  return block!.code
}

/** Every `code span` of a document's prose, its line breaks read as spaces. */
const spans = (document: string) =>
  Array.from(
    readFileSync(document, "utf8")
      .replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "")
      .matchAll(/`([^`]+)`/g),
    (match) => match[1]!.replace(/\s+/g, " ")
  )

const layerError = <E, R>(layer: Layer.Layer<BelvoClient.BelvoClient, E, R>) =>
  Effect.scoped(Effect.flip(Layer.build(layer)))

const secrets = { secretId: Redacted.make("an-id"), secretPassword: Redacted.make("a-password") }

describe("docs/configuration.md", () => {
  it.effect("quotes each environment variable's error as it reads", () =>
    Effect.gen(function* () {
      const messages: Array<string> = []
      for (const env of [
        {},
        { BELVO_SECRET_ID: "an-id" },
        { BELVO_SECRET_ID: "an-id", BELVO_SECRET_PASSWORD: "pw", BELVO_ENVIRONMENT: "staging" },
        {
          BELVO_SECRET_ID: "an-id",
          BELVO_SECRET_PASSWORD: "pw",
          BELVO_BASE_URL: "https://u:p@sandbox.belvo.com"
        }
      ]) {
        const error = yield* layerError(
          BelvoClient.layerConfig().pipe(
            Layer.provide(FetchHttpClient.layer),
            Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))
          )
        )
        messages.push(error.message)
      }
      assert.strictEqual(
        messages.join("\n"),
        quotedAfter("docs/configuration.md", "says what a valid value looks like:\n\n")
      )
    })
  )

  it.effect("quotes option errors as they read", () =>
    Effect.gen(function* () {
      const quoted = spans("docs/configuration.md")
      for (const options of [
        { maxConcurrentRequests: 0 },
        { attemptTimeout: "2 days" },
        { retry: { ...BelvoClient.defaultRetryPolicy, maxRetries: 21 } }
      ] as const) {
        const error = yield* layerError(
          BelvoClient.layer({ ...secrets, ...options }).pipe(Layer.provide(FetchHttpClient.layer))
        )
        assert.include(quoted, error.message)
      }
      // A refused base URL: the doc quotes the reason, which the message carries.
      const refused = BelvoClient.validateBaseUrl("http://example.com/")
      assert.isTrue(Result.isFailure(refused))
      const reason = quoted.find((span) => span.startsWith("must not be plain http://"))
      assert.isDefined(reason)
      assert.include(Result.isFailure(refused) ? refused.failure.message : "", reason!)
    })
  )
})

describe("docs/queries.md", () => {
  it.effect("quotes the params of januaryQuery as printParams prints them", () =>
    Effect.gen(function* () {
      yield* ListFilters.printParams(ListFilters.januaryQuery)
      assert.strictEqual(
        (yield* TestConsole.logLines).map(String).join("\n"),
        quotedAfter("docs/queries.md", "gives these params, in this order:\n\n")
      )
    })
  )

  it("quotes the refusals of the invalid queries", () => {
    assert.strictEqual(
      ListFilters.refusals(ListFilters.invalidQueries(ListFilters.januaryQuery.link)).join("\n"),
      quotedAfter("docs/queries.md", "export const refusals")
    )
  })

  it.effect("quotes the unknown-key errors as the endpoints raise them", () =>
    Effect.gen(function* () {
      const link = SandboxModel.plainLinkId
      // What plain JavaScript or a parsed JSON value can pass, and the compiler would refuse.
      const unchecked = (value: object) => value as never
      const errors = [
        yield* Effect.flip(Balances.retrieve(unchecked({ link, saveData: false }))),
        yield* Effect.flip(Stream.runDrain(Balances.list(unchecked({ link, page_sise: 10 })))),
        yield* Effect.flip(Stream.runDrain(Balances.list({ link }, unchecked({ concurency: 2 }))))
      ]
      assert.strictEqual(
        errors.map((error) => error.message).join("\n"),
        quotedAfter("docs/queries.md", "when none is close.\n\n")
      )
      assert.lengthOf(yield* Sandbox.requests, 0)
    }).pipe(Effect.provide(SandboxClient.layer()))
  )
})

describe("docs/data.md", () => {
  it.effect("quotes Balance.toJson and the CSV of the demo link's first balance", () =>
    Effect.gen(function* () {
      const [first] = yield* Balances.list({ link: SandboxModel.plainLinkId }).pipe(
        Stream.take(1),
        Stream.runCollect
      )
      assert.strictEqual(
        JSON.stringify(Balance.toJson(first!)),
        quotedAfter("docs/data.md", "`{ id: string; available: string }`.\n\n")
      )
      const csv = yield* Export.csv(SandboxModel.plainLinkId).pipe(Stream.take(2), Stream.runCollect)
      assert.strictEqual(
        csv.join("").trimEnd(),
        quotedAfter("docs/data.md", "Balance.toCsv(csvColumns, balance)")
      )
    }).pipe(Effect.provide(SandboxClient.layer()))
  )
})

describe("docs/mfa.md", () => {
  it.effect("its stored challenge is one: fromJson takes it for its projection, toJson writes it back", () =>
    Effect.gen(function* () {
      const stored = quotedAfter("docs/mfa.md", 'asked for `fields: ["account_id", "available"]`:\n\n')
      const challenge = yield* MfaChallenge.fromJson(stored, { fields: ["account_id", "available"] })
      assert.strictEqual(yield* MfaChallenge.toJson(challenge), stored)
      // Another projection is refused.
      assert.isTrue(Result.isFailure(yield* Effect.result(MfaChallenge.fromJson(stored, {}))))
    })
  )
})

describe("docs/testing.md", () => {
  it.effect("quotes the sandbox's 428 with its real fields and texts", () =>
    Effect.gen(function* () {
      const [quoted] = JSON.parse(quotedAfter("docs/testing.md", "opens a session and answers:\n\n")) as [
        Json
      ]
      const answer = yield* call("POST", PATH, { body: { link: SandboxModel.mfaLinkId } })
      assert.strictEqual(answer.status, 428)
      const [real] = answer.json as [Json]
      assert.deepStrictEqual(Object.keys(real), Object.keys(quoted))
      for (const key of ["code", "message", "expiry", "token_generation_data"]) {
        assert.deepStrictEqual(real[key], quoted[key], key)
      }
      assert.strictEqual(real.link, SandboxModel.mfaLinkId)
    }).pipe(Effect.provide(SandboxHttp.layer()))
  )
})
