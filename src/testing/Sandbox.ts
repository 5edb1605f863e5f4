/**
 * The sandbox as an Effect service: the in-memory model plus what lives around it, namely MFA
 * sessions that expire by `Clock`, the fault plan, the log of received requests and in-flight
 * counters. Both transports (`SandboxHttp`'s in-process client and `SandboxServer`'s loopback
 * server) serve the state of the `Sandbox` in their context, so a test seeds and inspects the very
 * data its client talks to.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as SandboxFault from "./SandboxFault.js"
import * as SandboxModel from "./SandboxModel.js"

/**
 * Options of {@link layer}: how to seed the model (or a ready `model`), MFA session lifetime
 * (`mfaExpiry`, 600 seconds by default), latency on every request (`latency`) or on every list page
 * (`pageLatency`, for benchmarks), initial `faults`, and `quoteAmounts` to send amounts as JSON
 * strings instead of number literals.
 *
 * @example
 * ```ts
 * import { Sandbox, SandboxFault } from "effect-belvo/testing"
 *
 * const options: Sandbox.Options = { seed: 7, mfaExpiry: "30 seconds", faults: [SandboxFault.status(503)] }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends SandboxModel.SeedOptions {
  readonly model?: SandboxModel.Model | undefined
  readonly mfaExpiry?: Duration.Input | undefined
  readonly latency?: Duration.Input | undefined
  readonly pageLatency?: Duration.Input | undefined
  readonly faults?: ReadonlyArray<SandboxFault.Fault> | undefined
  readonly quoteAmounts?: boolean | undefined
}

/**
 * A received request as the sandbox saw it. Header names are lower case and `authorization` is
 * kept, so a test can check where credentials were sent. `status` is filled in once answered
 * (`undefined` for a dropped connection or while in flight).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sandbox } from "effect-belvo/testing"
 *
 * const authorized = Effect.map(Sandbox.requests, (log: ReadonlyArray<Sandbox.LoggedRequest>) =>
 *   log.filter((request) => request.headers.authorization !== undefined)
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface LoggedRequest {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** `Clock` milliseconds at arrival. */
  readonly receivedAt: number
  status: number | undefined
}

/**
 * An open MFA session (single use: any PATCH on it consumes it).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sandbox } from "effect-belvo/testing"
 *
 * const expiries = Effect.map(Sandbox.sessions, (all: ReadonlyArray<Sandbox.MfaSession>) => all.map((s) => s.expiresAt))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface MfaSession {
  readonly session: string
  readonly link: string
  readonly owner: string
  readonly accountId: string | undefined
  readonly value: string
  /** `Clock` milliseconds from which the session is expired. */
  readonly expiresAt: number
}

