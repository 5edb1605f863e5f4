/** The loopback server, talked to by plain `fetch` and `node:http` like any other client would. */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Http from "node:http"
import packageJson from "../../package.json" with { type: "json" }
import { platformNodeRange } from "../../src/internal/version.js"
import { Sandbox, SandboxFault, SandboxHttp, SandboxModel, SandboxServer } from "../../src/testing/index.js"
import { loadFrom } from "../../src/testing/internal/node.js"
import { basic, call, type Json, PATH, rawAmounts, responseSchema, validate } from "./helpers.js"

const provide = Effect.provide(
  SandboxServer.layerWithSandbox({ balancesPerAccount: 6, largeLinkBalances: 2500 })
)
const plain = SandboxModel.plainLinkId

const get = (url: string, auth: string | null = basic()) =>
  Effect.promise(async () => {
    const response = await fetch(url, auth === null ? {} : { headers: { authorization: auth } })
    return { status: response.status, headers: response.headers, json: (await response.json()) as unknown }
  })

/** A raw HTTP/1.1 exchange with a chosen Host header, collecting the exact body bytes. */
const raw = (url: string, headers: Record<string, string>) =>
  Effect.callback<{ status: number; body: string }, Error>((resume) => {
    const request = Http.request(url, { headers }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () =>
        resume(
          Effect.succeed({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") })
        )
      )
      response.on("error", (error) => resume(Effect.fail(error)))
    })
    request.on("error", (error) => resume(Effect.fail(error)))
    request.end()
  })

