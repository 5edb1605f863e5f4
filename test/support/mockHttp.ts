/**
 * A recording HttpClient for unit tests: every request is kept (method, URL, headers, JSON body and
 * the `Clock` time it was sent at) and answered by a handler that returns a web `Response`, or
 * fails like a transport would. Built on `HttpClient.make`, so Effect's own client span wraps
 * each request as it would over a real transport.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { BelvoClient } from "../../src/index.js"

export interface Recorded {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  /** The JSON body, parsed; `undefined` when the request had none. */
  readonly body: unknown
  /** The `Clock` time (a `TestClock` in tests) the request reached the transport, epoch milliseconds. */
  readonly at: number
}

export type Reply = Response | { readonly transport: "refused" | "reset" }

export const secretId = "test-secret-id-9f2c"
export const secretPassword = "test-secret-password-b71e"
/** The `Authorization` header's credential, as sent. */
export const basicCredential = btoa(`${secretId}:${secretPassword}`)
export const baseUrl = "https://belvo.test"

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

export const requestId = "9e7b283c6efa449c9c028a16b5c249fb"

export const errorBody = (code: string, message: string, extra: Record<string, unknown> = {}) => [
  { code, message, request_id: requestId, ...extra }
]

const bodyOf = (request: HttpClientRequest.HttpClientRequest): unknown => {
  const body = request.body
  if (body._tag !== "Uint8Array") return undefined
  const text = new TextDecoder().decode(body.body)
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const transportFailure = (request: HttpClientRequest.HttpClientRequest, kind: "refused" | "reset") =>
  new HttpClientError.HttpClientError({
    reason: new HttpClientError.TransportError({
      request,
      cause: Object.assign(new Error(kind === "refused" ? "connect refused" : "socket hang up"), {
        code: kind === "refused" ? "ECONNREFUSED" : "ECONNRESET"
      })
    })
  })

/** A mock transport plus the list it records into. */
export const mockHttp = (handler: (request: Recorded, index: number) => Reply | Effect.Effect<Reply>) => {
  const requests: Array<Recorded> = []
  const client = HttpClient.make((request, url) =>
    Effect.flatMap(Clock.currentTimeMillis, (at) => {
      const recorded: Recorded = {
        method: request.method,
        url,
        headers: request.headers,
        body: bodyOf(request),
        at
      }
      requests.push(recorded)
      const reply = handler(recorded, requests.length - 1)
      return Effect.flatMap(Effect.isEffect(reply) ? reply : Effect.succeed(reply), (answer) =>
        answer instanceof Response
          ? Effect.succeed(HttpClientResponse.fromWeb(request, answer))
          : Effect.fail(transportFailure(request, answer.transport))
      )
    })
  )
  return { requests, client, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

/** A BelvoClient over the mock, with test credentials and optional overrides. */
export const clientLayer = (
  http: Layer.Layer<HttpClient.HttpClient>,
  options: Partial<BelvoClient.Options> = {}
): Layer.Layer<BelvoClient.BelvoClient> =>
  BelvoClient.layer({
    baseUrl,
    secretId: Redacted.make(secretId),
    secretPassword: Redacted.make(secretPassword),
    ...options
  }).pipe(Layer.provide(http), Layer.orDie)

export const link = "30cb4806-6e00-48a4-91c9-ca55968576c8"
export const account = "c4bfecf9-4eb6-4920-9f9f-e1f1e60ef321"
export const balanceId = "0b94bdf9-3719-43a9-81e7-be95d2318595"

/** A balance in wire form, valid against the spec. */
export const wireBalance = (id = balanceId, available = 10.5) => ({
  id,
  link,
  account_id: account,
  account_internal_identification: "0001",
  collected_at: "2024-05-21T08:32:00Z",
  created_at: "2024-05-21T08:32:00Z",
  last_updated_at: "2024-05-21T08:30:00Z",
  currency: "BRL",
  available,
  blocked: 0,
  automatically_invested: 0
})

/** A UUID numbered `n`, for datasets. */
export const uuidFor = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`
