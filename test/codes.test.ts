/**
 * The table of Belvo's error codes (src/internal/codes.ts) held to Belvo's OpenAPI document and to
 * what the client and the sandbox make of each code: one table, checked both ways.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Balances, type BelvoClient, BelvoError } from "../src/index.js"
import * as Codes from "../src/internal/codes.js"
import { SandboxFault } from "../src/testing/index.js"
import { balanceId, clientLayer, errorBody, json, link, mockHttp } from "./support/mockHttp.js"
import spec from "./testing/fixtures/br-balances.openapi.json" with { type: "json" }

interface Schemas {
  readonly [name: string]: { readonly properties?: { readonly code?: { readonly description?: string } } }
}

/** Every code the spec documents, by status: from each error response's schemas. */
const documented = (): ReadonlyMap<string, number> => {
  const found = new Map<string, number>()
  const schemas = spec.components.schemas as unknown as Schemas
  for (const [name, response] of Object.entries(spec.components.responses)) {
    const status = Number(name.slice(0, 3))
    for (const [, ref] of JSON.stringify(response).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      const description = schemas[ref ?? ""]?.properties?.code?.description ?? ""
      const [first = ""] = description.split("\n")
      for (const [, code] of first.matchAll(/`([a-z_]+)`/g)) found.set(code ?? "", status)
      for (const [, code] of description.matchAll(new RegExp(`#${status}-([a-z_]+)`, "g")))
        found.set(code ?? "", status)
    }
  }
  return found
}

const table = Object.entries(Codes.codes) as ReadonlyArray<readonly [Codes.Name, Codes.Code]>

describe("the error code table", () => {
  it("has every code the spec documents, with its status", () => {
    const codes = documented()
    assert.isAtLeast(codes.size, 20)
    for (const [code, status] of codes) {
      assert.isTrue(Codes.isName(code), `${code} is missing from the table`)
      if (Codes.isName(code)) assert.strictEqual(Codes.codes[code].status, status, code)
    }
  })

  it("invents no code for a status the spec documents", () => {
    const codes = documented()
    const statuses = new Set(codes.values())
    for (const [code, { status }] of table) {
      if (statuses.has(status)) assert.isTrue(codes.has(code), `${code} (${status}) is not in the spec`)
    }
  })

  it("has one default per status, and the codes of a status agree on whether it is transient", () => {
    const byStatus = new Map<number, Array<Codes.Code>>()
    for (const [, code] of table) byStatus.set(code.status, [...(byStatus.get(code.status) ?? []), code])
    for (const [status, codes] of byStatus) {
      assert.lengthOf(
        codes.filter((code) => code.default === true),
        1,
        `status ${status}`
      )
      assert.lengthOf(new Set(codes.map((code) => code.transient)), 1, `status ${status}`)
    }
  })

  it("names only errors the answered union has, and the union has no error the table lacks but BadRequest", () => {
    const tags = new Set(BelvoError.AnsweredError.members.map((member) => member.identifier))
    const named = new Set(table.map(([, code]) => code.error))
    for (const tag of named) assert.isTrue(tags.has(tag), tag)
    assert.deepStrictEqual(
      [...tags].filter((tag) => !named.has(tag)),
      ["BadRequest"]
    )
  })

  it("is what the sandbox's faults answer with", () => {
    for (const [code, entry] of table) {
      assert.deepStrictEqual<unknown>(SandboxFault.errorCodes[code], entry)
      const fault = SandboxFault.error(code)
      assert.deepInclude(fault.response, { status: entry.status, code, message: entry.message })
    }
    for (const [status, code] of Object.entries(Codes.defaultFor)) {
      assert.deepInclude(SandboxFault.status(Number(status)).response, { code })
    }
  })

  it.effect("each code becomes its error in the client, on the endpoint that documents its status", () =>
    Effect.forEach(table, ([code, entry]) => {
      const extra =
        code === "token_required" ? { session: "2675b703b9d4451f8d4861a3eee54449", expiry: 600 } : {}
      const http = mockHttp(() => json(entry.status, errorBody(code, entry.message, extra)))
      const call: Effect.Effect<BelvoError.BelvoError, unknown, BelvoClient.BelvoClient> =
        entry.status === 404
          ? Effect.flip(Balances.get(balanceId, {}, { retry: false }))
          : Effect.flip(Balances.retrieve({ link }, { retry: false }))
      return Effect.tap(call.pipe(Effect.provide(clientLayer(http.layer))), (error) =>
        Effect.sync(() => {
          assert.strictEqual(error._tag, entry.error, code)
          assert.isTrue(BelvoError.isAnswered(error), code)
          if (BelvoError.isAnswered(error)) assert.strictEqual(error.code, code)
        })
      )
    })
  )

  it.effect("a status without a code in its body gets the status's default code", () =>
    Effect.forEach(Object.entries(Codes.defaultFor), ([status, code]) => {
      const http = mockHttp(() => new Response("", { status: Number(status) }))
      return Effect.flip(Balances.get(balanceId, {}, { retry: false })).pipe(
        Effect.provide(clientLayer(http.layer)),
        Effect.tap((error) =>
          Effect.sync(() => {
            assert.isTrue(BelvoError.isAnswered(error), status)
            if (BelvoError.isAnswered(error)) assert.strictEqual(error.code, code, status)
          })
        )
      )
    })
  )

  it("isAnswered is false for everything that got no answer to read", () => {
    const route = { method: "GET", path: "/api/br/balances/" }
    assert.isFalse(
      BelvoError.isAnswered(new BelvoError.TransportError({ message: "m", ...route, sent: true }))
    )
    assert.isFalse(
      BelvoError.isAnswered(new BelvoError.Timeout({ message: "m", ...route, millis: 1, scope: "call" }))
    )
    assert.isFalse(
      BelvoError.isAnswered(
        new BelvoError.DecodeError({
          message: "m",
          ...route,
          status: 200,
          request_id: null,
          reason: "r",
          body: ""
        })
      )
    )
    assert.isFalse(BelvoError.isAnswered(new BelvoError.InvalidQuery({ field: "f", value: 1, reason: "r" })))
    assert.isFalse(BelvoError.isAnswered({ _tag: "NotFound" }))
    assert.isFalse(BelvoError.isAnswered(null))
  })
})
