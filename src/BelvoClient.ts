/**
 * The client service: where requests go, how they authenticate, and how hard they try.
 *
 * `BelvoClient` wraps any `HttpClient` once: requests are relative to the base URL, carry HTTP
 * basic auth from `Redacted` secrets (on the configured origin only), `Accept: application/json`
 * and a user agent; redirects are never followed; client spans are named by route and no trace
 * headers are sent to Belvo. It also holds what every call of one client shares: timeouts, the
 * retry policy, and the limits (a rate limit, a cap on requests in flight) as plain data, with
 * `withPermit` to run an attempt under them.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Base64 from "effect/encoding/Base64"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as RateLimiter from "effect/persistence/RateLimiter"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Semaphore from "effect/Semaphore"
import * as Checks from "./internal/settings.js"
import { version } from "./internal/version.js"
import * as BelvoError from "./BelvoError.js"

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
export const defaultRetryPolicy: RetryPolicy = {
  maxRetries: 3,
  baseDelay: Duration.millis(500),
  maxDelay: Duration.seconds(8),
  maxRetryAfter: Duration.seconds(60),
  jitter: true
}

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
 * const program = Effect.map(Effect.service(BelvoClient.BelvoClient), (client) => describe(client.settings)) // "5m per call, 3 retries" by default
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
 * The limits a client puts on its own requests, as plain data: a request may wait for them before
 * it is sent. Both absent: every request goes out at once.
 *
 * @example
 * ```ts
 * import type { BelvoClient } from "effect-belvo"
 *
 * const holdsRequestsBack = (limits: BelvoClient.Limits): boolean =>
 *   limits.rateLimit !== undefined || limits.maxConcurrentRequests !== undefined
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export interface Limits {
  readonly rateLimit: { readonly limit: number; readonly interval: Duration.Duration } | undefined
  readonly maxConcurrentRequests: number | undefined
}

/**
 * The service.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BelvoClient } from "effect-belvo"
 *
 * // Another Belvo endpoint with the same base URL, auth, rate limit and in-flight cap (no retries or timeouts).
 * const institutions = Effect.flatMap(Effect.service(BelvoClient.BelvoClient), (client: BelvoClient.Service) =>
 *   client.withPermit(client.httpClient.get("api/institutions/"))
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
   * absolute URLs; auth is added on `baseUrl`'s origin only, `Accept` and user agent on every request.
   */
  readonly httpClient: HttpClient.HttpClient
  readonly settings: Settings
  readonly limits: Limits
  /**
   * Removes this client's own credentials (the secret id, the password, and their base64 as sent in
   * `Authorization`) from a text the server chose, so a server or proxy that echoes them back
   * cannot plant them in an error, a log line or a span.
   */
  readonly redact: (text: string) => string
  /**
   * Runs one HTTP attempt under {@link Limits}: waits for the rate limit, then an in-flight slot.
   * A limiter whose store fails (a shared one, on Redis) fails the attempt with a `TransportError`
   * that was never sent; `route` names the request in it.
   */
  readonly withPermit: <A, E, R>(
    attempt: Effect.Effect<A, E, R>,
    route?: { readonly method: string; readonly path: string }
  ) => Effect.Effect<A, E | BelvoError.TransportError, R>
  /**
   * Called after a 429 (with its `Retry-After`, when given): on a client with a rate limit, spends
   * the rest of the window on the limiter, so every client sharing it waits too. Otherwise nothing.
   */
  readonly backOff: (retryAfterMillis: number | null) => Effect.Effect<void>
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

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"])

const sourceError = (message: string): Config.ConfigError =>
  new Config.ConfigError(new ConfigProvider.SourceError({ message }))

const invalidOption = (option: string, why: string): Config.ConfigError =>
  sourceError(`BelvoClient option ${option} ${why}`)

/**
 * A configuration value whose failure says what to do: the variable, and what a valid value looks
 * like. Effect's own message (`Expected string at ["BELVO_SECRET_ID"]`) names neither.
 */
