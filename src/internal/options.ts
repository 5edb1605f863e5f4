/**
 * The client's options checked and resolved: the base URL (https, or http on loopback; no
 * credentials, query or fragment), timeouts, the retry policy, the body limit and the limits, each
 * with a `ConfigError` naming the option and what a valid value looks like. A refused base URL is
 * never repeated in the error: it may hold a secret.
 *
 * @internal
 */
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Result from "effect/Result"
import type { Options, RetryPolicy, Settings } from "../BelvoClient.js"
import * as Checks from "./settings.js"

/** Belvo's environments and their base URLs. */
export const environments = {
  sandbox: "https://sandbox.belvo.com",
  production: "https://api.belvo.com"
} as const

/** The default retry policy: 0.5 s doubling with jitter, capped at 8 s, 3 retries, `Retry-After` up to 60 s. */
export const defaultRetryPolicy: RetryPolicy = {
  maxRetries: 3,
  baseDelay: Duration.millis(500),
  maxDelay: Duration.seconds(8),
  maxRetryAfter: Duration.seconds(60),
  jitter: true
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"])

export const VALID_BASE_URL =
  'a valid one looks like "https://sandbox.belvo.com" (or "http://127.0.0.1:8787" for a local sandbox)'

/**
 * A `ConfigError` that reads as what is wrong and what to do. Effect's own says `SourceError: `
 * before it, and its printer shows the cause's stack under it; the cause here has none, so a
 * failed program prints the explanation, and the cause once more, bare.
 */
class ExplainedConfigError extends Config.ConfigError {
  override get message(): string {
    return this.cause.message
  }
}

/** A `ConfigError` with `message` alone: what is wrong and what to do. */
export const sourceError = (message: string): Config.ConfigError => {
  const source = new ConfigProvider.SourceError({ message })
  source.stack = `SourceError: ${message}`
  return new ExplainedConfigError(source)
}

const invalidOption = (option: string, why: string): Config.ConfigError =>
  sourceError(`BelvoClient option ${option} ${why}`)

/** A base URL checked and normalized (a trailing slash on its path), or why it is refused. */
export const checkBaseUrl = (input: string | URL): Result.Result<URL, string> => {
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

/** The `baseUrl` option checked, as a `ConfigError` naming it. */
export const validateBaseUrl = (input: string | URL): Result.Result<URL, Config.ConfigError> =>
  Result.mapError(checkBaseUrl(input), (why) => invalidOption("baseUrl", `${why}; ${VALID_BASE_URL}`))

/** The options checked and resolved, or a `ConfigError` naming the first bad one. */
export const resolve = (
  options: Options
): Result.Result<{ readonly baseUrl: URL; readonly settings: Settings }, Config.ConfigError> =>
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
    let rateLimit: Settings["rateLimit"]
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
      const key = options.rateLimit.key ?? `effect-belvo:${baseUrl.origin}`
      if (typeof key !== "string" || key.length === 0 || key.length > 200) {
        return yield* Result.fail(invalidOption("rateLimit.key", "must be a string of 1 to 200 characters"))
      }
      rateLimit = { limit: options.rateLimit.limit, interval, key }
    }
    return {
      baseUrl,
      settings: {
        attemptTimeout,
        callTimeout,
        retry,
        maxResponseBytes,
        rateLimit,
        maxConcurrentRequests: options.maxConcurrentRequests
      }
    }
  })
