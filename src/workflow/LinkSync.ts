/**
 * The sync of one link, as a durable workflow (effect/workflow): retrieve its balances, answer the
 * MFA challenges with tokens that may come from any process hours later, then optionally list the
 * stored balances into a sink, page by page. Every step is an activity the engine records, so a
 * sync survives a crash or a deploy and resumes where it stopped, on any runner.
 *
 * - The execution id is derived from the payload: starting the same sync twice joins the first.
 * - A person's monthly retrieval budget is reserved before the retrieve, once per sync.
 * - A retrieve (POST) or resume (PATCH) is claimed as it goes out (after waiting for the client's
 *   rate limit): after a crash, one whose answer was lost is never sent again as it was. If
 *   balances of the link were stored since the claim, the sync goes on from them. Otherwise, by
 *   default ({@link SettingsShape} `resend: "once"`), the sync re-sends once: a fresh retrieve
 *   (POST), claimed in its turn, after reserving one more of the person's monthly retrievals (the
 *   budget is never overspent: refused, nothing is sent). A lost resume is re-sent the same way,
 *   never as a PATCH of its old session; a new challenge is the next MFA round. One re-send per
 *   sync; when it cannot re-send (`resend: "never"`, the budget refused, the re-send's own answer
 *   lost too) the sync reports `OutcomeUnknown`.
 * - The summary counts the re-sends (`resent`), the store records them (`SyncStore.resends`), and
 *   the counters of `SyncMetrics` count syncs by outcome, re-runs, recoveries, re-sends and budget
 *   refusals.
 * - A challenge waits for {@link answer} (a token, or none), raced against its expiry on the
 *   engine's durable clock; {@link pending} lists the waiting ones for a web app.
 *
 * Runs on `WorkflowEngine.layerMemory` in one process ({@link layerEmbedded}), or on
 * `ClusterWorkflowEngine` across processes (docs/scale.md).
 *
 * @since 1.0.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Activity from "effect/workflow/Activity"
import * as DurableClock from "effect/workflow/DurableClock"
import * as DurableDeferred from "effect/workflow/DurableDeferred"
import * as Workflow from "effect/workflow/Workflow"
import * as WorkflowEngine from "effect/workflow/WorkflowEngine"
import * as Balances from "../Balances.js"
import type { BelvoClient } from "../BelvoClient.js"
import * as BelvoError from "../BelvoError.js"
import { Uuid } from "../internal/uuid.js"
import * as MfaChallenge from "../MfaChallenge.js"
import * as Sink from "./PageSink.js"
import * as SyncMetrics from "./SyncMetrics.js"
import { PageSink } from "./PageSink.js"
import {
  BudgetSpent,
  NoPendingChallenge,
  OutcomeUnknown,
  type StoreFailed,
  SyncError,
  TokenTimedOut
} from "./SyncError.js"
import * as Store from "./SyncStore.js"
import { SyncStore } from "./SyncStore.js"

/**
 * What to sync: the link, a `run` naming this sync (a date for a nightly job, say: a new run is a
 * new sync, the same run joins the running one), and optionally one account, `save_data`, the
 * person whose monthly budget it spends, and what to list afterwards.
 *
 * @example
 * ```ts
 * import type { LinkSync } from "effect-belvo/workflow"
 *
 * const nightly: LinkSync.Payload = {
 *   link: "c81a1dea-6dd6-4999-8b9f-541ee8197058",
 *   run: "2026-11-30",
 *   person: "12345678900",
 *   list: { collected_at__gte: "2026-11-30" }
 * }
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export const Payload = Schema.Struct({
  link: Uuid,
  run: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(100)),
  account_id: Schema.optionalKey(Uuid),
  save_data: Schema.optionalKey(Schema.Boolean),
  /** The person (CPF/CNPJ) whose monthly budget the retrieve spends; none: no budget is kept. */
  person: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(100))),
  /** List the link's stored balances into the `PageSink` after the retrieve. */
  list: Schema.optionalKey(
    Schema.Struct({
      collected_at__gte: Schema.optionalKey(Schema.String)
    })
  )
})

