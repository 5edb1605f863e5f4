/**
 * How a link's sync can fail, beside the API's own errors: the person's monthly budget is spent, a
 * request's outcome is unknown after a crash (and it could not be re-sent), the token never came
 * before the challenge expired, a page could not be delivered, or the sync's own store failed.
 * All are `Schema.TaggedError`s, so a workflow engine can store them and hand them back intact.
 *
 * @since 1.0.0
 */
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as BelvoError from "../BelvoError.js"

/**
 * A person's CPF or CNPJ as it may be shown: all but its last two characters masked
 * (`"12345678900"` is `"*********00"`), so a log line can still tell two people apart without
 * naming either.
 *
 * @example
 * ```ts
 * import { SyncError } from "effect-belvo/workflow"
 *
 * console.log(SyncError.maskPerson("12345678900")) // "*********00"
 * ```
 *
 * @since 1.1.0
 * @category formatting
 */
export const maskPerson = (person: string): string =>
  person.length <= 4 ? "*".repeat(person.length) : `${"*".repeat(person.length - 2)}${person.slice(-2)}`

/**
 * The person's retrievals for the month are spent: Open Finance Brazil caps balance retrievals per
 * person (CPF/CNPJ) per month, across every application on the same certificate. Nothing was sent.
 *
 * The CPF or CNPJ is personal data (LGPD): `person` is `Redacted`, so printing, logging or
 * `JSON.stringify`-ing the error shows `<redacted>`, and the message shows it masked. Read it on
 * purpose with `Redacted.value`. The engine stores the error with the value, as it stores the
 * payload.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { LinkSync } from "effect-belvo/workflow"
 *
 * declare const notifyCustomerSupport: (cpf: string, month: string) => Effect.Effect<void>
 *
 * const sync = LinkSync.start({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058", run: "2026-11-30", person: "12345678900" }).pipe(
 *   Effect.tapErrorTag("BudgetSpent", (error) => Effect.logWarning(error.message)), // "… budget of *********00 for 2026-11 …"
 *   Effect.catchTag("BudgetSpent", (error) => notifyCustomerSupport(Redacted.value(error.person), error.month))
 * )
 * ```
 *
 * @since 1.0.0
 * @category errors
 */
export class BudgetSpent extends Schema.TaggedError<BudgetSpent>()("BudgetSpent", {
  /** The CPF or CNPJ, `Redacted` (encoded as its value, for the engine's storage). Since 1.1.0 `Redacted`. */
  person: Schema.RedactedFromValue(Schema.String, { label: "person" }),
  month: Schema.String,
  used: Schema.Number,
  limit: Schema.Number
}) {
  override get message(): string {
    return `The monthly retrieval budget of ${maskPerson(Redacted.value(this.person))} for ${this.month} is spent (${this.used} of ${this.limit}); nothing was sent`
  }
}

/**
 * A retrieve (POST) or resume (PATCH) may have reached Belvo before its process stopped, and its
 * answer was lost with it; nothing stored since tells what it did. Sending it again could store
 * the data twice (or spend a single-use token), so the sync stops and says so: list the link's
 * balances to see what Belvo stored.
 *
 * Since 1.1.0 a sync re-sends such a request once, as a fresh retrieve (`LinkSync.Settings.resend`,
 * `"once"` by default), and ends with this error only when it could not: `resend` says why.
 * `"never"`: the setting forbids it; `"budget"`: the person's monthly budget refused the one more
 * retrieval it costs; `"spent"`: the sync's one re-send was already claimed (its answer lost too,
 * or an earlier step used it). An error stored by 1.0 has no `resend`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { LinkSync } from "effect-belvo/workflow"
 *
 * const sync = LinkSync.start({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058", run: "2026-11-30" }).pipe(
 *   Effect.tapErrorTag("OutcomeUnknown", (error) =>
 *     Effect.logError(`check ${error.link}: ${error.step} may have been sent (re-send: ${error.resend ?? "none"})`)
 *   )
 * )
 * ```
 *
 * @since 1.0.0
 * @category errors
 */
