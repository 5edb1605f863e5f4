/**
 * A recording HttpClient for unit tests: every request is kept (method, URL, headers, JSON body)
 * and answered by a handler that returns a web `Response`, or fails like a transport would.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { BelvoClient } from "../../src/index.js"

export interface Recorded {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
}

export type Reply = Response | { readonly transport: "refused" | "reset" }

export const secretId = "test-secret-id-9f2c"
export const secretPassword = "test-secret-password-b71e"
export const baseUrl = "https://belvo.test"

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

export const errorBody = (code: string, message: string, extra: Record<string, unknown> = {}) => [
  { code, message, request_id: "9e7b283c6efa449c9c028a16b5c249fb", ...extra }
]

const bodyOf = (request: { readonly body: { readonly _tag: string } }): unknown => {
  const body = request.body as { _tag: string; body?: Uint8Array }
  return body._tag === "Uint8Array" && body.body ? JSON.parse(new TextDecoder().decode(body.body)) : undefined
}

/** A mock transport plus the list it records into. */
export const mockHttp = (handler: (request: Recorded, index: number) => Reply | Effect.Effect<Reply>) => {
  const requests: Array<Recorded> = []
  const client = HttpClient.make((request, url) =>
    Effect.suspend(() => {
      const recorded: Recorded = {
        method: request.method,
        url,
        headers: request.headers,
        body: bodyOf(request)
      }
      requests.push(recorded)
      const reply = handler(recorded, requests.length - 1)
      return Effect.flatMap(Effect.isEffect(reply) ? reply : Effect.succeed(reply), (answer) =>
        answer instanceof Response
          ? Effect.succeed(HttpClientResponse.fromWeb(request, answer))
          : Effect.fail(
              new HttpClientError.RequestError({
                request,
                reason: "Transport",
                cause: Object.assign(
                  new Error(answer.transport === "refused" ? "connect refused" : "socket hang up"),
                  {
                    code: answer.transport === "refused" ? "ECONNREFUSED" : "ECONNRESET"
                  }
                )
              })
            )
      )
    })
  )
  return { requests, layer: Layer.succeed(HttpClient.HttpClient, client) }
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
