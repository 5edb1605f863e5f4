/**
 * The sync's own durable bookkeeping, beside the workflow engine's: which requests were claimed for
 * sending (a POST or PATCH goes out at most once, even across a crash), each person's monthly
 * retrieval budget (never spent twice by the same sync), the MFA challenges waiting for a token
 * (for a web app to show), and the requests a sync re-sent after losing an answer. In memory for one process, or in SQL (PostgreSQL, the engine's own
 * database) for many.
 *
 * @since 1.0.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as SqlClient from "effect/sql/SqlClient"
import { StoreFailed } from "./SyncError.js"

/**
 * A challenge waiting for its token: which sync, which round of MFA, and the challenge itself as
 * JSON (`MfaChallenge.fromJson` reads it back, token generation data included).
 *
 * @example
 * ```ts
 * import type { SyncStore } from "effect-belvo/workflow"
 *
 * const prompt = (pending: SyncStore.Pending): string => `link ${pending.link}: round ${pending.round} waits for a token`
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export interface Pending {
  readonly executionId: string
  readonly link: string
  readonly run: string
  readonly round: number
  /** The `MfaChallenge`, as `MfaChallenge.toJson` writes it. */
  readonly challenge: string
}

/**
 * What a claim found: whether this call claimed the key, and when it was first claimed.
 *
 * @example
 * ```ts
 * import type { SyncStore } from "effect-belvo/workflow"
 *
 * const again = (claim: SyncStore.Claim): boolean => !claim.first
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export interface Claim {
  readonly first: boolean
  readonly at: number
}

/**
 * What a budget reservation found: `granted`, with how many of the month's retrievals are now
 * used (a sync that reserved before counts once, however often it asks).
 *
 * @example
 * ```ts
 * import type { SyncStore } from "effect-belvo/workflow"
 *
 * const left = (reservation: SyncStore.Reservation, limit: number) => limit - reservation.used
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export interface Reservation {
  readonly granted: boolean
  readonly used: number
}

/**
 * The store's operations. Each is atomic on its own, across every process that shares the store.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SyncStore } from "effect-belvo/workflow"
 *
 * const waiting = Effect.flatMap(Effect.service(SyncStore.SyncStore), (store: SyncStore.Service) => store.pending)
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export interface Service {
  /**
   * Claims `key` for sending at `at` (epoch milliseconds): `first` the first time; ever after, not
   * `first`, with the time of the first claim.
   */
  readonly claim: (key: string, at: number) => Effect.Effect<Claim, StoreFailed>
  /**
   * Reserves one retrieval of `person` in `month` for `key` (a sync): granted while fewer than
   * `limit` are used, and always granted again to a key that already holds one.
   */
  readonly reserve: (options: {
    readonly person: string
    readonly month: string
    readonly key: string
    readonly limit: number
  }) => Effect.Effect<Reservation, StoreFailed>
  /** Records a challenge waiting for its token (replacing the sync's previous one). */
  readonly putPending: (pending: Pending) => Effect.Effect<void, StoreFailed>
  /** Forgets the challenge of a sync, once answered or over. */
  readonly removePending: (executionId: string) => Effect.Effect<void, StoreFailed>
  /** Every challenge waiting for a token, oldest first. */
  readonly pending: Effect.Effect<ReadonlyArray<Pending>, StoreFailed>
  /**
   * Records that `key` (a sync's re-send, `<executionId>/resend`) went out at `at` (epoch
   * milliseconds): once per key, however often it is recorded. Since 1.1.0.
   */
  readonly recordResend: (key: string, at: number) => Effect.Effect<void, StoreFailed>
  /** How many re-sends were recorded, across every process sharing the store. Since 1.1.0. */
  readonly resends: Effect.Effect<number, StoreFailed>
}

/**
 * The store service.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SyncStore } from "effect-belvo/workflow"
 *
 * const first = Effect.gen(function* () {
 *   const store = yield* SyncStore.SyncStore
 *   return yield* store.claim("sync-1/retrieve", Date.now())
 * }).pipe(Effect.provide(SyncStore.layerMemory))
 * ```
 *
 * @since 1.0.0
 * @category tags
 */