/**
 * Request counters: `inFlight` now, the most ever at once (`maxInFlight`), and `requests` total.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sandbox } from "effect-belvo/testing"
 *
 * const busy = Effect.map(Sandbox.stats, (stats: Sandbox.Stats) => stats.inFlight > 0)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  readonly inFlight: number
  readonly maxInFlight: number
  readonly requests: number
}

/**
 * The service. Its state is mutable on purpose (tests poke it directly when convenient); the
 * functions of this module are the tidy way in.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sandbox } from "effect-belvo/testing"
 *
 * const links = Effect.map(Sandbox.Sandbox, (sandbox: Sandbox.Service) => sandbox.model.links())
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly model: SandboxModel.Model
  readonly settings: {
    mfaExpirySeconds: number
    latency: Duration.Duration
    pageLatency: Duration.Duration
    quoteAmounts: boolean
  }
  readonly sessions: Map<string, MfaSession>
  readonly faults: Array<{ readonly fault: SandboxFault.Fault; seen: number }>
  readonly log: Array<LoggedRequest>
  readonly stats: { inFlight: number; maxInFlight: number; requests: number }
}

/**
 * The sandbox service key.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sandbox } from "effect-belvo/testing"
 *
 * const faults = Effect.map(Sandbox.Sandbox, (sandbox) => sandbox.faults.length)
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Sandbox extends Context.Service<Sandbox, Service>()("effect-belvo/testing/Sandbox") {}

/**
 * Builds a fresh sandbox (seeded model, no sessions, empty log).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sandbox } from "effect-belvo/testing"
 *
 * const program = Effect.map(Sandbox.make({ seed: 3 }), (sandbox) => sandbox.model.links().length)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service> =>
  Effect.sync(() => ({
    model: options.model ?? SandboxModel.make(options),
    settings: {
      mfaExpirySeconds: Math.max(1, Math.round(Duration.toSeconds(options.mfaExpiry ?? "600 seconds"))),
      latency: Duration.fromInputUnsafe(options.latency ?? Duration.zero),
      pageLatency: Duration.fromInputUnsafe(options.pageLatency ?? Duration.zero),
      quoteAmounts: options.quoteAmounts ?? false
    },
    sessions: new Map(),
    faults: (options.faults ?? []).map((fault) => ({ fault, seen: 0 })),
    log: [],
    stats: { inFlight: 0, maxInFlight: 0, requests: 0 }
  }))

/**
 * A layer with a fresh sandbox: each test that provides it gets its own state.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sandbox, SandboxModel } from "effect-belvo/testing"
 *
 * const program = Sandbox.balancesOf(SandboxModel.plainLinkId).pipe(
 *   Effect.provide(Sandbox.layer({ balancesPerAccount: 5 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Sandbox> => Layer.effect(Sandbox, make(options))

const withModel = <A>(f: (model: SandboxModel.Model) => A): Effect.Effect<A, never, Sandbox> =>
  Effect.flatMap(Sandbox, (sandbox) => Effect.sync(() => f(sandbox.model)))

/**
 * Adds an API key pair.
 *
 * @example
 * ```ts
 * import { Sandbox } from "effect-belvo/testing"
 *
 * const program = Sandbox.addSecret({ id: "my-id", password: "my-password" })
 * ```
 *
 * @since 0.1.0
 * @category seeding
 */
export const addSecret = (secret: SandboxModel.Secret): Effect.Effect<void, never, Sandbox> =>
  withModel((model) => model.addSecret(secret))

/**
 * Adds a link (owned by the default secret unless `owner` says otherwise).
 *
 * @example
 * ```ts
 * import { Sandbox } from "effect-belvo/testing"
 *
 * const program = Sandbox.addLink({ mfa: true, accounts: 2 })
 * ```
 *
 * @since 0.1.0
 * @category seeding
 */
export const addLink = (
  options?: SandboxModel.LinkOptions
): Effect.Effect<SandboxModel.Link, never, Sandbox> => withModel((model) => model.addLink(options))

/**
 * Adds a generated link: `count` balances computed on demand (see `SandboxModel`).
 *
 * @example
 * ```ts
 * import { Sandbox } from "effect-belvo/testing"
 *
 * const program = Sandbox.addGeneratedLink({ count: 1_000_000, accounts: 4, seed: 9 })
 * ```
 *
 * @since 0.1.0
 * @category seeding
 */
export const addGeneratedLink = (
  options: SandboxModel.GeneratedLinkOptions
): Effect.Effect<SandboxModel.Link, never, Sandbox> => withModel((model) => model.addGeneratedLink(options))

/**
 * Adds an account to a link.
 *
 * @example
 * ```ts
 * import { Sandbox, SandboxModel } from "effect-belvo/testing"
 *
 * const program = Sandbox.addAccount(SandboxModel.plainLinkId, { internal_identification: "123" })
 * ```
 *
 * @since 0.1.0
 * @category seeding
 */
export const addAccount = (
  link: string,
  options?: { readonly id?: string | undefined; readonly internal_identification?: string | undefined }
): Effect.Effect<SandboxModel.Account, never, Sandbox> =>
  withModel((model) => model.addAccount(link, options))