const explained = <A>(config: Config.Config<A>, message: string): Config.Config<A> =>
  Config.orElse(config, () => Config.fail(new ConfigProvider.SourceError({ message })))

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
export const validateBaseUrl = (input: string | URL): Result.Result<URL, Config.ConfigError> =>
  Result.mapError(checkBaseUrl(input), (why) => invalidOption("baseUrl", `${why}; ${VALID_BASE_URL}`))

const VALID_BASE_URL =
  'a valid one looks like "https://sandbox.belvo.com" (or "http://127.0.0.1:8787" for a local sandbox)'

/** A base URL checked and normalized, or why it is refused (never repeating it: it may hold a secret). */
const checkBaseUrl = (input: string | URL): Result.Result<URL, string> => {
  let url: URL
  try {
    url = new URL(String(input))
  } catch {
    return Result.fail("is not an absolute URL")
  }
  if (url.username !== "" || url.password !== "") {
    return Result.fail(
      "must not carry credentials (user:password@); pass secretId and secretPassword instead"
    )
  }
  if (url.search !== "" || url.hash !== "") return Result.fail("must not carry a query or fragment")
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return Result.fail(`has the unsupported protocol ${url.protocol}; use https://`)
  }
  if (url.protocol === "http:" && !LOOPBACK.has(url.hostname)) {
    return Result.fail(
      "must not be plain http:// except on a loopback host (localhost, 127.0.0.1, [::1]): credentials would travel unencrypted; use https://"
    )
  }
  if (!url.pathname.endsWith("/")) url.pathname = `${url.pathname}/`
  return Result.succeed(url)
}

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

/** The options checked and resolved, or a `ConfigError` naming the first bad one. */
const resolve = (
  options: Options
): Result.Result<
  { readonly baseUrl: URL; readonly settings: Settings; readonly limits: Limits },
  Config.ConfigError
> =>
  Result.gen(function* () {
    const baseUrl = yield* validateBaseUrl(options.baseUrl ?? environments[options.environment ?? "sandbox"])
    const duration = (
      name: string,
      input: Duration.Input | undefined,
      fallback: Duration.Duration,
      max: Duration.Duration
    ) =>
      input === undefined
        ? Result.succeed(fallback)
        : Result.mapError(Checks.checkDuration(input, max), (why) => invalidOption(name, why))
    const attemptTimeout = yield* duration(
      "attemptTimeout",
      options.attemptTimeout,
      Duration.seconds(60),
      Checks.maxTimeout
    )
    const callTimeout = yield* duration(
      "callTimeout",
      options.callTimeout,
      Duration.minutes(5),
      Checks.maxTimeout
    )
    const retry = options.retry ?? defaultRetryPolicy
    const retryProblem = Checks.checkRetryPolicy(retry)
    if (retryProblem !== undefined) return yield* Result.fail(invalidOption("retry", retryProblem))
    const maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024
    if (!Checks.isWhole(maxResponseBytes, 1, 2 ** 31)) {
      return yield* Result.fail(
        invalidOption("maxResponseBytes", "must be a whole number of bytes from 1 to 2^31")
      )
    }
    if (
      options.maxConcurrentRequests !== undefined &&
      !Checks.isWhole(options.maxConcurrentRequests, 1, 10_000)
    ) {
      return yield* Result.fail(
        invalidOption("maxConcurrentRequests", "must be a whole number from 1 to 10000")
      )
    }
    let rateLimit: Limits["rateLimit"]
    if (options.rateLimit !== undefined) {
      if (!Checks.isWhole(options.rateLimit.limit, 1, 1_000_000)) {
        return yield* Result.fail(
          invalidOption("rateLimit.limit", "must be a whole number from 1 to 1000000")
        )
      }
      const interval = yield* duration(
        "rateLimit.interval",
        options.rateLimit.interval,
        Duration.seconds(1),
        Checks.maxTimeout
      )
      rateLimit = { limit: options.rateLimit.limit, interval }
    }
    return {
      baseUrl,
      settings: { attemptTimeout, callTimeout, retry, maxResponseBytes },
      limits: { rateLimit, maxConcurrentRequests: options.maxConcurrentRequests }
    }
  })

