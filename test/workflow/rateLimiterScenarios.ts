/**
 * Scenarios for comparing `RateLimiterStore`s: a few keys per algorithm, each with its own settings,
 * and a sequence of operations on them with time moving in between. A scenario runs on a `Leg` (a
 * store and a way to move its clock) and yields one answer per step, so the answers of two stores
 * to the same scenario can be compared step by step.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as RateLimiter from "effect/persistence/RateLimiter"
import * as fc from "fast-check"

export interface FixedKey {
  /** Milliseconds per token (a window over its limit). */
  readonly refill: number
  /** The limit the store checks (`onExceeded: "fail"`), or none (`"delay"`). */
  readonly limit: number | undefined
  /** The most tokens one step takes (at most the limit, as `RateLimiter.consume` asks). */
  readonly maxTokens: number
}

export interface BucketKey {
  readonly refill: number
  readonly limit: number
  readonly overflow: boolean
}

export interface AdaptiveKey {
  readonly fallbackWindow: number
  readonly fallbackLimit: number
}

export type Step =
  | { readonly _tag: "fixedWindow"; readonly key: number; readonly tokens: number }
  | { readonly _tag: "tokenBucket"; readonly key: number; readonly tokens: number }
  | { readonly _tag: "adaptiveConsume"; readonly key: number; readonly tokens: number }
  | {
      readonly _tag: "adaptiveFeedback"
      readonly key: number
      /** Which epoch the feedback is for: the key's latest consume's, the one before it, or 0. */
      readonly epoch: "latest" | "stale" | "zero"
      readonly tokens: number
      readonly status: number
      readonly retryAfter: number | undefined
    }
  | { readonly _tag: "advance"; readonly millis: number }

export interface Scenario {
  readonly fixed: ReadonlyArray<FixedKey>
  readonly buckets: ReadonlyArray<BucketKey>
  readonly adaptive: ReadonlyArray<AdaptiveKey>
  readonly steps: ReadonlyArray<Step>
}

export type Answer =
  | { readonly fixedWindow: readonly [count: number, ttl: number] }
  | { readonly tokenBucket: readonly [remaining: number, elapsed: number] }
  | { readonly adaptiveConsume: { readonly delay: number; readonly epoch: number; readonly phase: string } }
  | null

/** A store under test, with its clock: `advance` moves the time the store sees. */
export interface Leg {
  readonly store: RateLimiter.RateLimiterStore["Service"]
  readonly advance: (millis: number) => Effect.Effect<void, unknown>
}

/** Runs `scenario` on `leg`, keys prefixed with `prefix`: one answer per step. */
export const runScenario = (scenario: Scenario, leg: Leg, prefix: string) =>
  Effect.gen(function* () {
    const answers: Array<Answer> = []
    const epochs = scenario.adaptive.map(() => 0)
    for (const step of scenario.steps) {
      switch (step._tag) {
        case "fixedWindow": {
          const key = scenario.fixed[step.key]!
          const answer = yield* leg.store.fixedWindow({
            key: `${prefix}fw-${step.key}`,
            tokens: Math.min(step.tokens, key.maxTokens),
            refillRate: Duration.millis(key.refill),
            limit: key.limit
          })
          answers.push({ fixedWindow: answer })
          break
        }
        case "tokenBucket": {
          const key = scenario.buckets[step.key]!
          const answer = yield* leg.store.tokenBucket({
            key: `${prefix}tb-${step.key}`,
            tokens: Math.min(step.tokens, key.limit),
            limit: key.limit,
            refillRate: Duration.millis(key.refill),
            allowOverflow: key.overflow
          })
          answers.push({ tokenBucket: answer })
          break
        }
        case "adaptiveConsume": {
          const key = scenario.adaptive[step.key]!
          const answer = yield* leg.store.adaptiveConsume({
            key: `${prefix}ad-${step.key}`,
            tokens: step.tokens,
            fallbackLimit: key.fallbackLimit,
            fallbackWindow: Duration.millis(key.fallbackWindow)
          })
          epochs[step.key] = answer.epoch
          answers.push({
            adaptiveConsume: {
              delay: Duration.toMillis(answer.delay),
              epoch: answer.epoch,
              phase: answer.phase
            }
          })
          break
        }
        case "adaptiveFeedback": {
          const latest = epochs[step.key]!
          const epoch = step.epoch === "zero" ? 0 : step.epoch === "latest" ? latest : latest - 1
          yield* leg.store.adaptiveFeedback({
            key: `${prefix}ad-${step.key}`,
            epoch,
            tokens: step.tokens,
            status: step.status,
            retryAfter: step.retryAfter === undefined ? undefined : Duration.millis(step.retryAfter)
          })
          answers.push(null)
          break
        }
        case "advance": {
          if (step.millis > 0) yield* leg.advance(step.millis)
          answers.push(null)
          break
        }
      }
    }
    return answers
  })

const key = fc.nat({ max: 1 })

interface Units {
  /** Milliseconds per token of the fixed windows and buckets. */
  readonly refill: fc.Arbitrary<number>
  readonly limit: fc.Arbitrary<number>
  readonly fallbackWindow: fc.Arbitrary<number>
  readonly advance: fc.Arbitrary<number>
  readonly retryAfter: fc.Arbitrary<number | undefined>
  readonly adaptiveTokens: fc.Arbitrary<number>
}