/**
 * Adds balances; missing fields default (`collected_at` and `created_at` to `Clock` now). Dies on
 * an unknown link, a duplicate id or a malformed timestamp or amount: a broken test setup. An
 * amount must be one the client reads, by the client's own rule, and the message says so: "available
 * must be a decimal amount with at most 18 integer digits and 8 decimal places, got …".
 *
 * @example
 * ```ts
 * import { Sandbox, SandboxModel } from "effect-belvo/testing"
 *
 * const program = Sandbox.addBalances([
 *   { link: SandboxModel.plainLinkId, collected_at: "2024-03-01T10:00:00Z", available: "12.50" }
 * ])
 * ```
 *
 * @since 0.1.0
 * @category seeding
 */
export const addBalances = (
  inputs: Iterable<SandboxModel.BalanceInput>
): Effect.Effect<ReadonlyArray<SandboxModel.WireBalance>, never, Sandbox> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => withModel((model) => model.addBalances(inputs, now)))

/**
 * Every balance of a link in list order (generated ones are materialized: mind huge links).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sandbox, SandboxModel } from "effect-belvo/testing"
 *
 * const count = Effect.map(Sandbox.balancesOf(SandboxModel.plainLinkId), (all) => all.length)
 * ```
 *
 * @since 0.1.0
 * @category inspecting
 */
export const balancesOf = (
  link: string
): Effect.Effect<ReadonlyArray<SandboxModel.WireBalance>, never, Sandbox> =>
  withModel((model) => model.balancesOf(link))

/**
 * A link by id.
 *
 * @example
 * ```ts
 * import { Sandbox, SandboxModel } from "effect-belvo/testing"
 *
 * const link = Sandbox.link(SandboxModel.mfaLinkId)
 * ```
 *
 * @since 0.1.0
 * @category inspecting
 */
export const link = (id: string): Effect.Effect<Option.Option<SandboxModel.Link>, never, Sandbox> =>
  withModel((model) => Option.fromNullishOr(model.link(id)))

/**
 * Adds faults to the plan (after the ones already there).
 *
 * @example
 * ```ts
 * import { Sandbox, SandboxFault } from "effect-belvo/testing"
 *
 * const program = Sandbox.addFaults(
 *   SandboxFault.status(503, { retryAfter: 1 }),
 *   SandboxFault.drop({ nth: 3 })
 * )
 * ```
 *
 * @since 0.1.0
 * @category faults
 */
export const addFaults = (
  ...faults: ReadonlyArray<SandboxFault.Fault>
): Effect.Effect<void, never, Sandbox> =>
  Effect.flatMap(Sandbox, (sandbox) =>
    Effect.sync(() => {
      for (const fault of faults) sandbox.faults.push({ fault, seen: 0 })
    })
  )

/**
 * Empties the fault plan.
 *
 * @example
 * ```ts
 * import { Sandbox } from "effect-belvo/testing"
 *
 * const program = Sandbox.clearFaults
 * ```
 *
 * @since 0.1.0
 * @category faults
 */
export const clearFaults: Effect.Effect<void, never, Sandbox> = Effect.flatMap(Sandbox, (sandbox) =>
  Effect.sync(() => {
    sandbox.faults.length = 0
  })
)

/**
 * Sets the latency added to every request and to every list page (benchmarks).
 *
 * @example
 * ```ts
 * import { Sandbox } from "effect-belvo/testing"
 *
 * const program = Sandbox.setLatency({ page: "20 millis" })
 * ```
 *
 * @since 0.1.0
 * @category faults
 */
export const setLatency = (latency: {
  readonly all?: Duration.Input | undefined
  readonly page?: Duration.Input | undefined
}): Effect.Effect<void, never, Sandbox> =>
  Effect.flatMap(Sandbox, (sandbox) =>
    Effect.sync(() => {
      if (latency.all !== undefined) sandbox.settings.latency = Duration.fromInputUnsafe(latency.all)
      if (latency.page !== undefined) sandbox.settings.pageLatency = Duration.fromInputUnsafe(latency.page)
    })
  )

/**
 * The requests received so far, oldest first.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sandbox } from "effect-belvo/testing"
 *
 * const hosts = Effect.map(Sandbox.requests, (log) => log.map((r) => new URL(r.url).host))
 * ```
 *
 * @since 0.1.0
 * @category inspecting
 */