/**
 * The type of {@link Payload}.
 *
 * @example
 * ```ts
 * import type { LinkSync } from "effect-belvo/workflow"
 *
 * const payload: LinkSync.Payload = { link: "c81a1dea-6dd6-4999-8b9f-541ee8197058", run: "2026-11-30" }
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export type Payload = typeof Payload.Type

/**
 * What a finished sync reports: the status and count of the balances retrieved, the MFA rounds
 * answered, the pages and balances listed, and (since 1.1.0) how many requests the sync re-sent
 * after losing an answer (`resent`, 0 or 1; a summary stored by 1.0 decodes with 0).
 *
 * @example
 * ```ts
 * import type { LinkSync } from "effect-belvo/workflow"
 *
 * const line = (summary: LinkSync.Summary) =>
 *   `${summary.link}: ${summary.retrieved} retrieved after ${summary.rounds} MFA rounds, ${summary.listed} listed in ${summary.pages} pages`
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export const Summary = Schema.Struct({
  link: Schema.String,
  run: Schema.String,
  status: Schema.Literals([200, 201]),
  retrieved: Schema.Number,
  rounds: Schema.Number,
  pages: Schema.Number,
  listed: Schema.Number,
  /** Requests re-sent after a lost answer (`Settings.resend`). Since 1.1.0; absent in 1.0's summaries: 0. */
  resent: Schema.Number.pipe(Schema.withDecodingDefaultKey(Effect.succeed(0)))
})

/**
 * The type of {@link Summary}.
 *
 * @example
 * ```ts
 * import type { LinkSync } from "effect-belvo/workflow"
 *
 * const stored = (summary: LinkSync.Summary): boolean => summary.status === 201
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export type Summary = typeof Summary.Type

/**
 * The workflow definition: its execution id comes from the payload, so the same payload always
 * names the same sync.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { LinkSync } from "effect-belvo/workflow"
 *
 * const id = LinkSync.LinkSync.executionId({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058", run: "2026-11-30" })
 * const status = Effect.flatMap(id, (executionId) => LinkSync.LinkSync.poll(executionId))
 * ```
 *
 * @since 1.0.0
 * @category workflows
 */
export const LinkSync = Workflow.make("effect-belvo/LinkSync", {
  payload: Payload,
  success: Summary,
  error: SyncError,
  // A caller waiting on a runner that does not own the sync checks again this often (the engine's
  // default backs off to 30 s, so a finished sync could go unnoticed that long).
  suspendedRetrySchedule: Schedule.spaced("1 second"),
  idempotencyKey: (payload) =>
    JSON.stringify([
      payload.link,
      payload.run,
      payload.account_id ?? null,
      payload.save_data ?? true,
      payload.person ?? null,
      payload.list ?? null
    ])
})

/**
 * What a sync uses beside its payload: the monthly budget per person (420 retrievals, Open Finance
 * Brazil's cap at the time of writing), the most MFA rounds it answers (3), the page size of its
 * listing (1000), the most pages it lists (10,000), and what a re-run does with a request whose
 * answer was lost when nothing stored since tells its outcome (`resend`, since 1.1.0):
 *
 * - `"once"` (the default; also when absent): send a fresh retrieve (POST), once per sync. It
 *   costs one more of the person's monthly retrievals (reserved first: if the budget is spent,
 *   nothing is sent and the sync ends `OutcomeUnknown`), and for an MFA link it opens a new session:
 *   the person is asked for a token again.
 * - `"never"`: send nothing; the sync ends `OutcomeUnknown` (1.0's behaviour).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { LinkSync } from "effect-belvo/workflow"
 *
 * const stricter = Effect.provideService(LinkSync.Settings, { ...LinkSync.defaultSettings, monthlyBudget: 100 })
 * ```
 *
 * @since 1.0.0
 * @category settings
 */
export interface SettingsShape {
  readonly monthlyBudget: number
  readonly maxRounds: number
  readonly pageSize: number
  readonly maxPages: number
  /** A lost request with nothing stored since: re-sent `"once"` (the default) or `"never"`. Since 1.1.0. */
  readonly resend?: "once" | "never"
}

/**
 * The default {@link SettingsShape}.
 *
 * @example
 * ```ts
 * import { LinkSync } from "effect-belvo/workflow"
 *
 * console.log(LinkSync.defaultSettings.monthlyBudget) // 420
 * ```
 *
 * @since 1.0.0
 * @category settings
 */
