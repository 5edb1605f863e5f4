/**
 * Credentials stay secret. A base URL carrying `user:password@` is refused without repeating it,
 * from the layer and from config. A server that echoes the request's `Authorization` (raw and
 * decoded) into its error bodies and headers gets nothing of it into what the library keeps: the
 * error's fields, message, string and JSON forms, the cause, the debug log lines, the spans.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { Balances, BelvoClient } from "../src/index.js"
import {
  BALANCE_ID,
  type Call,
  clientLayer,
  failureOf,
  LINK,
  makeRecorder,
  SECRET_BASIC,
  SECRET_ID,
  SECRET_PASSWORD,
  send,
  serve,
  TRANSPORTS,
  tagOf,
  validChallenge
} from "./hostile/server.js"

/** Every text a failed `Exit` shows: the error's own fields, its string and JSON forms, the cause. */
const textsOf = (exit: Exit.Exit<unknown, unknown>): Record<string, string> => {
  if (Exit.isSuccess(exit)) return { success: "" }
  const texts: Record<string, string> = { "Cause.pretty": Cause.pretty(exit.cause) }
  for (const error of [...exit.cause.reasons].flatMap((reason) =>
    reason._tag === "Fail" ? [reason.error] : reason._tag === "Die" ? [reason.defect] : []
  )) {
    const record = error as Record<string, unknown> & { readonly message?: unknown; readonly cause?: unknown }
    texts.String = String(error)
    texts.message = String(record.message)
    try {
      texts.JSON = JSON.stringify(error)
    } catch (cause) {
      texts.JSON = `not JSON: ${String(cause)}`
    }
    for (const [key, value] of Object.entries(record)) {
      texts[`field ${key}`] = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value))
    }
    if (record.cause !== undefined) texts.cause = String(record.cause)
  }
  return texts
}

/** The names of the texts in which one of `secrets` appears, with the secret found. */
const leaks = (texts: Record<string, string>, secrets: ReadonlyArray<string>): Array<string> =>
  Object.entries(texts).flatMap(([name, text]) =>
    secrets
      .filter((secret) => text.includes(secret))
      .map((secret) => `${name} holds ${JSON.stringify(secret)}: ${excerpt(text, secret)}`)
  )

const excerpt = (text: string, secret: string) => {
  const at = text.indexOf(secret)
  return JSON.stringify(text.slice(Math.max(0, at - 60), at + secret.length + 60))
}

// ---------------------------------------------------------------------------------------------
// Base URLs with credentials
// ---------------------------------------------------------------------------------------------

const URL_USER = "belvo-user-5Tq"
const URL_PASSWORD = "pw-URL-secret-8Lm"

const secretUrls: Record<string, { readonly url: string; readonly secrets: ReadonlyArray<string> }> = {
  "https://id:password@example.com": { url: "https://id:password@example.com", secrets: ["id:password"] },
  "https://<user>:<password>@example.com": {
    url: `https://${URL_USER}:${URL_PASSWORD}@example.com`,
    secrets: [URL_USER, URL_PASSWORD]
  },
  "only a password, https://:<password>@example.com": {
    url: `https://:${URL_PASSWORD}@example.com`,
    secrets: [URL_PASSWORD]
  },
  "http on a remote host with credentials": {
    url: `http://${URL_USER}:${URL_PASSWORD}@example.com/`,
    secrets: [URL_USER, URL_PASSWORD]
  },
  "unparsable, with a secret in it": {
    url: `https://${URL_USER}:${URL_PASSWORD}@exa mple.com:99999/`,
    secrets: [URL_USER, URL_PASSWORD]
  },
  "not a URL at all, with a secret in it": { url: `token ${URL_PASSWORD}`, secrets: [URL_PASSWORD] },
  "credentials percent-encoded": {
    url: `https://${URL_USER}:${encodeURIComponent(`${URL_PASSWORD}@/`)}@example.com`,
    secrets: [URL_USER, URL_PASSWORD]
  },
  "a secret in the query": { url: `https://example.com/?secret=${URL_PASSWORD}`, secrets: [URL_PASSWORD] }
}

/** Builds `layer` (and tries one call, which must not happen), recording logs and spans. */
const buildFails = (layer: Layer.Layer<BelvoClient.BelvoClient, unknown>) =>
  Effect.gen(function* () {
    const recorder = makeRecorder()
    const exit = yield* Effect.exit(recorder.record(Balances.get(BALANCE_ID).pipe(Effect.provide(layer))))
    return { exit, logs: recorder.text() }
  })