export class SyncStore extends Context.Service<SyncStore, Service>()("effect-belvo/workflow/SyncStore") {}

/**
 * An in-memory store, for one process: the embedded set-up and tests.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SyncStore } from "effect-belvo/workflow"
 *
 * const granted = Effect.gen(function* () {
 *   const store = yield* SyncStore.SyncStore
 *   return yield* store.reserve({ person: "12345678900", month: "2026-11", key: "sync-1", limit: 420 })
 * }).pipe(Effect.provide(SyncStore.layerMemory)) // { granted: true, used: 1 }
 * ```
 *
 * @since 1.0.0
 * @category layers
 */
export const layerMemory: Layer.Layer<SyncStore> = Layer.sync(SyncStore, () => {
  const claims = new Map<string, number>()
  const budgets = new Map<string, Set<string>>()
  const pending = new Map<string, Pending>()
  const resent = new Map<string, number>()
  return SyncStore.of({
    claim: (key, at) =>
      Effect.sync(() => {
        const before = claims.get(key)
        if (before !== undefined) return { first: false, at: before }
        claims.set(key, at)
        return { first: true, at }
      }),
    reserve: ({ person, month, key, limit }) =>
      Effect.sync(() => {
        const id = `${person}\u0000${month}`
        const keys = budgets.get(id) ?? new Set<string>()
        budgets.set(id, keys)
        if (keys.has(key)) return { granted: true, used: keys.size }
        if (keys.size >= limit) return { granted: false, used: keys.size }
        keys.add(key)
        return { granted: true, used: keys.size }
      }),
    putPending: (entry) =>
      Effect.sync(() => {
        pending.delete(entry.executionId)
        pending.set(entry.executionId, entry)
      }),
    removePending: (executionId) => Effect.sync(() => void pending.delete(executionId)),
    pending: Effect.sync(() => Array.from(pending.values())),
    recordResend: (key, at) =>
      Effect.sync(() => {
        if (!resent.has(key)) resent.set(key, at)
      }),
    resends: Effect.sync(() => resent.size)
  })
})

const failed = (operation: string) => (error: { readonly message: string }) =>
  new StoreFailed({ operation, reason: error.message })

/**
 * A store in SQL, shared by every process on the same database (PostgreSQL; SQLite works too).
 * Its tables (`effect_belvo_claims`, `effect_belvo_budget`, `effect_belvo_budget_used`,
 * `effect_belvo_pending`, and since 1.1.0 `effect_belvo_resends`) are created if missing when the
 * layer is built.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { SyncStore } from "effect-belvo/workflow"
 * import type { SqlClient } from "effect/sql"
 *
 * declare const Database: Layer.Layer<SqlClient.SqlClient> // e.g. PgClient.layer({ url }) from @effect/sql-pg
 * const Store = SyncStore.layerSql.pipe(Layer.provide(Database))
 * ```
 *
 * @since 1.0.0
 * @category layers
 */
