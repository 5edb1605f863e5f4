/**
 * The client service: where requests go, how they authenticate, and how hard they try.
 *
 * `BelvoClient` wraps any `HttpClient` once: requests are relative to the base URL, carry HTTP
 * basic auth from `Redacted` secrets (on the configured origin only), `Accept: application/json`
 * and a user agent; redirects are never followed; client spans are named by route and no trace
 * headers are sent to Belvo; requests wait for the client's limits (a rate limit, a cap on requests
 * in flight). The service holds three things: the base URL, that `HttpClient`, and the resolved
 * settings every call reads (timeouts, the retry policy, the body limit, the limits).
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Result from "effect/Result"
import * as ClientConfig from "./internal/config.js"
import * as Configured from "./internal/configured.js"
import * as ClientLimits from "./internal/limits.js"
import * as ClientOptions from "./internal/options.js"
import { redactor } from "./internal/redact.js"
import * as Checks from "./internal/settings.js"
import * as Transport from "./internal/transport.js"
import { version } from "./internal/version.js"

/**
 * Belvo's environments and their base URLs.
 *
 * @example
 * ```ts
 * import { BelvoClient } from "effect-belvo"
 *
 * console.log(BelvoClient.environments.sandbox) // "https://sandbox.belvo.com"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export const environments: typeof ClientOptions.environments = ClientOptions.environments

/**
 * A Belvo environment name.
 *
 * @example
 * ```ts
 * import { BelvoClient } from "effect-belvo"
 *
 * const environment: BelvoClient.Environment = process.env.NODE_ENV === "production" ? "production" : "sandbox"
 * console.log(BelvoClient.environments[environment]) // "https://sandbox.belvo.com" outside production
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Environment = keyof typeof environments

/**
 * How transient failures are retried: exponential backoff from `baseDelay`, doubling, with jitter,
 * each wait capped at `maxDelay`, at most `maxRetries` retries. A server's `Retry-After` is honoured
 * up to `maxRetryAfter`. `false` turns retries off. Checked when a layer is built (and per call):
 * `maxRetries` a whole number from 0 to {@link maxRetriesLimit}, delays from 1 ms to an hour.
 *
 * @example
 * ```ts
 * import { Balances, type BelvoClient } from "effect-belvo"
 *
 * // Slower and longer than the default, for a nightly batch that can afford to wait.
 * const patient: BelvoClient.RetryPolicy = {
 *   maxRetries: 6,
 *   baseDelay: "2 seconds",
 *   maxDelay: "1 minute",
 *   maxRetryAfter: "5 minutes",
 *   jitter: true
 * }
 * const balance = Balances.get("0b94bdf9-3719-43a9-81e7-be95d2318595", {}, { retry: patient })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy {
  readonly maxRetries: number
  readonly baseDelay: Duration.Input
  readonly maxDelay: Duration.Input
  readonly maxRetryAfter: Duration.Input
  readonly jitter: boolean
}

/**
 * The default retry policy: 0.5 s doubling with jitter, capped at 8 s, 3 retries, `Retry-After`
 * honoured up to 60 s.
 *
 * @example
 * ```ts
 * import { BelvoClient } from "effect-belvo"
 *
 * const patient: BelvoClient.RetryPolicy = { ...BelvoClient.defaultRetryPolicy, maxRetries: 6 }
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultRetryPolicy: RetryPolicy = ClientOptions.defaultRetryPolicy

/**
 * The most retries a policy may ask for: a bound, so a typo cannot turn into a hot loop.
 *
 * @example
 * ```ts
 * import { BelvoClient } from "effect-belvo"
 *
 * console.log(BelvoClient.maxRetriesLimit) // 20
 * ```
 *
 * @since 1.0.0
 * @category defaults
 */
export const maxRetriesLimit: number = Checks.maxRetriesLimit