export const defaultSettings: SettingsShape = {
  monthlyBudget: 420,
  maxRounds: 3,
  pageSize: 1000,
  maxPages: 10_000,
  resend: "once"
}

/**
 * The settings in context, {@link defaultSettings} unless provided (on the runners: the handler
 * reads them when a sync runs).
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { LinkSync } from "effect-belvo/workflow"
 *
 * const Settings = Layer.succeed(LinkSync.Settings, { ...LinkSync.defaultSettings, maxRounds: 1 })
 * ```
 *
 * @since 1.0.0
 * @category settings
 */
export const Settings = Context.Reference<SettingsShape>("effect-belvo/workflow/LinkSync/Settings", {
  defaultValue: () => defaultSettings
})

/** What the retrieve (or a resume) came to: balances, or a challenge to answer. */
// `resent`: the step's result came from the sync's re-send (absent in steps recorded by 1.0).
const Step = Schema.Union([
  Schema.Struct({
    _tag: Schema.tag("Retrieved"),
    status: Schema.Literals([200, 201]),
    count: Schema.Number,
    resent: Schema.optionalKey(Schema.Literal(true))
  }),
  Schema.Struct({
    _tag: Schema.tag("Challenged"),
    required: BelvoError.TokenRequired,
    resent: Schema.optionalKey(Schema.Literal(true))
  })
])
type Step = typeof Step.Type

/** What a challenge's wait came to. */
const Answer = Schema.Union([
  Schema.Struct({ _tag: Schema.tag("Answered"), token: Schema.NullOr(Schema.String) }),
  Schema.Struct({ _tag: Schema.tag("Expired") })
])

/** The deferred a round of MFA waits on: completed by {@link answer} with a token or `null`. */
const tokenFor = (round: number) =>
  DurableDeferred.make(`token-${round}`, { success: Schema.NullOr(Schema.String) })

/** The calendar month a retrieval counts in, UTC. */
const monthOf = (millis: number): string => DateTime.formatIsoDateUtc(DateTime.makeUnsafe(millis)).slice(0, 7)

/** What sending a retrieve or resume can fail with, once its challenge is a step. */
type SendError = Exclude<Balances.RetrieveError, BelvoError.TokenRequired> | ClaimTaken | StoreFailed

const stepOf = (
  sent: Effect.Effect<
    Balances.Retrieval<unknown>,
    Balances.RetrieveError | ClaimTaken | StoreFailed,
    BelvoClient
  >
): Effect.Effect<Step, SendError, BelvoClient> =>
  sent.pipe(
    Effect.map(
      (retrieval): Step => ({ _tag: "Retrieved", status: retrieval.status, count: retrieval.balances.length })
    ),
    Effect.catchTag("TokenRequired", (required) => Effect.succeed<Step>({ _tag: "Challenged", required }))
  )

/** The claim was taken before: by an earlier execution of this step, whose answer was lost. */
class ClaimTaken extends Data.TaggedError("ClaimTaken")<{ readonly at: number }> {}

/** The claim of one request, taken by the endpoint's send hook. */
type Claim = Effect.Effect<void, ClaimTaken | StoreFailed>

/** Which step a claim belongs to, as a metric's attribute. */
type StepKind = "retrieve" | "resume"

const count = (counter: Metric.Counter<number>, attributes: Readonly<Record<string, string>>) =>
  Metric.update(Metric.withAttributes(counter, attributes), 1)

/** The claim of `key` as a send hook: `ClaimTaken` when taken before; `claimed` runs once it is this one's. */
const claimOf = (
  store: Store.Service,
  key: string,
  claimed: (at: number) => Effect.Effect<void, StoreFailed> = () => Effect.void
): Claim =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => store.claim(key, now)).pipe(
    Effect.flatMap(
      (claim): Claim => (claim.first ? claimed(claim.at) : Effect.fail(new ClaimTaken({ at: claim.at })))
    )
  )