describe("SandboxServer (loopback)", () => {
  it.live("listens on 127.0.0.1 and answers fetch with documented list pages", () =>
    Effect.gen(function* () {
      const base = yield* SandboxServer.url
      assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/)
      const first = yield* get(`${base}${PATH}?link=${plain}&page_size=5`)
      assert.strictEqual(first.status, 200)
      assert.strictEqual(first.headers.get("content-type"), "application/json")
      assert.deepStrictEqual(validate(responseSchema(PATH, "get", 200), first.json), [])
      const page = first.json as Json
      assert.strictEqual(page.count, 12)
      assert.strictEqual(page.next, `${base}${PATH}?link=${plain}&page_size=5&page=2`)
      const ids: Array<unknown> = []
      let next: unknown = page.next
      ids.push(...(page.results as Array<Json>).map((r) => r.id))
      while (typeof next === "string") {
        const answer = (yield* get(next)).json as Json
        ids.push(...(answer.results as Array<Json>).map((r) => r.id))
        next = answer.next
      }
      assert.deepStrictEqual(
        ids,
        (yield* Sandbox.balancesOf(plain)).map((b) => b.id)
      )
    }).pipe(provide)
  )

  it.live("error bodies match the documented shapes", () =>
    Effect.gen(function* () {
      const base = yield* SandboxServer.url
      const unauthorized = yield* get(`${base}${PATH}?link=${plain}`, null)
      assert.strictEqual(unauthorized.status, 401)
      assert.deepStrictEqual(validate(responseSchema(PATH, "get", 401), unauthorized.json), [])
      assert.match(String((unauthorized.json as Array<Json>)[0]!.request_id), /^[a-f0-9]{32}$/)
      const denied = yield* get(`${base}${PATH}?link=${SandboxModel.otherLinkId}`)
      assert.strictEqual(denied.status, 403)
      assert.deepStrictEqual(validate(responseSchema(PATH, "get", 403), denied.json), [])
      const missing = yield* get(`${base}${PATH}00000000-0000-4000-8000-000000000000/`)
      assert.strictEqual(missing.status, 404)
      assert.deepStrictEqual(validate(responseSchema("/api/br/balances/{id}/", "get", 404), missing.json), [])
      const post = yield* Effect.promise(() =>
        fetch(`${base}${PATH}`, {
          method: "POST",
          headers: { authorization: basic(), "content-type": "application/json" },
          body: JSON.stringify({ link: SandboxModel.mfaLinkId })
        }).then(async (r) => ({ status: r.status, json: (await r.json()) as unknown }))
      )
      assert.strictEqual(post.status, 428)
      assert.deepStrictEqual(validate(responseSchema(PATH, "post", 428), post.json), [])
    }).pipe(provide)
  )

  it.live("next links follow the Host header; amounts are decimal literals on the wire", () =>
    Effect.gen(function* () {
      const base = yield* SandboxServer.url
      const answer = yield* raw(`${base}${PATH}?link=${SandboxModel.largeLinkId}&page_size=1000`, {
        host: "belvo.test:8080",
        authorization: basic()
      })
      assert.strictEqual(answer.status, 200)
      const page = JSON.parse(answer.body) as Json
      assert.strictEqual(
        page.next,
        `http://belvo.test:8080${PATH}?link=${SandboxModel.largeLinkId}&page_size=1000&page=2`
      )
      const amounts = rawAmounts(answer.body)
      assert.strictEqual(amounts.length, 3000)
      for (const amount of amounts) assert.match(amount, /^\d{1,15}\.\d{2}$/)
    }).pipe(provide)
  )

  it.live("a dropped connection and a truncated body are real socket faults", () =>
    Effect.gen(function* () {
      const base = yield* SandboxServer.url
      yield* Sandbox.addFaults(SandboxFault.drop(), SandboxFault.truncated({ nth: 2 }))
      const url = `${base}${PATH}?link=${plain}`
      const dropped = yield* Effect.promise(() =>
        fetch(url, { headers: { authorization: basic() } }).then(
          () => "answered",
          (error: Error) => `failed: ${error.message}`
        )
      )
      assert.strictEqual(dropped, "failed: fetch failed")
      const truncated = yield* Effect.promise(async () => {
        const response = await fetch(url, { headers: { authorization: basic() } })
        const declared = Number(response.headers.get("content-length"))
        const body = await response.text().then(
          () => "complete",
          () => "cut"
        )
        return { status: response.status, declared, body }
      })
      assert.strictEqual(truncated.status, 200)
      assert.isTrue(truncated.declared > 1000)
      assert.strictEqual(truncated.body, "cut")
      // and the server carries on
      assert.strictEqual((yield* get(url)).status, 200)
      assert.deepStrictEqual(
        (yield* Sandbox.requests).map((r) => r.status),
        [undefined, 200, 200]
      )
      assert.strictEqual((yield* Sandbox.stats).inFlight, 0)
    }).pipe(provide)
  )

  it.live("the server and the in-process client can serve one shared sandbox", () =>
    Effect.gen(function* () {
      const base = yield* SandboxServer.url
      const before = ((yield* get(`${base}${PATH}?link=${plain}`)).json as Json).count as number
      assert.strictEqual((yield* call("POST", PATH, { body: { link: plain } })).status, 201)
      const after = ((yield* get(`${base}${PATH}?link=${plain}`)).json as Json).count as number
      assert.strictEqual(after, before + 2)
      assert.deepStrictEqual(
        (yield* Sandbox.requests).map((r) => new URL(r.url).origin),
        [base, "https://sandbox.belvo.com", base]
      )
    }).pipe(
      Effect.provide(
        Layer.mergeAll(SandboxServer.layer(), SandboxHttp.layerHttpClient).pipe(
          Layer.provideMerge(Sandbox.layer({ largeLinkBalances: 0 }))
        )
      )
    )
  )
})

describe("without @effect/platform-node", () => {
  it.effect("a missing package is a typed error naming it and the version range to install", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        loadFrom(() => import(["@effect", "platform-node-not-installed"].join("/")))
      )
      assert.strictEqual(error._tag, "PlatformNodeMissing")
      assert.include(error.message, `@effect/platform-node ${platformNodeRange}`)
      assert.include(error.message, `npm install --save-dev @effect/platform-node@${platformNodeRange}`)
      assert.instanceOf(error, SandboxServer.PlatformNodeMissing)
    })
  )

  it("the range it names is the peer range package.json declares", () => {
    assert.strictEqual(packageJson.peerDependencies["@effect/platform-node"], platformNodeRange)
  })
})