const UUID_SEGMENT = /\/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?=\/|$)/g

/** A client span's name: method and route, ids replaced by `{id}` so names stay few. */
const routeName = (request: HttpClientRequest.HttpClientRequest): string => {
  let path: string
  try {
    path = new URL(request.url).pathname
  } catch {
    path = request.url
  }
  return `${request.method} ${path.replace(UUID_SEGMENT, "/{id}")}`
}

const ABSOLUTE = /^[a-zA-Z][a-zA-Z0-9+.-]*:/

// A secret this short would match ordinary text everywhere; Belvo's secrets are far longer.
const MIN_REDACTED_LENGTH = 6

/** Replaces every occurrence of the credentials, raw or as the `Authorization` header's base64. */
const redactor = (secretId: string, secretPassword: string): ((text: string) => string) => {
  const secrets = [Base64.encode(`${secretId}:${secretPassword}`), secretPassword, secretId].filter(
    (secret) => secret.length >= MIN_REDACTED_LENGTH
  )
  return (text) => {
    let out = text
    for (const secret of secrets) if (out.includes(secret)) out = out.replaceAll(secret, "<redacted>")
    return out
  }
}

const sameOrigin = (url: string, origin: string): boolean => {
  try {
    return new URL(url).origin === origin
  } catch {
    return false
  }
}