describe("a base URL with credentials is refused without repeating them", () => {
  for (const [name, { url, secrets }] of Object.entries(secretUrls)) {
    it.live(`BelvoClient.layer({ baseUrl: ${name} }): ConfigError, no secret in any text`, () =>
      Effect.gen(function* () {
        const layer = BelvoClient.layer({
          baseUrl: url,
          secretId: Redacted.make(SECRET_ID),
          secretPassword: Redacted.make(SECRET_PASSWORD)
        }).pipe(Layer.provide(FetchHttpClient.layer))
        const { exit, logs } = yield* buildFails(layer)
        const error = failureOf(exit, name)
        assert.strictEqual(tagOf(error), "ConfigError", String(error))
        const found = leaks({ ...textsOf(exit), logs }, [
          ...secrets,
          SECRET_ID,
          SECRET_PASSWORD,
          SECRET_BASIC
        ])
        assert.deepStrictEqual(found, [], found.join("\n"))
      })
    )

    it.live(`BelvoClient.layerConfig() with BELVO_BASE_URL=${name}: ConfigError, no secret in any text`, () =>
      Effect.gen(function* () {
        const env = {
          BELVO_BASE_URL: url,
          BELVO_SECRET_ID: SECRET_ID,
          BELVO_SECRET_PASSWORD: SECRET_PASSWORD
        }
        const layer = BelvoClient.layerConfig().pipe(
          Layer.provide(FetchHttpClient.layer),
          Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))
        )
        const { exit, logs } = yield* buildFails(layer)
        const error = failureOf(exit, name)
        assert.strictEqual(tagOf(error), "ConfigError", String(error))
        const found = leaks({ ...textsOf(exit), logs }, [
          ...secrets,
          SECRET_ID,
          SECRET_PASSWORD,
          SECRET_BASIC
        ])
        assert.deepStrictEqual(found, [], found.join("\n"))
      })
    )
  }
})

// ---------------------------------------------------------------------------------------------
// A server that echoes the credentials back
// ---------------------------------------------------------------------------------------------

const SECRETS = [SECRET_ID, SECRET_PASSWORD, SECRET_BASIC] as const

/** Answers `status`, echoing the request's Authorization (raw and decoded) everywhere it can. */
const serveEcho = (status: number) =>
  serve((recorded, response, self) => {
    const raw = String(recorded.headers.authorization ?? "")
    const decoded = Buffer.from(raw.replace(/^Basic /, ""), "base64").toString("utf8")
    const item = {
      code: status === 428 ? "token_required" : `echo ${raw}`,
      message: `you sent ${raw}, that is ${decoded}`,
      request_id: raw,
      field: decoded,
      ...(status === 428 ? { session: decoded, expiry: 600, link: decoded } : {})
    }
    const body =
      status === 200
        ? { id: decoded, link: raw, count: decoded, next: null, previous: null, results: [{ id: decoded }] }
        : [item, { code: decoded, message: raw }]
    send(self, response, status, body, {
      "x-request-id": raw,
      "request-id": decoded,
      "x-echo-authorization": raw,
      "www-authenticate": `Basic realm="${decoded}"`,
      "retry-after": "0"
    })
  })

const endpoints: Record<string, () => Call> = {
  get: () => Balances.get(BALANCE_ID),
  retrieve: () => Balances.retrieve({ link: LINK }),
  resume: () => Balances.resume(validChallenge(), "123456"),
  listPage: () => Balances.listPage({ link: LINK }),
  list: () => Stream.runCollect(Balances.list({ link: LINK }))
}

/** One quick retry, so the retry path's logs and spans are seen too. */
const quickRetry: BelvoClient.RetryPolicy = {
  maxRetries: 1,
  baseDelay: "1 millis",
  maxDelay: "1 millis",
  maxRetryAfter: "1 millis",
  jitter: false
}

describe("a server echoing the Authorization header into bodies and headers", () => {
  for (const transport of TRANSPORTS) {
    for (const status of [200, 400, 401, 404, 428, 500, 503]) {
      it.live(`${transport}, ${status}: no credential in errors, causes, logs or spans`, () =>
        Effect.gen(function* () {
          const server = yield* serveEcho(status)
          const problems: Array<string> = []
          for (const [name, endpoint] of Object.entries(endpoints)) {
            const recorder = makeRecorder()
            const exit = yield* Effect.exit(
              recorder.record(
                endpoint().pipe(Effect.provide(clientLayer(server, transport, { retry: quickRetry })))
              )
            )
            if (Exit.isSuccess(exit)) {
              problems.push(`${name}: succeeded`)
              continue
            }
            const found = leaks({ ...textsOf(exit), "logs and spans": recorder.text() }, SECRETS)
            problems.push(...found.map((leak) => `${name} (${tagOf(Cause.squash(exit.cause))}): ${leak}`))
            if (recorder.logs.length === 0) problems.push(`${name}: no debug log line was recorded`)
            if (recorder.spans.length === 0) problems.push(`${name}: no span was recorded`)
          }
          // The credentials did reach the configured origin: the echo is real.
          assert.isTrue(
            server.requests.every((r) => r.headers.authorization === `Basic ${SECRET_BASIC}`),
            "every request carried the credentials"
          )
          assert.deepStrictEqual(problems, [], problems.join("\n"))
        })
      )
    }
  }
})
