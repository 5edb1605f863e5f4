/**
 * The client service: where requests go, how they authenticate, and how hard they try.
 *
 * `BelvoClient` wraps any `HttpClient` once: the base URL, HTTP basic auth from `Redacted`
 * secrets (sent to the configured origin only), `Accept: application/json` and a user agent. It also
 * holds the reliability settings shared by every call of one client: timeouts, the retry policy,
 * an optional rate limit and a cap on requests in flight.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as RateLimiter from "effect/RateLimiter"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { version } from "./internal/version.js"
import { throttledClients } from "./internal/throttle.js"

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
export const environments = {
  sandbox: "https://sandbox.belvo.com",
  production: "https://api.belvo.com"
} as const

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
 * up to `maxRetryAfter`. `false` turns retries off.
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
  readonly baseDelay: Duration.DurationInput
  readonly maxDelay: Duration.DurationInput
  readonly maxRetryAfter: Duration.DurationInput
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
export const defaultRetryPolicy: RetryPolicy = {
  maxRetries: 3,
  baseDelay: Duration.millis(500),
  maxDelay: Duration.seconds(8),
  maxRetryAfter: Duration.seconds(60),
  jitter: true
}

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
  readonly attemptTimeout?: Duration.DurationInput | undefined
  readonly callTimeout?: Duration.DurationInput | undefined
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
  readonly environment?: Environment
  /** An explicit base URL (origin and optional path prefix). `http://` only for loopback hosts. */
  readonly baseUrl?: string | URL
  readonly secretId: Redacted.Redacted<string>
  readonly secretPassword: Redacted.Redacted<string>
  /** Longest wait for one attempt's response (headers and body). Default 60 s. */
  readonly attemptTimeout?: Duration.DurationInput
  /** Longest wait for one call, retries and backoff included. Default 5 min. */
  readonly callTimeout?: Duration.DurationInput
  /** Retry policy for transient failures, or `false`. Default {@link defaultRetryPolicy}. */
  readonly retry?: RetryPolicy | false
  /**
   * Client-side rate limit shared by every call of this client: at most `limit` requests start in
   * each `interval` (fixed windows), e.g. `{ limit: 50, interval: "1 second" }`.
   */
  readonly rateLimit?: { readonly limit: number; readonly interval: Duration.DurationInput }
  /** Most requests in flight at once across every call of this client. Default unlimited. */
  readonly maxConcurrentRequests?: number
  /** Largest response body accepted, in bytes; a larger one is a `DecodeError`. Default 64 MiB. */
  readonly maxResponseBytes?: number
  /** Appended to the `effect-belvo/<version>` user agent. */
  readonly userAgent?: string
}

