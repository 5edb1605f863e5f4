/**
 * The sync's metrics (effect-belvo/workflow's `SyncMetrics`), recorded by `LinkSync` on each runner
 * into the same registry as the client's, so the exporters of examples/observability.ts serve them
 * too. Here: what an on-call check reads from them.
 */
import { Effect, Metric } from "effect"
import { SyncMetrics } from "../src/workflow/index.js"

// One series of a counter: its attributes name it, bounded values only (an outcome, a step).
export const countOf = (counter: Metric.Counter<number>, attributes: Readonly<Record<string, string>>) =>
  Effect.map(Metric.value(Metric.withAttributes(counter, attributes)), (state) => state.count)

// Syncs that need a person to look at them (OutcomeUnknown: check the link by hand), and what the
// re-sends cost: each spent one more of a person's monthly retrievals; a refused one ended its sync.
export const syncHealth = Effect.all({
  succeeded: countOf(SyncMetrics.finished, { "belvo.outcome": "succeeded" }),
  outcomeUnknown: countOf(SyncMetrics.finished, { "belvo.outcome": "OutcomeUnknown" }),
  recovered: countOf(SyncMetrics.recoveries, { "belvo.step": "retrieve" }),
  resent: Effect.map(
    Effect.all([
      countOf(SyncMetrics.resends, { "belvo.step": "retrieve" }),
      countOf(SyncMetrics.resends, { "belvo.step": "resume" })
    ]),
    ([retrieve, resume]) => retrieve + resume
  ),
  resendsRefused: countOf(SyncMetrics.budgetRefusals, { "belvo.reservation": "resend" })
})