export const layerSql: Layer.Layer<SyncStore, StoreFailed, SqlClient.SqlClient> = Layer.effect(
  SyncStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* Effect.all([
      sql`CREATE TABLE IF NOT EXISTS effect_belvo_claims (key TEXT PRIMARY KEY, at BIGINT NOT NULL)`,
      sql`CREATE TABLE IF NOT EXISTS effect_belvo_budget (person TEXT NOT NULL, month TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (person, month, key))`,
      sql`CREATE TABLE IF NOT EXISTS effect_belvo_budget_used (person TEXT NOT NULL, month TEXT NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (person, month))`,
      sql`CREATE TABLE IF NOT EXISTS effect_belvo_pending (execution_id TEXT PRIMARY KEY, link TEXT NOT NULL, run TEXT NOT NULL, round INTEGER NOT NULL, challenge TEXT NOT NULL, at BIGINT NOT NULL)`,
      sql`CREATE TABLE IF NOT EXISTS effect_belvo_resends (key TEXT PRIMARY KEY, at BIGINT NOT NULL)`
    ]).pipe(
      // Processes starting together race on PostgreSQL's catalog: "IF NOT EXISTS" is not atomic
      // there, and the loser's CREATE fails with a unique violation. Again, it finds the table.
      Effect.retry({ times: 5, schedule: Schedule.spaced("50 millis") }),
      Effect.mapError(failed("create its tables"))
    )
    // Pending challenges are ordered by when they were put: the clock, across processes, kept
    // increasing within this one (two puts in the same millisecond).
    let sequence = 0
    return SyncStore.of({
      claim: (key, at) =>
        Effect.gen(function* () {
          const inserted = yield* sql<{
            key: string
          }>`INSERT INTO effect_belvo_claims (key, at) VALUES (${key}, ${at}) ON CONFLICT DO NOTHING RETURNING key`
          if (inserted.length === 1) return { first: true, at }
          const rows = yield* sql<{
            at: number | string
          }>`SELECT at FROM effect_belvo_claims WHERE key = ${key}`
          return { first: false, at: Number(rows[0]?.at ?? at) }
        }).pipe(Effect.mapError(failed("claim"))),
      reserve: ({ person, month, key, limit }) =>
        sql
          .withTransaction(
            Effect.gen(function* () {
              const inserted = yield* sql<{
                key: string
              }>`INSERT INTO effect_belvo_budget (person, month, key) VALUES (${person}, ${month}, ${key}) ON CONFLICT DO NOTHING RETURNING key`
              const usedNow = () =>
                Effect.map(
                  sql<{
                    used: number
                  }>`SELECT used FROM effect_belvo_budget_used WHERE person = ${person} AND month = ${month}`,
                  (rows) => Number(rows[0]?.used ?? 0)
                )
              // Already reserved by this key: granted again, nothing spent.
              if (inserted.length === 0) return { granted: true, used: yield* usedNow() }
              // One more, only while under the limit: a single conditional upsert, atomic in the database.
              const counted = yield* sql<{
                used: number
              }>`INSERT INTO effect_belvo_budget_used (person, month, used) VALUES (${person}, ${month}, 1) ON CONFLICT (person, month) DO UPDATE SET used = effect_belvo_budget_used.used + 1 WHERE effect_belvo_budget_used.used < ${limit} RETURNING used`
              if (counted.length === 1 && Number(counted[0]?.used) <= limit) {
                return { granted: true, used: Number(counted[0]?.used) }
              }
              yield* sql`DELETE FROM effect_belvo_budget WHERE person = ${person} AND month = ${month} AND key = ${key}`
              return { granted: false, used: yield* usedNow() }
            })
          )
          .pipe(Effect.mapError(failed("reserve a retrieval"))),
      putPending: (entry) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          sequence = Math.max(sequence + 1, now)
          return sql`INSERT INTO effect_belvo_pending (execution_id, link, run, round, challenge, at) VALUES (${entry.executionId}, ${entry.link}, ${entry.run}, ${entry.round}, ${entry.challenge}, ${sequence}) ON CONFLICT (execution_id) DO UPDATE SET round = ${entry.round}, challenge = ${entry.challenge}, at = ${sequence}`
        }).pipe(Effect.asVoid, Effect.mapError(failed("record a pending challenge"))),
      removePending: (executionId) =>
        sql`DELETE FROM effect_belvo_pending WHERE execution_id = ${executionId}`.pipe(
          Effect.asVoid,
          Effect.mapError(failed("remove a pending challenge"))
        ),
      pending: sql<{
        execution_id: string
        link: string
        run: string
        round: number
        challenge: string
      }>`SELECT execution_id, link, run, round, challenge FROM effect_belvo_pending ORDER BY at`.pipe(
        Effect.map((rows) =>
          rows.map((row) => ({
            executionId: row.execution_id,
            link: row.link,
            run: row.run,
            round: Number(row.round),
            challenge: row.challenge
          }))
        ),
        Effect.mapError(failed("read the pending challenges"))
      ),
      recordResend: (key, at) =>
        sql`INSERT INTO effect_belvo_resends (key, at) VALUES (${key}, ${at}) ON CONFLICT DO NOTHING`.pipe(
          Effect.asVoid,
          Effect.mapError(failed("record a re-send"))
        ),
      resends: sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM effect_belvo_resends`.pipe(
        Effect.map((rows) => Number(rows[0]?.n ?? 0)),
        Effect.mapError(failed("count the re-sends"))
      )
    })
  })
)