/**
 * Per-call overrides of the client's reliability settings, accepted by every endpoint. For
 * `Balances.list` they apply to each page request.
 *
 * @example
 * ```ts
 * import { BelvoClient } from "effect-belvo"
 *
 * const patient: BelvoClient.CallOptions = { attemptTimeout: "2 minutes", retry: false }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions {
  readonly retry?: RetryPolicy | false | undefined
  readonly attemptTimeout?: Duration.Input | undefined
  readonly callTimeout?: Duration.Input | undefined
}

/**
 * Options of {@link layer} and {@link make}. Only the secrets are required.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { BelvoClient } from "effect-belvo"
 *
 * const options: BelvoClient.Options = {
 *   environment: "production",
 *   secretId: Redacted.make("my-secret-id"),
 *   secretPassword: Redacted.make("my-secret-password"),
 *   callTimeout: "2 minutes",
 *   rateLimit: { limit: 50, interval: "1 second" },
 *   maxConcurrentRequests: 8
 * }
 * const BelvoLive = BelvoClient.layer(options) // still needs an HttpClient layer
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `sandbox` or `production`; ignored when `baseUrl` is given. Defaults to `sandbox`. */
  readonly environment?: Environment | undefined
  /** An explicit base URL (origin and optional path prefix). `http://` only for loopback hosts. */
  readonly baseUrl?: string | URL | undefined
  readonly secretId: Redacted.Redacted<string>
  readonly secretPassword: Redacted.Redacted<string>
  /** Longest wait for one attempt's response (headers and body). Default 60 s. */
  readonly attemptTimeout?: Duration.Input | undefined
  /** Longest wait for one call, retries and backoff included. Default 5 min. */
  readonly callTimeout?: Duration.Input | undefined
  /** Retry policy for transient failures, or `false`. Default {@link defaultRetryPolicy}. */
  readonly retry?: RetryPolicy | false | undefined
  /**
   * Client-side rate limit shared by every call of this client: at most `limit` requests start in
   * each `interval` window, e.g. `{ limit: 50, interval: "1 second" }`; requests over it wait for
   * the next window. A window starts with the first request after a quiet spell, so any span of one
   * interval that straddles two windows may see up to `2 × limit - 1` starts. With a
   * `RateLimiter.RateLimiter` in context (`effect/persistence`, on a shared store such as Redis),
   * the limit is shared by every process on that store, under `key` (default
   * `effect-belvo:<origin>`). After a 429, the rest of the window is spent for everyone.
   */
  readonly rateLimit?:
    | { readonly limit: number; readonly interval: Duration.Input; readonly key?: string | undefined }
    | undefined
  /** Most requests in flight at once across every call of this client. Default unlimited. */
  readonly maxConcurrentRequests?: number | undefined
  /** Largest response body accepted, in bytes; a larger one is a `DecodeError`. Default 64 MiB. */
  readonly maxResponseBytes?: number | undefined
  /** Appended to the `effect-belvo/<version>` user agent. */
  readonly userAgent?: string | undefined
  /**
   * A last transformation of the configured `HttpClient` (logging, a proxy's headers, a test
   * double…). It runs after the base URL, auth and headers are applied.
   */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * The resolved settings every call reads: timeouts, the retry policy, the body limit and the limits
 * (a rate limit, under its key; a cap on requests in flight), as plain data.
 *
 * @example
 * ```ts
 * import { Duration, Effect } from "effect"
 * import { BelvoClient } from "effect-belvo"
 *
 * const describe = (settings: BelvoClient.Settings): string =>
 *   `${Duration.format(settings.callTimeout)} per call, ${settings.retry === false ? 0 : settings.retry.maxRetries} retries, ${settings.rateLimit === undefined ? "no rate limit" : `${settings.rateLimit.limit} per ${Duration.format(settings.rateLimit.interval)}`}`
 *
 * const program = Effect.map(Effect.service(BelvoClient.BelvoClient), (client) => describe(client.settings)) // "5m per call, 3 retries, no rate limit" by default
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  readonly attemptTimeout: Duration.Duration
  readonly callTimeout: Duration.Duration
  readonly retry: RetryPolicy | false
  readonly maxResponseBytes: number
  /** At most `limit` requests start in each `interval` window, counted under `key`. @since 1.1.0 */
  readonly rateLimit:
    | { readonly limit: number; readonly interval: Duration.Duration; readonly key: string }
    | undefined
  /** Most requests in flight at once. @since 1.1.0 */
  readonly maxConcurrentRequests: number | undefined
}

/**
 * The limits a client puts on its own requests, as plain data.
 *
 * @deprecated Since 1.1.0 the limits are part of {@link Settings} (`client.settings.rateLimit`,
 * `client.settings.maxConcurrentRequests`); this alias goes in 2.0.
 *
 * @example
 * ```ts
 * import type { BelvoClient } from "effect-belvo"
 *
 * const holdsRequestsBack = (settings: BelvoClient.Settings): boolean =>
 *   settings.rateLimit !== undefined || settings.maxConcurrentRequests !== undefined
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export type Limits = Pick<Settings, "rateLimit" | "maxConcurrentRequests">

/**
 * The service: where requests go, the configured client, and the settings. A test double is these
 * three (its requests go through its own `httpClient` as they are).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BelvoClient } from "effect-belvo"
 *
 * // Another Belvo endpoint with the same base URL, auth, rate limit and in-flight cap (no retries or timeouts).
 * const institutions = Effect.flatMap(Effect.service(BelvoClient.BelvoClient), (client: BelvoClient.Service) =>
 *   client.httpClient.get("api/institutions/")
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The configured base URL; every request and followed page stays under it. */
  readonly baseUrl: URL
  /**
   * The configured client: request URLs are paths relative to `baseUrl` (`"api/br/balances/"`), or
   * absolute URLs; auth is added on `baseUrl`'s origin only, `Accept` and user agent on every
   * request; each request waits for the client's limits, and a 429 spends the rate limit's window.
   */
  readonly httpClient: HttpClient.HttpClient
  readonly settings: Settings
}