/**
 * Sends once: `send` passes the claim of `key` to its endpoint as the send hook, so it is taken as
 * the request goes out, once the client's limits (rate limit, in-flight cap) let it through; a
 * process that stops while its requests wait for the limiter leaves no claim behind, and the
 * re-execution simply sends them. A re-execution that finds the claim (its process stopped after
 * claiming) does not send it again: it asks `recover` whether Belvo stored the data since the claim,
 * and when it cannot tell, does `otherwise` (re-send, or report `OutcomeUnknown`).
 */
const once = <E2, R2, E3, R3>(
  key: string,
  kind: StepKind,
  send: (claim: Claim) => Effect.Effect<Step, SendError, BelvoClient>,
  recover: (claimedAt: number) => Effect.Effect<Step | undefined, E2, R2>,
  otherwise: Effect.Effect<Step, E3, R3>
): Effect.Effect<Step, Exclude<SendError, ClaimTaken> | E2 | E3, BelvoClient | R2 | R3 | SyncStore> =>
  Effect.gen(function* () {
    const store = yield* SyncStore
    return yield* send(claimOf(store, key)).pipe(
      Effect.catchTag("ClaimTaken", (taken) =>
        Effect.gen(function* () {
          yield* count(SyncMetrics.reruns, { "belvo.step": kind })
          const recovered = yield* recover(taken.at)
          if (recovered === undefined) return yield* otherwise
          yield* count(SyncMetrics.recoveries, { "belvo.step": kind })
          return recovered
        })
      )
    )
  })

// A retrieve's balances are collected as it runs; a little before the claim allows for clock skew.
const RECOVERY_MARGIN_MILLIS = 5 * 60_000

/**
 * After a crash: balances of the link collected since the claim show that the lost request stored
 * them (with `save_data` false nothing is stored, and nothing can be known).
 */
const storedSince =
  (link: string, account: string | undefined, saved: boolean) =>
  (claimedAt: number): Effect.Effect<Step | undefined, Balances.ListError, BelvoClient> => {
    if (!saved) return Effect.succeed(undefined)
    const since = DateTime.formatIso(DateTime.makeUnsafe(claimedAt - RECOVERY_MARGIN_MILLIS))
    return Effect.map(
      Balances.listPage({
        link,
        ...(account === undefined ? {} : { account }),
        collected_at__gte: since,
        page_size: 1000,
        fields: ["id"]
      }),
      (page): Step | undefined =>
        page.count > 0 ? { _tag: "Retrieved", status: 201, count: page.count } : undefined
    )
  }