const scenarioOf = (units: Units, maxSteps: number): fc.Arbitrary<Scenario> => {
  const feedback = fc.record({
    _tag: fc.constant("adaptiveFeedback" as const),
    key,
    epoch: fc.constantFrom("latest" as const, "latest" as const, "stale" as const, "zero" as const),
    tokens: units.adaptiveTokens,
    status: fc.constantFrom(429, 429, 429, 503),
    retryAfter: units.retryAfter
  })
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ _tag: fc.constant("fixedWindow" as const), key, tokens: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ _tag: fc.constant("tokenBucket" as const), key, tokens: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ _tag: fc.constant("adaptiveConsume" as const), key, tokens: units.adaptiveTokens }),
    feedback,
    fc.record({ _tag: fc.constant("advance" as const), millis: units.advance })
  )
  // What a server's 429s do to one key, so that generated runs reach every phase: a 429, time
  // passing (past its Retry-After or not), requests while learning, the 429 that ends learning,
  // then requests at the learned rate (with time passing among them).
  const episode: fc.Arbitrary<ReadonlyArray<Step>> = fc
    .record({
      key,
      first: feedback,
      wait: fc.array(units.advance, { minLength: 1, maxLength: 2 }),
      pastRetryAfter: fc.boolean(),
      learning: fc.array(units.adaptiveTokens, { minLength: 1, maxLength: 4 }),
      late: fc.option(feedback, { nil: undefined }),
      second: feedback,
      learned: fc.array(
        fc.oneof(
          units.adaptiveTokens,
          units.advance.map((millis) => -millis - 1)
        ),
        {
          maxLength: 8
        }
      )
    })
    .map(({ key, first, wait, pastRetryAfter, learning, late, second, learned }) => [
      { ...first, key, status: 429, epoch: "latest" },
      ...(pastRetryAfter ? [first.retryAfter ?? 0, ...wait] : wait).map((millis) => ({
        _tag: "advance" as const,
        millis
      })),
      ...learning.map((tokens) => ({ _tag: "adaptiveConsume" as const, key, tokens })),
      // A 429 to a request sent before the cooldown: it says nothing about the new rate.
      ...(late === undefined ? [] : [{ ...late, key, status: 429, epoch: "stale" as const }]),
      { ...second, key, status: 429, epoch: "latest" },
      ...learned.map((n) =>
        n < 0
          ? { _tag: "advance" as const, millis: -n - 1 }
          : { _tag: "adaptiveConsume" as const, key, tokens: n }
      )
    ])
  return fc.record({
    fixed: fc.tuple(
      ...[0, 1].map(() =>
        fc
          .record({ refill: units.refill, limit: units.limit, fail: fc.boolean() })
          .map(({ refill, limit, fail }) => ({ refill, limit: fail ? limit : undefined, maxTokens: limit }))
      )
    ),
    buckets: fc.tuple(
      ...[0, 1].map(() => fc.record({ refill: units.refill, limit: units.limit, overflow: fc.boolean() }))
    ),
    adaptive: fc.tuple(
      ...[0, 1].map(() => fc.record({ fallbackWindow: units.fallbackWindow, fallbackLimit: units.limit }))
    ),
    steps: fc
      .array(
        fc.oneof({ weight: 4, arbitrary: step.map((one) => [one]) }, { weight: 1, arbitrary: episode }),
        { minLength: 1, maxLength: Math.ceil(maxSteps / 4) }
      )
      .map((parts) => parts.flat().slice(0, maxSteps))
  })
}

/**
 * Any scenario: fractional milliseconds per token (a window of 1 to 5,000 ms over 1 to 10),
 * Retry-After from none to over the hour the adaptive state caps it at, time moving by anything
 * from a millisecond to past the adaptive state's minute of grace.
 */
export const anyScenario: fc.Arbitrary<Scenario> = scenarioOf(
  {
    refill: fc
      .record({ window: fc.integer({ min: 1, max: 5_000 }), over: fc.integer({ min: 1, max: 10 }) })
      .map(({ window, over }) => window / over),
    limit: fc.integer({ min: 1, max: 10 }),
    fallbackWindow: fc.integer({ min: 1, max: 5_000 }),
    advance: fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 50 }) },
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 3_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 55_000, max: 70_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 3_500_000, max: 3_800_000 }) }
    ),
    retryAfter: fc.oneof(
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 5_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 3_500_000, max: 3_800_000 }) }
    ),
    adaptiveTokens: fc.integer({ min: 1, max: 3 })
  },
  40
)

/**
 * The unit of time of {@link gridScenario}: divisible by every whole number up to 12, so a learned
 * window (a sum of units) over a learned limit (at most 12 tokens) is whole milliseconds too.
 */
export const UNIT = 27_720

/**
 * Scenarios on which Effect's Redis store must answer exactly as its memory store: whole
 * milliseconds everywhere (its scripts round state to whole milliseconds and store numbers as
 * text), time moving by whole units, and every store deadline a divisor of a unit or a unit plus
 * the adaptive state's minute of grace, so none falls within 4.5 s of a moment a step happens at.
 * Redis's own expiry runs on its wall clock; a few milliseconds of it pass during a run.
 */
export const gridScenario: fc.Arbitrary<Scenario> = scenarioOf(
  {
    refill: fc.integer({ min: 1, max: 6 }).map((d) => UNIT / d),
    limit: fc.integer({ min: 1, max: 5 }),
    fallbackWindow: fc.integer({ min: 1, max: 3 }).map((k) => k * UNIT),
    advance: fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0, max: 3 }).map((k) => k * UNIT) },
      { weight: 1, arbitrary: fc.integer({ min: 4, max: 140 }).map((k) => k * UNIT) }
    ),
    retryAfter: fc.oneof(
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 3 }).map((k) => k * UNIT) }
    ),
    adaptiveTokens: fc.constant(1)
  },
  30
).map((scenario) => {
  // At most 12 consumes per adaptive key, so a learned limit stays at most 12.
  const consumes = [0, 0]
  const steps = scenario.steps.filter(
    (step) => step._tag !== "adaptiveConsume" || ++consumes[step.key]! <= 12
  )
  return { ...scenario, steps }
})