/**
 * The client service.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BelvoClient } from "effect-belvo"
 *
 * const origin = Effect.gen(function* () {
 *   const client = yield* BelvoClient.BelvoClient
 *   return client.baseUrl.origin
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class BelvoClient extends Context.Service<BelvoClient, Service>()("effect-belvo/BelvoClient") {}

/**
 * Checks a base URL: it must parse, be `https:` (or `http:` on a loopback host) and carry no
 * credentials, query or fragment. Returns the normalized URL, with a trailing slash on its path.
 * The error never repeats the input, which may hold a secret.
 *
 * @example
 * ```ts
 * import { Result } from "effect"
 * import { BelvoClient } from "effect-belvo"
 *
 * console.log(Result.isFailure(BelvoClient.validateBaseUrl("http://example.com"))) // true
 * console.log(Result.isSuccess(BelvoClient.validateBaseUrl("http://127.0.0.1:8787"))) // true
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const validateBaseUrl: (input: string | URL) => Result.Result<URL, Config.ConfigError> =
  ClientOptions.validateBaseUrl

/**
 * Checks a retry policy: `maxRetries` a whole number from 0 to {@link maxRetriesLimit}, every delay
 * from 1 ms to an hour, `maxDelay` not under `baseDelay`. Returns the reason when it is not valid.
 *
 * @example
 * ```ts
 * import { BelvoClient } from "effect-belvo"
 *
 * console.log(BelvoClient.checkRetryPolicy({ ...BelvoClient.defaultRetryPolicy, maxRetries: 1.5 }))
 * // "maxRetries must be a whole number from 0 to 20"
 * ```
 *
 * @since 1.0.0
 * @category constructors
 */
export const checkRetryPolicy: (policy: RetryPolicy | false) => string | undefined = Checks.checkRetryPolicy

/**
 * Builds the service over the `HttpClient` in context. Every option is checked first: a bad one
 * fails with a `ConfigError` naming it. A `RateLimiter` in context (on a shared store) makes the
 * rate limit one for every process on that store.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { FetchHttpClient } from "effect/http"
 * import { BelvoClient } from "effect-belvo"
 *
 * const client = BelvoClient.make({
 *   environment: "sandbox",
 *   secretId: Redacted.make("id"),
 *   secretPassword: Redacted.make("password")
 * }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<Service, Config.ConfigError, HttpClient.HttpClient> =
  Effect.fnUntraced(function* (options: Options) {
    const { baseUrl, settings } = yield* Effect.fromResult(ClientOptions.resolve(options))
    const configured = Configured.configure(yield* HttpClient.HttpClient, {
      baseUrl,
      secretId: options.secretId,
      secretPassword: options.secretPassword,
      userAgent: `effect-belvo/${version}${options.userAgent ? ` ${options.userAgent}` : ""}`
    })
    const httpClient = options.transformClient ? options.transformClient(configured) : configured
    const limits = yield* ClientLimits.make(settings)
    const publicClient = ClientLimits.limitClient(httpClient, limits)
    return Transport.attach(BelvoClient.of({ baseUrl, httpClient: publicClient, settings }), {
      publicClient,
      httpClient,
      limits,
      redact: redactor(Redacted.value(options.secretId), Redacted.value(options.secretPassword))
    })
  })

/**
 * A layer from explicit options. It needs an `HttpClient` (e.g. `FetchHttpClient.layer` or
 * `NodeHttpClient.layerUndici`).
 *
 * @example
 * ```ts
 * import { Layer, Redacted } from "effect"
 * import { FetchHttpClient } from "effect/http"
 * import { BelvoClient } from "effect-belvo"
 *
 * const BelvoLive = BelvoClient.layer({
 *   environment: "sandbox",
 *   secretId: Redacted.make("my-secret-id"),
 *   secretPassword: Redacted.make("my-secret-password")
 * }).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<BelvoClient, Config.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(BelvoClient, make(options))

/**
 * The configuration {@link layerConfig} reads: `BELVO_SECRET_ID`, `BELVO_SECRET_PASSWORD` (both
 * `Redacted`), and `BELVO_BASE_URL` or `BELVO_ENVIRONMENT` (`sandbox` or `production`, default `sandbox`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BelvoClient } from "effect-belvo"
 *
 * const program = Effect.gen(function* () {
 *   const options = yield* BelvoClient.config
 *   console.log(options.baseUrl ?? options.environment)
 * })
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<Options> = ClientConfig.config

/**
 * A layer reading {@link config} from the `ConfigProvider` (environment variables by default), with
 * `overrides` for everything config does not cover. Missing secrets fail with a readable
 * `ConfigError` naming the variable.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { FetchHttpClient } from "effect/http"
 * import { BelvoClient } from "effect-belvo"
 *
 * const BelvoLive = BelvoClient.layerConfig({ maxConcurrentRequests: 8 }).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  overrides: Omit<Partial<Options>, "secretId" | "secretPassword"> = {}
): Layer.Layer<BelvoClient, Config.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    BelvoClient,
    Effect.flatMap(config, (options) => make({ ...options, ...overrides }))
  )