const sync = (payload: Payload, executionId: string) =>
  Effect.gen(function* () {
    const settings = yield* Settings
    const store = yield* SyncStore
    const { link, run } = payload
    const retrieveParams = {
      link,
      ...(payload.account_id === undefined ? {} : { account_id: payload.account_id }),
      ...(payload.save_data === undefined ? {} : { save_data: payload.save_data })
    }
    const storedSinceRetrieve = storedSince(link, payload.account_id, payload.save_data ?? true)

    /**
     * One retrieval of `person` this month, reserved under `key` (a re-run with the same key
     * reserves nothing more); a refusal is counted under `reservation`.
     */
    const reserve = (person: string, key: string, reservation: "retrieve" | "resend") =>
      Effect.gen(function* () {
        const month = monthOf(yield* Clock.currentTimeMillis)
        const reserved = yield* store.reserve({ person, month, key, limit: settings.monthlyBudget })
        if (!reserved.granted) yield* count(SyncMetrics.budgetRefusals, { "belvo.reservation": reservation })
        return { ...reserved, month }
      })

    // The budget is reserved in the retrieve's own activity, before its claim: one recorded step
    // (a round-trip of the engine's) fewer per sync, and a re-run reserves nothing more (the
    // reservation is keyed by the sync).
    const reserveBudget: Effect.Effect<void, BudgetSpent | StoreFailed> =
      payload.person === undefined
        ? Effect.void
        : Effect.gen(function* () {
            const person = payload.person!
            const { granted, month, used } = yield* reserve(person, executionId, "retrieve")
            if (!granted) {
              return yield* new BudgetSpent({
                person: Redacted.make(person, { label: "person" }),
                month,
                used,
                limit: settings.monthlyBudget
              })
            }
          })

    // How many requests this sync re-sent: at most one (the claim `<executionId>/resend`).
    let resent = 0

    /**
     * A lost request (`step`) with nothing stored since: re-sent once per sync as a fresh retrieve
     * (POST), whichever step lost its answer, so a stale MFA session is never resumed. The person's
     * budget is reserved for it first (under the key of the re-send, so a re-run reserves nothing
     * more), then it is claimed like any request; a re-send whose own claim is taken (its process
     * stopped too) recovers from what was stored since, or reports `OutcomeUnknown`.
     */
    const resendOnce = (kind: StepKind, step: string) =>
      Effect.gen(function* () {
        if (settings.resend === "never") return yield* new OutcomeUnknown({ link, step, resend: "never" })
        if (resent > 0) return yield* new OutcomeUnknown({ link, step, resend: "spent" })
        const key = `${executionId}/resend`
        if (payload.person !== undefined && !(yield* reserve(payload.person, key, "resend")).granted) {
          return yield* new OutcomeUnknown({ link, step, resend: "budget" })
        }
        const claim = claimOf(store, key, (at) =>
          Effect.andThen(store.recordResend(key, at), count(SyncMetrics.resends, { "belvo.step": kind }))
        )
        return yield* stepOf(Balances.retrieve(retrieveParams, { beforeSend: claim })).pipe(
          Effect.map((sent): Step => ({ ...sent, resent: true })),
          Effect.catchTag("ClaimTaken", (taken) =>
            Effect.gen(function* () {
              const recovered = yield* storedSinceRetrieve(taken.at)
              if (recovered === undefined) return yield* new OutcomeUnknown({ link, step, resend: "spent" })
              yield* count(SyncMetrics.recoveries, { "belvo.step": kind })
              return { ...recovered, resent: true } satisfies Step
            })
          )
        )
      })

    let step: Step = yield* Activity.make({
      name: "retrieve",
      success: Step,
      error: SyncError,
      execute: Effect.andThen(
        reserveBudget,
        once(
          `${executionId}/retrieve`,
          "retrieve",
          (claim) => stepOf(Balances.retrieve(retrieveParams, { beforeSend: claim })),
          storedSinceRetrieve,
          resendOnce("retrieve", "retrieve")
        )
      )
    })
    if (step.resent === true) resent += 1

    let rounds = 0
    while (step._tag === "Challenged") {
      const { challenge } = step.required
      if (rounds === settings.maxRounds) return yield* Effect.fail(step.required)
      rounds += 1
      const round = rounds
      // Recorded once: the deadline stays the same however often the workflow replays.
      const waitMillis = yield* Activity.make({
        name: `challenge-${round}`,
        success: Schema.Number,
        error: SyncError,
        execute: Effect.gen(function* () {
          const stored = yield* MfaChallenge.toJson(challenge)
          yield* store.putPending({ executionId, link, run, round, challenge: stored })
          return Duration.toMillis(yield* MfaChallenge.remaining(challenge))
        })
      })
      const answer = yield* DurableDeferred.raceAll({
        name: `wait-${round}`,
        success: Answer,
        error: Schema.Never,
        effects: [
          Effect.map(DurableDeferred.await(tokenFor(round)), (token) => ({
            _tag: "Answered" as const,
            token
          })),
          Effect.as(DurableClock.sleep({ name: `expiry-${round}`, duration: Duration.millis(waitMillis) }), {
            _tag: "Expired" as const
          })
        ]
      })
      if (answer._tag === "Expired") {
        yield* Activity.make({
          name: `answered-${round}`,
          error: SyncError,
          execute: store.removePending(executionId)
        })
        return yield* new TokenTimedOut({ link, round, expiresAt: DateTime.formatIso(challenge.expiresAt) })
      }
      const token = answer.token ?? undefined
      step = yield* Activity.make({
        name: `resume-${round}`,
        success: Step,
        error: SyncError,
        // The answered challenge is forgotten in the resume's own activity (one recorded step fewer
        // per round; forgetting twice, on a re-run, is harmless).
        execute: Effect.andThen(
          store.removePending(executionId),
          once(
            `${executionId}/resume-${round}`,
            "resume",
            (claim) => stepOf(Balances.resume(challenge, token, { beforeSend: claim })),
            storedSince(link, payload.account_id, challenge.save_data),
            resendOnce("resume", `resume (round ${round})`)
          )
        )
      })
      if (step.resent === true) resent += 1
    }

    let pages = 0
    let listed = 0
    if (payload.list !== undefined) {
      const filters = payload.list
      for (let page = 1; page <= settings.maxPages; page++) {
        const delivered = yield* Activity.make({
          name: `page-${page}`,
          success: Schema.Struct({ items: Schema.Number, more: Schema.Boolean }),
          error: SyncError,
          execute: Effect.gen(function* () {
            const sink = yield* PageSink
            const result = yield* Balances.listPage({ link, page, page_size: settings.pageSize, ...filters })
            yield* sink.deliver({
              key: `${executionId}/page-${page}`,
              executionId,
              link,
              run,
              page,
              balances: result.results
            })
            return { items: result.results.length, more: result.next !== null }
          })
        })
        pages += 1
        listed += delivered.items
        if (!delivered.more) break
        if (page === settings.maxPages) {
          // Never a silently short listing: past the bound, the sync fails and says where it stopped.
          return yield* new BelvoError.PaginationError({
            message: `Listing link ${link} stopped after ${page} pages (LinkSync.Settings.maxPages); ${listed} balances were delivered`,
            reason: "Endless",
            url: `page ${page + 1}`
          })
        }
      }
    }

    const summary: Summary = {
      link,
      run,
      status: step.status,
      retrieved: step.count,
      rounds,
      pages,
      listed,
      resent
    }
    return summary
  })

