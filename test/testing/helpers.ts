import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as fc from "fast-check"
import { propertyInContext } from "../support/property.js"
import spec from "./fixtures/br-balances.openapi.json" with { type: "json" }
import { SandboxModel } from "../../src/testing/index.js"

export const BASE = "https://sandbox.belvo.com"
export const PATH = "/api/br/balances/"

export const basic = (id = SandboxModel.defaultSecretId, password = SandboxModel.defaultSecretPassword) =>
  `Basic ${btoa(`${id}:${password}`)}`

export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  readonly json: unknown
}

/** One request through the in-process client; `auth: null` sends no credentials. */
export const call = (
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE",
  url: string,
  options: {
    readonly body?: unknown | undefined
    readonly auth?: string | null | undefined
    readonly headers?: Record<string, string> | undefined
  } = {}
): Effect.Effect<Answer, HttpClientError.HttpClientError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    let request = HttpClientRequest.make(method)(url.startsWith("http") ? url : `${BASE}${url}`)
    const auth = options.auth === undefined ? basic() : options.auth
    if (auth !== null) request = HttpClientRequest.setHeader(request, "authorization", auth)
    if (options.body !== undefined) request = HttpClientRequest.bodyJsonUnsafe(request, options.body)
    if (options.headers !== undefined) request = HttpClientRequest.setHeaders(request, options.headers)
    const response = yield* HttpClient.execute(request)
    const text = yield* response.text
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, text, json }
  })

export const list = (query: Record<string, string | number>, auth?: string | null) =>
  call("GET", `${PATH}?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}`, {
    auth
  })

export type Json = Record<string, unknown>

/** A property over a record of arbitraries, each case run in the calling test's context (its sandbox). */
export const checkProperty = <Ts extends Record<string, unknown>, E, R>(
  arbitraries: { readonly [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  body: (values: Ts) => Effect.Effect<void, E, R>,
  parameters: fc.Parameters<[Ts]> = {}
): Effect.Effect<void, never, R> =>
  propertyInContext(fc.record(arbitraries) as fc.Arbitrary<Ts>, body, parameters)

// ---------------------------------------------------------------------------------------------
// A small validator for the OpenAPI subset br-balances.openapi.json uses, written for the tests:
// the sandbox's bodies are checked against the spec's own schemas, strictly (no undeclared keys).

type Schema = Record<string, unknown>

const resolve = (schema: Schema): Schema => {
  const ref = schema.$ref
  if (typeof ref !== "string") return schema
  let node: unknown = spec
  for (const part of ref.replace(/^#\//, "").split("/")) node = (node as Record<string, unknown>)[part]
  return resolve(node as Schema)
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

export const validate = (input: Schema, value: unknown, at = "$"): Array<string> => {
  const schema = resolve(input)
  if (value === null) return schema.nullable === true ? [] : [`${at}: null`]
  if (Array.isArray(schema.allOf)) {
    const merged: Schema = { type: "object", properties: {}, required: [] }
    for (const part of schema.allOf as Array<Schema>) {
      const p = resolve(part)
      Object.assign(merged.properties as object, p.properties ?? {})
      ;(merged.required as Array<string>).push(...((p.required as Array<string>) ?? []))
    }
    return validate(merged, value, at)
  }
  if (Array.isArray(schema.anyOf)) {
    const results = (schema.anyOf as Array<Schema>).map((s) => validate(s, value, at))
    return results.some((r) => r.length === 0)
      ? []
      : [`${at}: matches none of anyOf (${results.flat().join("; ")})`]
  }
  const type = schema.type
  const errors: Array<string> = []
  if (type === "object") {
    if (typeof value !== "object" || Array.isArray(value)) return [`${at}: not an object`]
    const properties = (schema.properties ?? {}) as Record<string, Schema>
    for (const key of (schema.required as Array<string>) ?? [])
      if (!(key in value)) errors.push(`${at}.${key}: missing`)
    for (const [key, v] of Object.entries(value)) {
      if (!(key in properties)) errors.push(`${at}.${key}: not in schema`)
      else errors.push(...validate(properties[key]!, v, `${at}.${key}`))
    }
  } else if (type === "array") {
    if (!Array.isArray(value)) return [`${at}: not an array`]
    value.forEach((item, i) => {
      errors.push(...validate(schema.items as Schema, item, `${at}[${i}]`))
    })
  } else if (type === "string") {
    if (typeof value !== "string") return [`${at}: not a string`]
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern).test(value))
      errors.push(`${at}: pattern`)
    if (schema.format === "uuid" && !UUID.test(value)) errors.push(`${at}: not a uuid`)
    if (schema.format === "date-time" && !DATE_TIME.test(value)) errors.push(`${at}: not a date-time`)
    if (typeof schema.maxLength === "number" && value.length > schema.maxLength)
      errors.push(`${at}: too long`)
  } else if (type === "integer") {
    if (!Number.isInteger(value)) errors.push(`${at}: not an integer`)
  } else if (type === "number") {
    if (typeof value !== "number") errors.push(`${at}: not a number`)
  } else if (type === "boolean") {
    if (typeof value !== "boolean") errors.push(`${at}: not a boolean`)
  }
  return errors
}

/** The documented schema of a response, e.g. `responseSchema("/api/br/balances/", "get", 200)`. */
export const responseSchema = (path: string, method: string, status: number): Schema => {
  const paths = spec.paths as Record<string, Record<string, { responses: Record<string, Schema> }>>
  const response = resolve(paths[path]![method]!.responses[String(status)]!)
  return (response.content as Record<string, { schema: Schema }>)["application/json"]!.schema
}

/** An error body: an array of items, each with a 32-hex request_id shared by the whole answer. */
export const errorItems = (answer: Answer): Array<Json> => {
  if (!Array.isArray(answer.json)) throw new Error(`not an array error body: ${answer.text}`)
  const items = answer.json as Array<Json>
  for (const item of items) {
    if (typeof item.request_id !== "string" || !/^[a-f0-9]{32}$/.test(item.request_id)) {
      throw new Error(`bad request_id in ${answer.text}`)
    }
  }
  return items
}

/** The raw text of every amount in a body, to check the decimal pattern on the wire itself. */
export const rawAmounts = (text: string): Array<string> =>
  Array.from(text.matchAll(/"(?:available|blocked|automatically_invested)":([^,}]+)/g), (m) => m[1]!)