export const requests: Effect.Effect<ReadonlyArray<LoggedRequest>, never, Sandbox> = Effect.map(
  Sandbox,
  (sandbox) => sandbox.log.slice()
)

/**
 * Empties the request log.
 *
 * @example
 * ```ts
 * import { Sandbox } from "effect-belvo/testing"
 *
 * const program = Sandbox.clearRequests
 * ```
 *
 * @since 0.1.0
 * @category inspecting
 */
export const clearRequests: Effect.Effect<void, never, Sandbox> = Effect.flatMap(Sandbox, (sandbox) =>
  Effect.sync(() => {
    sandbox.log.length = 0
  })
)

/**
 * The request counters (for concurrency-cap tests: `maxInFlight`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sandbox } from "effect-belvo/testing"
 *
 * const peak = Effect.map(Sandbox.stats, (stats) => stats.maxInFlight)
 * ```
 *
 * @since 0.1.0
 * @category inspecting
 */
export const stats: Effect.Effect<Stats, never, Sandbox> = Effect.map(Sandbox, (sandbox) => ({
  ...sandbox.stats
}))

/**
 * Resets `maxInFlight` to the current `inFlight` and `requests` to 0.
 *
 * @example
 * ```ts
 * import { Sandbox } from "effect-belvo/testing"
 *
 * const program = Sandbox.resetStats
 * ```
 *
 * @since 0.1.0
 * @category inspecting
 */
export const resetStats: Effect.Effect<void, never, Sandbox> = Effect.flatMap(Sandbox, (sandbox) =>
  Effect.sync(() => {
    sandbox.stats.maxInFlight = sandbox.stats.inFlight
    sandbox.stats.requests = 0
  })
)

/**
 * Opens an MFA session for a link (what a POST on an MFA link does), expiring `mfaExpiry` from
 * `Clock` now.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sandbox, SandboxModel } from "effect-belvo/testing"
 *
 * const token = Effect.map(Sandbox.openSession(SandboxModel.mfaLinkId), (s) => SandboxModel.tokenFor(s.value))
 * ```
 *
 * @since 0.1.0
 * @category MFA
 */
export const openSession = (
  linkId: string,
  accountId?: string | undefined
): Effect.Effect<MfaSession, never, Sandbox> =>
  Effect.gen(function* () {
    const sandbox = yield* Sandbox
    const now = yield* Clock.currentTimeMillis
    const owner = sandbox.model.link(linkId)?.owner ?? SandboxModel.defaultSecretId
    const session: MfaSession = {
      session: sandbox.model.hex32(),
      link: linkId,
      owner,
      accountId,
      value: sandbox.model.challengeValue(),
      expiresAt: now + sandbox.settings.mfaExpirySeconds * 1000
    }
    sandbox.sessions.set(session.session, session)
    return session
  })

/**
 * The sessions still open (expired ones included until someone tries them).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sandbox } from "effect-belvo/testing"
 *
 * const open = Effect.map(Sandbox.sessions, (all) => all.length)
 * ```
 *
 * @since 0.1.0
 * @category MFA
 */
export const sessions: Effect.Effect<ReadonlyArray<MfaSession>, never, Sandbox> = Effect.map(
  Sandbox,
  (sandbox) => Array.from(sandbox.sessions.values())
)

/**
 * The right token for an open session (`SandboxModel.tokenFor` of its challenge value).
 *
 * @example
 * ```ts
 * import { Sandbox } from "effect-belvo/testing"
 *
 * const token = Sandbox.tokenForSession("2675b703b9d4451f8d4861a3eee54449") // Option.none() if unknown
 * ```
 *
 * @since 0.1.0
 * @category MFA
 */
export const tokenForSession = (session: string): Effect.Effect<Option.Option<string>, never, Sandbox> =>
  Effect.map(Sandbox, (sandbox) =>
    Option.map(Option.fromNullishOr(sandbox.sessions.get(session)), (s) => SandboxModel.tokenFor(s.value))
  )