export class OutcomeUnknown extends Schema.TaggedError<OutcomeUnknown>()("OutcomeUnknown", {
  link: Schema.String,
  step: Schema.String,
  /** Why the request was not re-sent (since 1.1.0; absent in errors stored by 1.0). */
  resend: Schema.optionalKey(Schema.Literals(["never", "budget", "spent"]))
}) {
  override get message(): string {
    const lost = `The ${this.step} of link ${this.link} may have reached Belvo before its process stopped`
    switch (this.resend) {
      case "never":
        return `${lost}; it is not sent again (LinkSync.Settings.resend is "never")`
      case "budget":
        return `${lost}; its re-send was refused by the person's monthly retrieval budget, so nothing was sent again`
      case "spent":
        return `${lost}; the sync's one re-send was already claimed (its answer lost too, or used by an earlier step), so it is not sent again`
      default:
        return `${lost}; it is not sent again`
    }
  }
}

/**
 * No token (nor "no token needed") came before the MFA challenge expired.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { LinkSync } from "effect-belvo/workflow"
 *
 * const sync = LinkSync.start({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058", run: "2026-11-30" }).pipe(
 *   Effect.catchTag("TokenTimedOut", () => Effect.logWarning("ask the person again tomorrow"))
 * )
 * ```
 *
 * @since 1.0.0
 * @category errors
 */
export class TokenTimedOut extends Schema.TaggedError<TokenTimedOut>()("TokenTimedOut", {
  link: Schema.String,
  round: Schema.Number,
  expiresAt: Schema.String
}) {
  override get message(): string {
    return `No MFA token for link ${this.link} (round ${this.round}) came before the challenge expired at ${this.expiresAt}`
  }
}

/**
 * There is no challenge waiting for a token under that sync (it never asked, already got one, or
 * ended).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { LinkSync } from "effect-belvo/workflow"
 *
 * const answer = LinkSync.answer({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058", run: "2026-11-30" }, "123456").pipe(
 *   Effect.catchTag("NoPendingChallenge", () => Effect.succeed("nothing to answer"))
 * )
 * ```
 *
 * @since 1.0.0
 * @category errors
 */
export class NoPendingChallenge extends Schema.TaggedError<NoPendingChallenge>()("NoPendingChallenge", {
  executionId: Schema.String
}) {
  override get message(): string {
    return `No MFA challenge is waiting for a token in sync ${this.executionId}`
  }
}

/**
 * The page sink failed to take a page; the sync stops at that page and can be started again (the
 * pages already delivered are not delivered twice).
 *
 * @example
 * ```ts
 * import { PageSink, SyncError } from "effect-belvo/workflow"
 * import { Effect } from "effect"
 *
 * const sink = PageSink.make((delivery) =>
 *   delivery.balances.length > 0 ? Effect.void : Effect.fail(new SyncError.SinkFailed({ key: delivery.key, reason: "empty page" }))
 * )
 * ```
 *
 * @since 1.0.0
 * @category errors
 */
export class SinkFailed extends Schema.TaggedError<SinkFailed>()("SinkFailed", {
  key: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `The page sink refused ${this.key}: ${this.reason}`
  }
}

/**
 * The sync's own store (claims, budgets, pending challenges) failed: a database or a connection.
 *
 * @example
 * ```ts
 * import { SyncError } from "effect-belvo/workflow"
 *
 * const error = new SyncError.StoreFailed({ operation: "claim", reason: "connection refused" })
 * console.log(error.message) // "The sync store failed to claim: connection refused"
 * ```
 *
 * @since 1.0.0
 * @category errors
 */
export class StoreFailed extends Schema.TaggedError<StoreFailed>()("StoreFailed", {
  operation: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `The sync store failed to ${this.operation}: ${this.reason}`
  }
}

/**
 * Every error a link's sync can end with: those above and every `BelvoError`, as one schema a
 * workflow engine stores and reads back.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { SyncError } from "effect-belvo/workflow"
 *
 * const stored = Schema.encodeSync(SyncError.SyncError)(new SyncError.OutcomeUnknown({ link: "l", step: "retrieve" }))
 * console.log(stored._tag) // "OutcomeUnknown"
 * ```
 *
 * @since 1.0.0
 * @category schemas
 */
export const SyncError = Schema.Union([
  BudgetSpent,
  OutcomeUnknown,
  TokenTimedOut,
  SinkFailed,
  StoreFailed,
  ...BelvoError.BelvoError.members
])

/**
 * The type of {@link SyncError}.
 *
 * @example
 * ```ts
 * import type { SyncError } from "effect-belvo/workflow"
 *
 * const retryable = (error: SyncError.SyncError): boolean => error._tag === "TooManyRequests" || error._tag === "StoreFailed"
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export type SyncError = typeof SyncError.Type