/**
 * The sync, its end counted by outcome. Only the run that ends the sync gets here: a run that
 * suspends (waiting for a token, say) is interrupted, which neither tap sees, and a completed
 * sync is never run again.
 */
const handler = (payload: Payload, executionId: string) =>
  sync(payload, executionId).pipe(
    Effect.tap(() => count(SyncMetrics.finished, { "belvo.outcome": "succeeded" })),
    Effect.tapError((error) => count(SyncMetrics.finished, { "belvo.outcome": error._tag }))
  )

/**
 * The workflow's handler, to register on an engine: every runner process provides it, with a
 * `BelvoClient`, a `SyncStore` and a `PageSink`.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { WorkflowEngine } from "effect/workflow"
 * import { SandboxClient } from "effect-belvo/testing"
 * import { LinkSync, PageSink, SyncStore } from "effect-belvo/workflow"
 *
 * const Runner = LinkSync.layer.pipe(
 *   Layer.provide([SandboxClient.layer(), SyncStore.layerMemory, PageSink.layerDiscard]),
 *   Layer.provideMerge(WorkflowEngine.layerMemory)
 * )
 * ```
 *
 * @since 1.0.0
 * @category layers
 */
export const layer: Layer.Layer<
  never,
  never,
  WorkflowEngine.WorkflowEngine | BelvoClient | SyncStore | PageSink
> = LinkSync.toLayer(handler)

/**
 * Starts a sync, or joins the one already running for the same payload, and waits for its summary.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { LinkSync } from "effect-belvo/workflow"
 *
 * const program = Effect.flatMap(LinkSync.start({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058", run: "2026-11-30" }), (summary) =>
 *   Effect.log(`${summary.retrieved} balances`)
 * )
 * ```
 *
 * @since 1.0.0
 * @category execution
 */
export const start = (payload: Payload): Effect.Effect<Summary, SyncError, WorkflowEngine.WorkflowEngine> =>
  LinkSync.execute(payload)

/**
 * Starts a sync (or finds the running one) without waiting: its execution id.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { LinkSync } from "effect-belvo/workflow"
 *
 * const links = ["c81a1dea-6dd6-4999-8b9f-541ee8197058", "30cb4806-6e00-48a4-91c9-ca55968576c8"]
 * const started = Effect.forEach(links, (link) => LinkSync.launch({ link, run: "2026-11-30" }))
 * ```
 *
 * @since 1.0.0
 * @category execution
 */
export const launch = (payload: Payload): Effect.Effect<string, never, WorkflowEngine.WorkflowEngine> =>
  LinkSync.execute(payload, { discard: true })