/**
 * Builds the service over the `HttpClient` in context. Every option is checked first: a bad one
 * fails with a `ConfigError` naming it.
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
    const { baseUrl, settings, limits } = yield* Effect.fromResult(resolve(options))
    const origin = baseUrl.origin
    const userAgent = `effect-belvo/${version}${options.userAgent ? ` ${options.userAgent}` : ""}`
    const configured = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest((request) => {
        // A path is relative to the base URL; an absolute URL is kept as it is (and gets no
        // credentials unless it is on the configured origin).
        const located = ABSOLUTE.test(request.url)
          ? request
          : HttpClientRequest.prependUrl(request, baseUrl.href)
        const onBase = located.pipe(
          HttpClientRequest.acceptJson,
          HttpClientRequest.setHeader("User-Agent", userAgent)
        )
        // Credentials go to the configured origin only, whatever URL a caller supplies.
        return sameOrigin(onBase.url, origin)
          ? HttpClientRequest.basicAuth(onBase, options.secretId, options.secretPassword)
          : onBase
      }),
      HttpClient.transformResponse((response) =>
        Effect.flatMap(Effect.serviceOption(FetchHttpClient.RequestInit), (init) =>
          response.pipe(
            // Belvo does not redirect; fetch would follow one by itself, so it must not.
            Effect.provideService(FetchHttpClient.RequestInit, {
              ...Option.getOrElse(init, () => ({})),
              redirect: "manual"
            }),
            Effect.provideService(HttpClient.SpanNameGenerator, routeName),
            // A third-party API: no trace headers leave the process.
            Effect.provideService(HttpClient.TracerPropagationEnabled, false)
          )
        )
      )
    )
    const httpClient = options.transformClient ? options.transformClient(configured) : configured
    const rateLimit = limits.rateLimit
    // A RateLimiter in context (on a shared store, such as Redis) makes the limit one for every
    // process using that store; otherwise it is this client's own, in memory.
    const shared = yield* Effect.serviceOption(RateLimiter.RateLimiter)
    const limiter =
      rateLimit === undefined
        ? undefined
        : Option.isSome(shared)
          ? shared.value
          : yield* Effect.provide(RateLimiter.make, RateLimiter.layerStoreMemory)
    const key = options.rateLimit?.key ?? `effect-belvo:${origin}`
    const semaphore =
      limits.maxConcurrentRequests === undefined
        ? undefined
        : yield* Semaphore.make(limits.maxConcurrentRequests)
    // Takes `tokens` from the limit's fixed window; the answer says how long to wait (it never waits).
    const consume = (
      limiter: RateLimiter.RateLimiter,
      rateLimit: NonNullable<Limits["rateLimit"]>,
      tokens: number
    ) =>
      limiter.consume({
        key,
        limit: rateLimit.limit,
        window: rateLimit.interval,
        algorithm: "fixed-window",
        onExceeded: "delay",
        tokens
      })
    const withPermit = <A, E, R>(
      attempt: Effect.Effect<A, E, R>,
      route: { readonly method: string; readonly path: string } = { method: "", path: "" }
    ): Effect.Effect<A, E | BelvoError.TransportError, R> => {
      const capped = semaphore === undefined ? attempt : semaphore.withPermits(1)(attempt)
      if (limiter === undefined || rateLimit === undefined) return capped
      return consume(limiter, rateLimit, 1).pipe(
        Effect.mapError(
          (error) =>
            new BelvoError.TransportError({
              message: `${route.method} ${route.path} was not sent: the rate limiter's store failed: ${error.message}`,
              method: route.method,
              path: route.path,
              sent: false
            })
        ),
        Effect.flatMap(({ delay }) => (Duration.isZero(delay) ? capped : Effect.delay(capped, delay)))
      )
    }
    // After a 429, the rest of the window is spent (longer for a longer Retry-After), so every
    // client on the same limiter waits, not only the one that was refused.
    const backOff = (retryAfterMillis: number | null): Effect.Effect<void> => {
      if (limiter === undefined || rateLimit === undefined) return Effect.void
      const windowMillis = Duration.toMillis(rateLimit.interval)
      const windows = retryAfterMillis === null ? 1 : Math.max(1, Math.ceil(retryAfterMillis / windowMillis))
      return consume(limiter, rateLimit, rateLimit.limit * Math.min(windows, 60)).pipe(
        Effect.asVoid,
        Effect.catch((error) => Effect.logDebug(`rate limiter back-off not recorded: ${error.message}`))
      )
    }
    return BelvoClient.of({
      baseUrl,
      httpClient,
      settings,
      limits,
      redact: redactor(Redacted.value(options.secretId), Redacted.value(options.secretPassword)),
      withPermit,
      backOff
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
export const config: Config.Config<Options> = Config.all({
  secretId: explained(
    Config.Redacted("BELVO_SECRET_ID"),
    "BELVO_SECRET_ID is not set: set it to the secret id of your Belvo API keys (the dashboard's Developers section)"
  ),
  secretPassword: explained(
    Config.Redacted("BELVO_SECRET_PASSWORD"),
    "BELVO_SECRET_PASSWORD is not set: set it to the password of the same Belvo API keys as BELVO_SECRET_ID"
  ),
  environment: explained(
    Config.Literals(["sandbox", "production"], "BELVO_ENVIRONMENT").pipe(
      Config.withDefault("sandbox" as const)
    ),
    'BELVO_ENVIRONMENT must be "sandbox" or "production" (or unset, for sandbox)'
  ),
  baseUrl: Config.option(Config.String("BELVO_BASE_URL")).pipe(
    Config.mapEffect((url) =>
      Option.isNone(url)
        ? Effect.succeed(undefined)
        : Result.match(checkBaseUrl(url.value), {
            onSuccess: (valid) => Effect.succeed(valid.href),
            onFailure: (why) => Effect.fail(sourceError(`BELVO_BASE_URL ${why}; ${VALID_BASE_URL}`))
          })
    )
  )
}).pipe(Config.map(({ baseUrl, ...rest }): Options => (baseUrl === undefined ? rest : { ...rest, baseUrl })))

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
