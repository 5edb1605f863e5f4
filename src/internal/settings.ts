/**
 * Checks of the reliability settings, shared by the layer (a bad option is a `ConfigError`) and
 * by each call's overrides (a bad one is an `InvalidQuery`): whole numbers where counts are meant,
 * durations from 1 ms to a stated bound, so no setting can turn into a hot loop or a wait forever.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Result from "effect/Result"

/** The most retries a policy may ask for. */
export const maxRetriesLimit = 20

/** The longest a single retry delay may be. */
export const maxRetryDelay = Duration.hours(1)

/** The longest an attempt or call timeout may be. */
export const maxTimeout = Duration.days(1)

/** Whether `value` is a whole number from `min` to `max`. */
export const isWhole = (value: unknown, min: number, max: number): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max

/** A duration from 1 ms to `max`, or why not. */
export const checkDuration = (
  input: unknown,
  max: Duration.Duration
): Result.Result<Duration.Duration, string> => {
  const duration = Duration.fromInput(input as Duration.Input)
  if (Option.isNone(duration)) return Result.fail("is not a duration")
  if (!(Duration.toMillis(duration.value) >= 1)) return Result.fail("must be at least 1 millisecond")
  if (Duration.isGreaterThan(duration.value, max))
    return Result.fail(`must be at most ${Duration.format(max)}`)
  return Result.succeed(duration.value)
}

interface Policy {
  readonly maxRetries: number
  readonly baseDelay: Duration.Input
  readonly maxDelay: Duration.Input
  readonly maxRetryAfter: Duration.Input
  readonly jitter: boolean
}

/** Why a retry policy is not valid, or `undefined`. */
export const checkRetryPolicy = (policy: Policy | false): string | undefined => {
  if (policy === false) return undefined
  if (typeof policy !== "object" || policy === null) return "must be a retry policy or false"
  if (!isWhole(policy.maxRetries, 0, maxRetriesLimit)) {
    return `maxRetries must be a whole number from 0 to ${maxRetriesLimit}`
  }
  if (typeof policy.jitter !== "boolean") return "jitter must be true or false"
  const base = checkDuration(policy.baseDelay, maxRetryDelay)
  if (Result.isFailure(base)) return `baseDelay ${base.failure}`
  const max = checkDuration(policy.maxDelay, maxRetryDelay)
  if (Result.isFailure(max)) return `maxDelay ${max.failure}`
  const retryAfter = checkDuration(policy.maxRetryAfter, maxRetryDelay)
  if (Result.isFailure(retryAfter)) return `maxRetryAfter ${retryAfter.failure}`
  if (Duration.isLessThan(max.success, base.success)) return "maxDelay must not be shorter than baseDelay"
  return undefined
}
