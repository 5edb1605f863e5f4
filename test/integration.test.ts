/**
 * The client against the sandbox's real HTTP server on 127.0.0.1, over two transports: the
 * platform's fetch client and Node's undici client. Real sockets, real time (loopback is fast).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { Balances, BelvoClient, Mfa, MfaChallenge } from "../src/index.js"
import { Sandbox, SandboxFault, SandboxModel, SandboxServer } from "../src/testing/index.js"

const quick: BelvoClient.RetryPolicy = {
  ...BelvoClient.defaultRetryPolicy,
  baseDelay: "5 millis",
  maxDelay: "20 millis"
}

const clientFor = (
  transport: Layer.Layer<HttpClient.HttpClient>,
  options: Partial<BelvoClient.Options> = {}
) =>
  Layer.unwrap(
    Effect.map(SandboxServer.url, (url) =>
      BelvoClient.layer({
        baseUrl: url,
        secretId: Redacted.make(SandboxModel.defaultSecretId),
        secretPassword: Redacted.make(SandboxModel.defaultSecretPassword),
        retry: quick,
        ...options
      })
    )
  ).pipe(Layer.provide(transport), Layer.orDie)

const transports: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["FetchHttpClient", FetchHttpClient.layer],
  ["NodeHttpClient (undici)", NodeHttpClient.layerUndici]
]

const server = SandboxServer.layerWithSandbox({ port: 0, largeLinkBalances: 10_000 }).pipe(Layer.orDie)

// Each code the sandbox can script, with the tag the client must give it on POST retrieve.
const expectedTag: Record<string, string> = {
  too_many_sessions: "TooManySessions",
  login_error: "LoginError",
  session_expired: "SessionExpired",
  institution_down: "InstitutionDown",
  institution_unavailable: "InstitutionUnavailable",
  institution_inactive: "InstitutionInactive",
  invalid_link: "InvalidLink",
  invalid_fetch_resources: "InvalidFetchResources",
  unconfirmed_link: "UnconfirmedLink",
  unsupported_operation: "UnsupportedOperation",
  invalid_period: "InvalidPeriod",
  required: "ValidationError",
  null: "ValidationError",
  blank: "ValidationError",
  invalid: "ValidationError",
  does_not_exist: "ValidationError",
  authentication_failed: "AuthenticationFailed",
  consent_without_accounts: "ConsentWithoutAccounts",
  access_to_resource_denied: "AccessDenied",
  not_found: "UnknownStatus",
  method_not_allowed: "UnknownStatus",
  request_timeout: "RequestTimeout",
  unsupported_media_type: "UnknownStatus",
  token_required: "TokenRequired",
  too_many_requests: "TooManyRequests",
  unexpected_error: "UnexpectedError",
  bad_gateway: "UnknownStatus",
  service_unavailable: "UnknownStatus",
  gateway_timeout: "UnknownStatus"
}

for (const [name, transport] of transports) {
  describe(`over real sockets with ${name}`, () => {
    layer(server, { excludeTestServices: true })((it) => {
      const client = clientFor(transport)
      const fresh = Effect.asVoid(
        Effect.all([Sandbox.clearFaults, Sandbox.resetStats, Sandbox.clearRequests])
      )

      it.effect("retrieve: 201 stores, 200 does not; get returns one balance; 404 for an unknown id", () =>
        Effect.gen(function* () {
          yield* fresh
          const before = (yield* Sandbox.balancesOf(SandboxModel.plainLinkId)).length
          const saved = yield* Balances.retrieve({ link: SandboxModel.plainLinkId })
          assert.deepStrictEqual([saved.status, saved.saved, saved.balances.length], [201, true, 2])
          assert.strictEqual((yield* Sandbox.balancesOf(SandboxModel.plainLinkId)).length, before + 2)
          const unsaved = yield* Balances.retrieve({
            link: SandboxModel.plainLinkId,
            account_id: SandboxModel.plainAccountIds[0],
            save_data: false,
            fields: ["account_id", "available"]
          })
          assert.deepStrictEqual([unsaved.status, unsaved.saved], [200, false])
          assert.deepStrictEqual(
            unsaved.balances.map((b) => Object.keys(b)),
            [["account_id", "available"]]
          )
          assert.strictEqual((yield* Sandbox.balancesOf(SandboxModel.plainLinkId)).length, before + 2)

          const first = saved.balances[0]
          if (!first) return assert.fail("no balance")
          const one = yield* Balances.get(first.id)
          assert.strictEqual(one.id, first.id)
          const missing = yield* Effect.flip(Balances.get("00000000-0000-4000-8000-000000000000"))
          assert.strictEqual(missing._tag, "NotFound")
        }).pipe(Effect.provide(client))
      )

      it.effect("list with filters and fields agrees with listPage and the sandbox's own data", () =>
        Effect.gen(function* () {
          yield* fresh
          const all = yield* Sandbox.balancesOf(SandboxModel.plainLinkId)
          const since = "2024-01-01"
          const expected = all.filter(
            (b) => Date.parse(b.collected_at) >= Date.parse(`${since}T00:00:00Z`)
          ).length
          const streamed = yield* Balances.list(
            {
              link: SandboxModel.plainLinkId,
              collected_at__gte: since,
              fields: ["id", "collected_at"],
              page_size: 7
            },
            { concurrency: 3 }
          ).pipe(Stream.runCollect)
          assert.strictEqual(streamed.length, expected)
          assert.strictEqual(new Set(streamed.map((b) => b.id)).size, expected)
          const page = yield* Balances.listPage({
            link: SandboxModel.plainLinkId,
            collected_at__gte: since,
            page_size: 7
          })
          assert.strictEqual(page.count, expected)
        }).pipe(Effect.provide(client))
      )

      it.effect("streams every page of a 10,000-balance link, each item once and in order", () =>
        Effect.gen(function* () {
          yield* fresh
          for (const concurrency of [1, 4]) {
            const ids = yield* Balances.list(
              { link: SandboxModel.largeLinkId, fields: ["id"] },
              { concurrency }
            ).pipe(
              Stream.map((b) => b.id),
              Stream.runCollect
            )
            assert.strictEqual(ids.length, 10_000)
            assert.strictEqual(new Set(ids).size, 10_000)
          }
          const sequential = yield* Balances.list(
            { link: SandboxModel.largeLinkId, page_size: 333 },
            { concurrency: 1 }
          ).pipe(
            Stream.map((b) => b.id),
            Stream.runCollect
          )
          const concurrent = yield* Balances.list(
            { link: SandboxModel.largeLinkId, page_size: 333 },
            { concurrency: 5 }
          ).pipe(
            Stream.map((b) => b.id),
            Stream.runCollect
          )
          assert.deepStrictEqual(concurrent, sequential)
        }).pipe(Effect.provide(client))
      )

      it.effect("every scripted error status maps to its tagged error, with the request id", () =>
        Effect.gen(function* () {
          for (const [code, tag] of Object.entries(expectedTag)) {
            yield* fresh
            yield* Sandbox.addFaults(SandboxFault.error(code as SandboxFault.ErrorCode, { method: "POST" }))
            const error = yield* Effect.flip(
              Balances.retrieve({ link: SandboxModel.plainLinkId }, { retry: false })
            )
            assert.deepStrictEqual([code, error._tag], [code, tag])
            if ("request_id" in error) assert.match(error.request_id ?? "", /^[a-f0-9]{32}$/)
          }
        }).pipe(Effect.provide(client))
      )

      it.effect("the whole MFA flow: 428, challenge stored as JSON, resumed from a fresh client, 201", () =>
        Effect.gen(function* () {
          yield* fresh
          const error = yield* Effect.flip(
            Balances.retrieve({ link: SandboxModel.mfaLinkId }).pipe(Effect.provide(client))
          )
          if (error._tag !== "TokenRequired") return assert.fail(`expected TokenRequired, got ${error._tag}`)
          const stored = yield* MfaChallenge.toJson(error.challenge)

          const restored = yield* MfaChallenge.fromJson(stored)
          const wrong = yield* Effect.flip(
            Balances.resume(restored, "000000").pipe(Effect.provide(clientFor(transport)))
          )
          assert.strictEqual(wrong._tag, "TokenRequired")
          if (wrong._tag !== "TokenRequired") return
          const token = SandboxModel.tokenFor(wrong.challenge.token_generation_data?.value ?? "")
          const result = yield* Balances.resume(wrong.challenge, token).pipe(
            Effect.provide(clientFor(transport))
          )
          assert.deepStrictEqual([result.status, result.saved, result.balances.length], [201, true, 1])

          const again = yield* Effect.flip(
            Balances.resume(restored, token).pipe(Effect.provide(clientFor(transport)))
          )
          assert.strictEqual(again._tag, "SessionExpired")

          const answered = yield* Balances.retrieve({ link: SandboxModel.mfaLinkId, save_data: false }).pipe(
            Mfa.answer((challenge) =>
              Effect.succeed(SandboxModel.tokenFor(challenge.token_generation_data?.value ?? ""))
            ),
            Effect.provide(client)
          )
          assert.strictEqual(answered.status, 200)
        })
      )

      it.effect(
        "a truncated body or a dropped connection on GET is retried; items are neither lost nor doubled",
        () =>
          Effect.gen(function* () {
            yield* fresh
            yield* Sandbox.addFaults(
              SandboxFault.truncated({ method: "GET", nth: 2 }),
              SandboxFault.drop({ method: "GET", nth: 4 }),
              SandboxFault.status(503, { method: "GET", nth: 6 })
            )
            const ids = yield* Balances.list(
              { link: SandboxModel.largeLinkId, fields: ["id"], page_size: 1000 },
              { concurrency: 1 }
            ).pipe(
              Stream.map((b) => b.id),
              Stream.runCollect
            )
            assert.strictEqual(ids.length, 10_000)
            assert.strictEqual(new Set(ids).size, 10_000)
            const log = yield* Sandbox.requests
            assert.strictEqual(log.length, 13)
          }).pipe(Effect.provide(client))
      )

      it.effect("a next URL on another origin is refused and no credential leaves the sandbox's origin", () =>
        Effect.gen(function* () {
          yield* fresh
          yield* Sandbox.addFaults(SandboxFault.foreignNext("https://elsewhere.example", { method: "GET" }))
          const error = yield* Effect.flip(
            Stream.runDrain(
              Balances.list({ link: SandboxModel.largeLinkId, page_size: 10 }, { concurrency: 1 })
            )
          )
          assert.strictEqual(error._tag === "PaginationError" && error.reason, "CrossOrigin")
          assert.strictEqual((yield* Sandbox.requests).length, 1)
        }).pipe(Effect.provide(client))
      )

      it.effect("a redirect is never followed, so credentials cannot travel with it", () =>
        Effect.gen(function* () {
          yield* fresh
          const target = `${yield* SandboxServer.url}/elsewhere/`
          yield* Sandbox.addFaults(
            SandboxFault.raw(302, "", {
              method: "GET",
              headers: { location: "https://elsewhere.example/steal" }
            }),
            SandboxFault.raw(307, "", { method: "GET", nth: 2, headers: { location: target } })
          )
          for (const status of [302, 307]) {
            const error = yield* Effect.flip(
              Balances.get(SandboxModel.plainAccountIds[0], {}, { retry: false })
            )
            assert.strictEqual(error._tag === "UnknownStatus" && error.status, status)
          }
          assert.notInclude(
            (yield* Sandbox.requests).map((r) => new URL(r.url).pathname),
            "/elsewhere/"
          )
        }).pipe(Effect.provide(client))
      )

      it.effect("no trace propagation header reaches the server, even from inside a traced program", () =>
        Effect.gen(function* () {
          yield* fresh
          const [first] = yield* Sandbox.balancesOf(SandboxModel.plainLinkId)
          yield* Balances.get(first?.id ?? "").pipe(Effect.withSpan("caller"))
          yield* Balances.retrieve({ link: SandboxModel.plainLinkId, save_data: false }).pipe(
            Effect.withSpan("caller")
          )
          const log = yield* Sandbox.requests
          assert.lengthOf(log, 2)
          for (const request of log) {
            const names = Object.keys(request.headers).map((name) => name.toLowerCase())
            for (const name of ["traceparent", "tracestate", "b3", "x-b3-traceid", "x-b3-spanid"]) {
              assert.notInclude(names, name)
            }
            assert.match(request.headers["user-agent"] ?? "", /^effect-belvo\//)
          }
        }).pipe(Effect.provide(client))
      )

      it.effect("interrupting a stream aborts its in-flight requests", () =>
        Effect.gen(function* () {
          yield* fresh
          yield* Sandbox.setLatency({ page: "2 seconds" })
          // Each request the transport sends, and whether it ended in an answer or an interruption.
          let started = 0
          let answered = 0
          let interrupted = 0
          const watched = clientFor(transport, {
            transformClient: HttpClient.transformResponse((response) =>
              Effect.suspend(() => {
                started++
                return response
              }).pipe(
                Effect.tap(() => Effect.sync(() => answered++)),
                Effect.onInterrupt(() => Effect.sync(() => interrupted++))
              )
            )
          })
          const fiber = yield* Effect.forkChild(
            Stream.runDrain(
              Balances.list({ link: SandboxModel.largeLinkId, page_size: 100 }, { concurrency: 4 })
            ).pipe(Effect.provide(watched))
          )
          // Once the first page is in (after its 2 s), the next ones go on the wire and wait there.
          for (let i = 0; i < 250 && (answered < 1 || started < 5); i++) yield* Effect.sleep("20 millis")
          yield* Effect.sleep("200 millis")
          assert.strictEqual(answered, 1)
          assert.isAtLeast(started, 2)
          yield* Fiber.interrupt(fiber)
          assert.strictEqual(interrupted, started - answered)
          assert.strictEqual(answered, 1)
          yield* Sandbox.setLatency({ page: 0 })
          // Nothing more is asked for, and nothing is left in flight once the server's own latency
          // has run out (Effect's Node server lets a handler run on after its client hangs up).
          let stats = yield* Sandbox.stats
          for (let i = 0; i < 150 && stats.inFlight > 0; i++) {
            yield* Effect.sleep("20 millis")
            stats = yield* Sandbox.stats
          }
          assert.strictEqual(stats.inFlight, 0)
          assert.strictEqual(stats.requests, started)
          assert.isAtMost(stats.requests, 6)
        })
      )
    })
  })
}
