/**
 * The metrics `LinkSync` records, beside the client's own (`Metrics` of `effect-belvo`): syncs
 * finished by outcome, steps run again after their process stopped, how many of those went on from
 * the balances Belvo stored, requests re-sent, and budget reservations refused. Effect `Metric`
 * counters, in the registry of the runner's context, served by any Effect exporter.
 *
 * Each event is counted once, where it happens once: inside the step (activity) that does it, whose
 * result the engine records and hands back on every replay without running it again, or at the
 * end of the sync, which only the run that ends it reaches (a replay that suspends again never gets
 * there). A step counted again is a step that really ran again, after its process stopped.
 *
 * Attributes are bounded: an outcome is `succeeded` or an error's tag, a step `retrieve` or
 * `resume`; no link, person, run or execution id is ever an attribute.
 *
 * @since 1.1.0
 */
import * as Metric from "effect/Metric"

/**
 * Syncs that ended, attribute `belvo.outcome`: `succeeded`, or the tag of the error the sync ended
 * with (`BudgetSpent`, `OutcomeUnknown`, `TokenTimedOut`, `SinkFailed`, `StoreFailed`, or a
 * `BelvoError`'s tag such as `TokenRequired` after too many MFA rounds). A sync still waiting for a
 * token is not counted until it ends.
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { SyncMetrics } from "effect-belvo/workflow"
 *
 * const unknown = Metric.value(Metric.withAttributes(SyncMetrics.finished, { "belvo.outcome": "OutcomeUnknown" }))
 * ```
 *
 * @since 1.1.0
 * @category metrics
 */
export const finished: Metric.Counter<number> = Metric.counter("belvo.sync.finished", {
  description: "Link syncs that ended, by outcome: succeeded or the error's tag",
  incremental: true
})

/**
 * Steps run again after their process stopped: a retrieve or resume that found its claim taken by
 * an earlier execution (attribute `belvo.step`: `retrieve` or `resume`). Each one then recovered
 * ({@link recoveries}), was re-sent ({@link resends}) or ended the sync `OutcomeUnknown`.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { SyncMetrics } from "effect-belvo/workflow"
 *
 * const reruns = Effect.map(Metric.value(SyncMetrics.reruns), (state) => state.count)
 * ```
 *
 * @since 1.1.0
 * @category metrics
 */
export const reruns: Metric.Counter<number> = Metric.counter("belvo.sync.reruns", {
  description: "Retrieves and resumes run again after their process stopped (their claim was taken)",
  incremental: true
})

/**
 * Re-runs that went on from the balances Belvo stored since the lost request was claimed, sending
 * nothing (attribute `belvo.step`: `retrieve` or `resume`).
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { SyncMetrics } from "effect-belvo/workflow"
 *
 * const recovered = Metric.value(Metric.withAttributes(SyncMetrics.recoveries, { "belvo.step": "retrieve" }))
 * ```
 *
 * @since 1.1.0
 * @category metrics
 */
export const recoveries: Metric.Counter<number> = Metric.counter("belvo.sync.recoveries", {
  description: "Re-runs that went on from balances stored since the lost request, sending nothing",
  incremental: true
})

/**
 * Requests re-sent as a fresh retrieve after an answer was lost with nothing to recover from
 * (`LinkSync.Settings.resend`), counted as each goes out; attribute `belvo.step`: the step whose
 * answer was lost, `retrieve` or `resume`. Each spent one more of the person's monthly retrievals.
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { SyncMetrics } from "effect-belvo/workflow"
 *
 * const afterLostResumes = Metric.value(Metric.withAttributes(SyncMetrics.resends, { "belvo.step": "resume" }))
 * ```
 *
 * @since 1.1.0
 * @category metrics
 */
export const resends: Metric.Counter<number> = Metric.counter("belvo.sync.resends", {
  description: "Requests re-sent as a fresh retrieve after their answer was lost",
  incremental: true
})

/**
 * Budget reservations refused, nothing sent: attribute `belvo.reservation`: `retrieve` (the sync's
 * own retrieval; the sync ends `BudgetSpent`) or `resend` (the one more a re-send needs; the sync
 * ends `OutcomeUnknown`).
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { SyncMetrics } from "effect-belvo/workflow"
 *
 * const spent = Metric.value(Metric.withAttributes(SyncMetrics.budgetRefusals, { "belvo.reservation": "retrieve" }))
 * ```
 *
 * @since 1.1.0
 * @category metrics
 */
export const budgetRefusals: Metric.Counter<number> = Metric.counter("belvo.sync.budget.refusals", {
  description: "Monthly budget reservations refused (nothing sent): a sync's retrieve or a re-send",
  incremental: true
})

/**
 * Every metric of this module, for a dashboard's list or a test.
 *
 * @example
 * ```ts
 * import { SyncMetrics } from "effect-belvo/workflow"
 *
 * console.log(SyncMetrics.all.map((metric) => metric.id)) // ["belvo.sync.finished", "belvo.sync.reruns", …]
 * ```
 *
 * @since 1.1.0
 * @category metrics
 */
export const all: ReadonlyArray<Metric.Metric<number, unknown>> = [
  finished,
  reruns,
  recoveries,
  resends,
  budgetRefusals
]