/**
 * A challenge waiting for its token, decoded: what a web app shows the person (the challenge's
 * `token_generation_data`) and what to pass back to {@link answer}.
 *
 * @example
 * ```ts
 * import type { LinkSync } from "effect-belvo/workflow"
 *
 * const prompt = (waiting: LinkSync.Waiting): string =>
 *   waiting.challenge.token_generation_data?.expects_user_input === false
 *     ? "Approve the access in your bank's app"
 *     : (waiting.challenge.token_generation_data?.instructions ?? "Enter the code from your bank")
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export interface Waiting {
  readonly executionId: string
  readonly link: string
  readonly run: string
  readonly round: number
  readonly challenge: MfaChallenge.MfaChallenge
}

/**
 * Every challenge waiting for a token, across every process sharing the store.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { LinkSync } from "effect-belvo/workflow"
 *
 * const waiting = Effect.map(LinkSync.pending, (all) => all.map((w) => [w.link, w.challenge.expiresAt.toJSON()]))
 * ```
 *
 * @since 1.0.0
 * @category tokens
 */
export const pending: Effect.Effect<ReadonlyArray<Waiting>, StoreFailed, SyncStore> = Effect.gen(
  function* () {
    const store = yield* SyncStore
    const entries = yield* store.pending
    return yield* Effect.forEach(entries, (entry) =>
      MfaChallenge.fromJson(entry.challenge).pipe(
        Effect.map((challenge): Waiting => ({ ...entry, challenge })),
        // A stored challenge this version cannot read is left out rather than failing the list.
        Effect.option
      )
    ).pipe(
      Effect.map((decoded) => decoded.flatMap((waiting) => (waiting._tag === "Some" ? [waiting.value] : [])))
    )
  }
)

/**
 * Hands the token to the sync waiting for it, from any process sharing the engine and the store (a
 * web handler, say): a string, or `undefined` when the challenge expects no input (the person
 * confirmed on another device). The sync resumes at once. Names the sync by its payload or its
 * execution id.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { LinkSync } from "effect-belvo/workflow"
 *
 * // In a web handler, once the person typed the code from their bank:
 * const answered = LinkSync.answer({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058", run: "2026-11-30" }, "123456")
 * ```
 *
 * @since 1.0.0
 * @category tokens
 */
export const answer = (
  sync: Payload | { readonly executionId: string },
  token: string | undefined
): Effect.Effect<void, NoPendingChallenge | StoreFailed, WorkflowEngine.WorkflowEngine | SyncStore> =>
  Effect.gen(function* () {
    const executionId = "executionId" in sync ? sync.executionId : yield* LinkSync.executionId(sync)
    const store = yield* SyncStore
    const waiting = (yield* store.pending).find((entry) => entry.executionId === executionId)
    if (waiting === undefined) return yield* new NoPendingChallenge({ executionId })
    const deferred = tokenFor(waiting.round)
    const handle = DurableDeferred.tokenFromExecutionId(deferred, { workflow: LinkSync, executionId })
    yield* DurableDeferred.succeed(deferred, { token: handle, value: token ?? null })
  })

/**
 * Everything a sync needs in one process, but the client: the in-memory engine and store, the
 * handler registered, and `sink` (every page discarded by default). Provide a `BelvoClient`
 * (`SandboxClient.layer()` in tests and demos).
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { SandboxClient, SandboxModel } from "effect-belvo/testing"
 * import { LinkSync } from "effect-belvo/workflow"
 *
 * const program = LinkSync.start({ link: SandboxModel.plainLinkId, run: "demo" }).pipe(
 *   Effect.provide(LinkSync.layerEmbedded().pipe(Layer.provide(SandboxClient.layer())))
 * )
 * ```
 *
 * @since 1.0.0
 * @category layers
 */
export const layerEmbedded = (
  sink: Layer.Layer<PageSink> = Sink.layerDiscard
): Layer.Layer<WorkflowEngine.WorkflowEngine | SyncStore, never, BelvoClient> =>
  layer.pipe(
    Layer.provide(sink),
    Layer.provideMerge(Store.layerMemory),
    Layer.provideMerge(WorkflowEngine.layerMemory)
  )
