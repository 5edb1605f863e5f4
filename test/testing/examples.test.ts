/** The programs docs/testing.md quotes do what their comments say. */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
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
import { SandboxModel } from "../../src/testing/index.js"
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
        const answer = yield* Effect.either(list({ link: link.id }, auth))
        gets.push(
          Either.isLeft(answer)
            ? answer.left._tag
            : `${answer.right.status}${answer.right.headers["retry-after"] ?? ""}`
        )
      }
      assert.deepStrictEqual(gets, ["200", "4292", "200", "RequestError", "ResponseError", "200"])
      const detail = yield* Effect.fork(call("GET", `${PATH}00000000-0000-4000-8000-000000000000/`, { auth }))
      yield* TestClock.adjust("2999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(detail)))
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