/**
 * Resolved settings every call reads.
 *
 * @example
 * ```ts
 * import { Duration, Effect } from "effect"
 * import { BelvoClient } from "effect-belvo"
 *
 * const describe = (settings: BelvoClient.Settings): string =>
 *   `${Duration.format(settings.callTimeout)} per call, ${settings.retry === false ? 0 : settings.retry.maxRetries} retries`
 *
 * const program = Effect.map(BelvoClient.BelvoClient, (client) => describe(client.settings)) // "5m per call, 3 retries" by default
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
}

/**
 * The service.
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { Effect } from "effect"
 * import { BelvoClient } from "effect-belvo"
 *
 * // Another Belvo endpoint with the same auth, rate limit and in-flight cap (no retries or timeouts).
 * const institutions = Effect.flatMap(BelvoClient.BelvoClient, (client: BelvoClient.Service) =>
 *   client.withPermit(client.httpClient.execute(HttpClientRequest.get(new URL("api/institutions/", client.baseUrl))))
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The configured base URL; every request and followed page stays on its origin. */
  readonly baseUrl: URL
  /** The underlying client with auth, `Accept` and user agent applied (auth only on `baseUrl`'s origin). */
  readonly httpClient: HttpClient.HttpClient
  readonly settings: Settings
  /** Runs one HTTP attempt under the client's rate limit and in-flight cap. */
  readonly withPermit: <A, E, R>(attempt: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

/**
 * The client service tag.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BelvoClient } from "effect-belvo"
 *
 * const origin = Effect.map(BelvoClient.BelvoClient, (client) => client.baseUrl.origin)
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class BelvoClient extends Context.Tag("effect-belvo/BelvoClient")<BelvoClient, Service>() {}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"])

/**
 * Checks a base URL: it must parse, be `https:` (or `http:` on a loopback host) and carry no
 * credentials, query or fragment. Returns the normalized URL, with a trailing slash on its path.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { BelvoClient } from "effect-belvo"
 *
 * console.log(Either.isLeft(BelvoClient.validateBaseUrl("http://example.com"))) // true
 * console.log(Either.isRight(BelvoClient.validateBaseUrl("http://127.0.0.1:8787"))) // true
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const validateBaseUrl = (input: string | URL): Either.Either<URL, ConfigError.ConfigError> => {
  const invalid = (why: string) => Either.left(ConfigError.InvalidData(["baseUrl"], why))
  let url: URL
  try {
    url = new URL(String(input))
  } catch {
    return invalid(`"${String(input)}" is not an absolute URL`)
  }
  if (url.username !== "" || url.password !== "") return invalid("the base URL must not carry credentials")
  if (url.search !== "" || url.hash !== "") return invalid("the base URL must not carry a query or fragment")
  if (url.protocol === "http:" && !LOOPBACK.has(url.hostname)) {
    return invalid(
      `plain http:// is refused for ${url.hostname}: credentials would travel unencrypted; use https://`
    )
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return invalid(`unsupported protocol ${url.protocol}`)
  if (!url.pathname.endsWith("/")) url.pathname = `${url.pathname}/`
  return Either.right(url)
}

/**
 * Builds the service over the `HttpClient` in context.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Redacted } from "effect"
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
export const make = (
  options: Options
): Effect.Effect<Service, ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function* () {
    const baseUrl = yield* validateBaseUrl(options.baseUrl ?? environments[options.environment ?? "sandbox"])
    const origin = baseUrl.origin
    const userAgent = `effect-belvo/${version}${options.userAgent ? ` ${options.userAgent}` : ""}`
    const httpClient = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest((request) => {
        const withHeaders = request.pipe(
          HttpClientRequest.acceptJson,
          HttpClientRequest.setHeader("User-Agent", userAgent)
        )
        // Credentials go to the configured origin only, whatever URL a caller or server supplies.
        return sameOrigin(request.url, origin)
          ? HttpClientRequest.basicAuth(withHeaders, options.secretId, options.secretPassword)
          : withHeaders
      })
    )
    const limiter = options.rateLimit
      ? Option.some(
          yield* RateLimiter.make({
            limit: options.rateLimit.limit,
            interval: options.rateLimit.interval,
            algorithm: "fixed-window"
          })
        )
      : Option.none()
    const semaphore =
      options.maxConcurrentRequests !== undefined
        ? Option.some(yield* Effect.makeSemaphore(Math.max(1, Math.floor(options.maxConcurrentRequests))))
        : Option.none()
    const withPermit = <A, E, R>(attempt: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
      const capped = Option.isSome(semaphore) ? semaphore.value.withPermits(1)(attempt) : attempt
      return Option.isSome(limiter) ? limiter.value(capped) : capped
    }
    const service = BelvoClient.of({
      baseUrl,
      httpClient,
      withPermit,
      settings: {
        attemptTimeout: Duration.decode(options.attemptTimeout ?? Duration.seconds(60)),
        callTimeout: Duration.decode(options.callTimeout ?? Duration.minutes(5)),
        retry: options.retry ?? defaultRetryPolicy,
        maxResponseBytes: options.maxResponseBytes ?? 64 * 1024 * 1024
      }
    })
    if (Option.isSome(limiter) || Option.isSome(semaphore)) throttledClients.add(service)
    return service
  })

const sameOrigin = (url: string, origin: string): boolean => {
  try {
    return new URL(url).origin === origin
  } catch {
    return false
  }
}

/**
 * A layer from explicit options. It needs an `HttpClient` (e.g. `FetchHttpClient.layer` or
 * `NodeHttpClient.layerUndici`).
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer, Redacted } from "effect"
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
): Layer.Layer<BelvoClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.scoped(BelvoClient, make(options))

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
export const config: Config.Config<Options> = Config.all({
  secretId: Config.redacted("BELVO_SECRET_ID"),
  secretPassword: Config.redacted("BELVO_SECRET_PASSWORD"),
  environment: Config.literal(
    "sandbox",
    "production"
  )("BELVO_ENVIRONMENT").pipe(Config.withDefault("sandbox")),
  baseUrl: Config.option(Config.string("BELVO_BASE_URL"))
}).pipe(
  Config.map(
    ({ baseUrl, ...rest }): Options => (Option.isSome(baseUrl) ? { ...rest, baseUrl: baseUrl.value } : rest)
  )
)

/**
 * A layer reading {@link config} from the `ConfigProvider` (environment variables by default), with
 * `overrides` for everything config does not cover. Missing secrets fail with a readable
 * `ConfigError` naming the variable.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
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
): Layer.Layer<BelvoClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.scoped(
    BelvoClient,
    Effect.flatMap(config, (options) => make({ ...options, ...overrides }))
  )
