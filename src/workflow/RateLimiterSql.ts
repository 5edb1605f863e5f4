/**
 * A `RateLimiterStore` (`effect/persistence/RateLimiter`) in PostgreSQL, so processes that already
 * share a database for the workflow engine share a rate limit too, with no Redis. It answers as
 * Effect's memory and Redis stores do: fixed windows, token buckets, and the adaptive state learned
 * from 429s. Each operation is one statement (a PL/pgSQL function holding the key's row lock while
 * it runs), timed by the database's clock, so processes whose clocks disagree still share one limit.
 * The state is kept in UNLOGGED tables: a database crash or failover forgets it (every limit starts
 * over), and in exchange no request waits for a disk flush.
 *
 * @since 1.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as RateLimiter from "effect/persistence/RateLimiter"
import * as Schedule from "effect/Schedule"
import * as SqlClient from "effect/sql/SqlClient"

/**
 * Where the store keeps its state: `prefix` names its three tables (`<prefix>_windows`,
 * `<prefix>_buckets`, `<prefix>_adaptive`) and its functions (`<prefix>_now`, `<prefix>_fixed_window`,
 * …), default `effect_belvo_rate_limit`. Lowercase letters, digits and `_`, starting with a letter or
 * `_`, at most 45 characters.
 *
 * @example
 * ```ts
 * import type { RateLimiterSql } from "effect-belvo/workflow"
 *
 * const options: RateLimiterSql.Options = { prefix: "billing_rate_limit" }
 * ```
 *
 * @since 1.1.0
 * @category models
 */
export interface Options {
  readonly prefix?: string | undefined
}

// As Effect's own stores: adaptive state outlives its window by a minute, and no learned window or
// Retry-After counts for more than an hour.
const adaptiveGraceMillis = 60_000
const adaptiveMaxWindowMillis = 60 * 60 * 1_000

const clampMillis = (millis: number): number =>
  Number.isNaN(millis) || millis <= 0 ? 1 : Math.min(millis, adaptiveMaxWindowMillis)

/** How often each process deletes the rows whose state has expired (an expired row reads as absent). */
const pruneEvery = Duration.minutes(5)

const storeError = (message: string) => (cause: unknown) =>
  new RateLimiter.RateLimiterError({ reason: new RateLimiter.RateLimitStoreError({ message, cause }) })

/**
 * The tables and functions, created if missing and the functions replaced, in one transaction under
 * an advisory lock (processes starting together would otherwise race on PostgreSQL's catalog). Each
 * function mirrors the corresponding operation of Effect's memory store line by line; the one clock
 * is `<prefix>_now()`, the database's, in whole milliseconds.
 *
 * The tables are UNLOGGED: a limit's state is seconds or minutes old and not worth a disk flush per
 * request (on a durable server that flush made each request about 4 times slower, bench/rateLimiter.ts).
 * A database crash or a failover to a standby forgets it, and every limit starts over from empty.
 */
const schema = (p: string): ReadonlyArray<string> => [
  `CREATE UNLOGGED TABLE IF NOT EXISTS ${p}_windows (
    key TEXT PRIMARY KEY,
    count DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL
  )`,
  `CREATE UNLOGGED TABLE IF NOT EXISTS ${p}_buckets (
    key TEXT PRIMARY KEY,
    tokens DOUBLE PRECISION NOT NULL,
    last_refill DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL
  )`,
  `CREATE UNLOGGED TABLE IF NOT EXISTS ${p}_adaptive (
    key TEXT PRIMARY KEY,
    phase TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    cooldown_until DOUBLE PRECISION NOT NULL,
    learning_started_at DOUBLE PRECISION NOT NULL,
    observed_tokens DOUBLE PRECISION NOT NULL,
    learned_limit DOUBLE PRECISION NOT NULL,
    learned_window_millis DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL
  )`,
  `CREATE OR REPLACE FUNCTION ${p}_now() RETURNS DOUBLE PRECISION LANGUAGE sql VOLATILE AS $$
    SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::double precision
  $$`,
  // The count after taking `tokens` and the milliseconds the window has left; over `limit`, the
  // count it would have been, and nothing taken.
  `CREATE OR REPLACE FUNCTION ${p}_fixed_window(
    p_key TEXT, p_tokens DOUBLE PRECISION, p_refill DOUBLE PRECISION, p_limit DOUBLE PRECISION,
    OUT count DOUBLE PRECISION, OUT ttl DOUBLE PRECISION
  ) LANGUAGE plpgsql AS $$
  DECLARE
    v_now DOUBLE PRECISION;
    v_count DOUBLE PRECISION;
    v_expires DOUBLE PRECISION;
  BEGIN
    LOOP
      SELECT w.count, w.expires_at INTO v_count, v_expires FROM ${p}_windows w WHERE w.key = p_key FOR UPDATE;
      EXIT WHEN FOUND;
      INSERT INTO ${p}_windows (key, count, expires_at) VALUES (p_key, 0, 0) ON CONFLICT (key) DO NOTHING;
    END LOOP;
    v_now := ${p}_now();
    IF v_expires <= v_now THEN
      v_count := 0;
      v_expires := v_now;
    END IF;
    IF p_limit IS NOT NULL AND v_count + p_tokens > p_limit THEN
      count := v_count + p_tokens;
      ttl := v_expires - v_now;
      RETURN;
    END IF;
    v_count := v_count + p_tokens;
    v_expires := v_expires + p_refill * p_tokens;
    UPDATE ${p}_windows SET count = v_count, expires_at = v_expires WHERE key = p_key;
    count := v_count;
    ttl := v_expires - v_now;
  END
  $$`,
  // The tokens left after taking `tokens` (below zero: owed), and the milliseconds since the
  // current refill interval began. A row expires an interval after its bucket is full again: absent
  // reads as full.
  `CREATE OR REPLACE FUNCTION ${p}_token_bucket(
    p_key TEXT, p_tokens DOUBLE PRECISION, p_limit DOUBLE PRECISION, p_refill DOUBLE PRECISION,
    p_overflow BOOLEAN, OUT remaining DOUBLE PRECISION, OUT elapsed DOUBLE PRECISION
  ) LANGUAGE plpgsql AS $$
  DECLARE
    v_now DOUBLE PRECISION;
    v_tokens DOUBLE PRECISION;
    v_last DOUBLE PRECISION;
    v_expires DOUBLE PRECISION;
    v_add DOUBLE PRECISION;
  BEGIN
    LOOP
      SELECT b.tokens, b.last_refill, b.expires_at INTO v_tokens, v_last, v_expires
        FROM ${p}_buckets b WHERE b.key = p_key FOR UPDATE;
      EXIT WHEN FOUND;
      INSERT INTO ${p}_buckets (key, tokens, last_refill, expires_at) VALUES (p_key, 0, 0, 0)
        ON CONFLICT (key) DO NOTHING;
    END LOOP;
    v_now := ${p}_now();
    IF v_expires <= v_now THEN
      v_tokens := p_limit;
      v_last := v_now;
    END IF;
    v_add := floor((v_now - v_last) / p_refill);
    IF v_add > 0 THEN
      v_tokens := least(p_limit, v_tokens + v_add);
      v_last := v_last + v_add * p_refill;
    END IF;
    IF v_tokens >= p_limit THEN
      v_last := v_now;
    END IF;
    remaining := v_tokens - p_tokens;
    IF p_overflow OR remaining >= 0 THEN
      v_tokens := remaining;
    END IF;
    UPDATE ${p}_buckets
      SET tokens = v_tokens, last_refill = v_last,
        expires_at = v_last + (ceil(p_limit - v_tokens) + 1) * p_refill
      WHERE key = p_key;
    elapsed := greatest(0, v_now - v_last);
  END
  $$`,
  // The delay before sending, the epoch to report feedback under, and the phase seen.
  `CREATE OR REPLACE FUNCTION ${p}_adaptive_consume(
    p_key TEXT, p_tokens DOUBLE PRECISION, p_fallback_window DOUBLE PRECISION,
    OUT delay DOUBLE PRECISION, OUT epoch INTEGER, OUT phase TEXT
  ) LANGUAGE plpgsql AS $$
  DECLARE
    v_now DOUBLE PRECISION;
    v_found BOOLEAN;
    s ${p}_adaptive%ROWTYPE;
    v_refill DOUBLE PRECISION;
    v_elapsed DOUBLE PRECISION;
    v_remaining DOUBLE PRECISION;
  BEGIN
    -- No row: no state, and none made (the first 429 makes it).
    SELECT * INTO s FROM ${p}_adaptive a WHERE a.key = p_key FOR UPDATE;
    v_found := FOUND;
    v_now := ${p}_now();
    IF NOT v_found OR s.expires_at <= v_now THEN
      delay := 0;
      epoch := 0;
      phase := 'inactive';
      RETURN;
    END IF;
    IF s.phase = 'cooldown' THEN
      IF s.cooldown_until > v_now THEN
        delay := s.cooldown_until - v_now;
        epoch := s.epoch;
        phase := 'cooldown';
        RETURN;
      END IF;
      UPDATE ${p}_adaptive SET phase = 'learning', epoch = s.epoch + 1, learning_started_at = v_now,
        observed_tokens = p_tokens, expires_at = v_now + p_fallback_window + ${adaptiveGraceMillis}
        WHERE key = p_key;
      delay := 0;
      epoch := s.epoch + 1;
      phase := 'learning';
      RETURN;
    END IF;
    IF s.phase = 'learning' THEN
      UPDATE ${p}_adaptive SET observed_tokens = s.observed_tokens + p_tokens WHERE key = p_key;
      delay := 0;
      epoch := s.epoch;
      phase := 'learning';
      RETURN;
    END IF;
    -- learned: a fixed window of the learned limit and length
    v_refill := s.learned_window_millis / s.learned_limit;
    IF s.cooldown_until <= v_now THEN
      s.observed_tokens := 0;
      s.cooldown_until := v_now;
    END IF;
    s.observed_tokens := s.observed_tokens + p_tokens;
    s.cooldown_until := s.cooldown_until + v_refill * p_tokens;
    UPDATE ${p}_adaptive SET observed_tokens = s.observed_tokens, cooldown_until = s.cooldown_until
      WHERE key = p_key;
    v_elapsed := s.observed_tokens * v_refill - (s.cooldown_until - v_now);
    v_remaining := floor((s.observed_tokens - 1) / s.learned_limit) * s.learned_window_millis - v_elapsed;
    delay := greatest(0, v_remaining);
    epoch := s.epoch;
    phase := 'learned';
  END
  $$`,
  // A 429 (with its Retry-After, clamped by the caller) for a request sent under `p_epoch`.
  `CREATE OR REPLACE FUNCTION ${p}_adaptive_feedback(
    p_key TEXT, p_epoch INTEGER, p_tokens DOUBLE PRECISION, p_retry_after DOUBLE PRECISION
  ) RETURNS void LANGUAGE plpgsql AS $$
  DECLARE
    v_now DOUBLE PRECISION;
    v_cooldown_until DOUBLE PRECISION;
    v_window DOUBLE PRECISION;
    s ${p}_adaptive%ROWTYPE;
  BEGIN
    LOOP
      SELECT * INTO s FROM ${p}_adaptive a WHERE a.key = p_key FOR UPDATE;
      EXIT WHEN FOUND;
      INSERT INTO ${p}_adaptive VALUES (p_key, 'cooldown', 0, 0, 0, 0, 0, 0, 0) ON CONFLICT (key) DO NOTHING;
    END LOOP;
    v_now := ${p}_now();
    v_cooldown_until := v_now + p_retry_after;
    IF s.expires_at <= v_now THEN
      IF p_epoch <> 0 THEN
        RETURN;
      END IF;
      UPDATE ${p}_adaptive SET phase = 'cooldown', epoch = 0, cooldown_until = v_cooldown_until,
        learning_started_at = 0, observed_tokens = 0, learned_limit = 0, learned_window_millis = 0,
        expires_at = v_cooldown_until + ${adaptiveGraceMillis}
        WHERE key = p_key;
      RETURN;
    END IF;
    IF s.epoch <> p_epoch THEN
      RETURN;
    END IF;
    IF s.phase = 'cooldown' THEN
      v_cooldown_until := greatest(s.cooldown_until, v_cooldown_until);
      UPDATE ${p}_adaptive SET cooldown_until = v_cooldown_until,
        expires_at = v_cooldown_until + ${adaptiveGraceMillis}
        WHERE key = p_key;
      RETURN;
    END IF;
    IF s.phase = 'learning' AND s.observed_tokens - p_tokens > 0 THEN
      v_window := (v_now - s.learning_started_at) + p_retry_after;
      v_window := CASE WHEN v_window <= 0 THEN 1 ELSE least(v_window, ${adaptiveMaxWindowMillis}) END;
      UPDATE ${p}_adaptive SET phase = 'learned', epoch = s.epoch + 1,
        cooldown_until = s.learning_started_at + v_window, observed_tokens = s.observed_tokens - p_tokens,
        learned_limit = s.observed_tokens - p_tokens, learned_window_millis = v_window,
        expires_at = v_now + v_window + ${adaptiveGraceMillis}
        WHERE key = p_key;
      RETURN;
    END IF;
    -- learning with nothing accepted, or learned: refused again, so cool down
    UPDATE ${p}_adaptive SET phase = 'cooldown', cooldown_until = v_cooldown_until, learning_started_at = 0,
      observed_tokens = 0, learned_limit = 0, learned_window_millis = 0,
      expires_at = v_cooldown_until + ${adaptiveGraceMillis}
      WHERE key = p_key;
  END
  $$`
]

/**
 * The store, on the `SqlClient` in context (PostgreSQL only: another dialect fails here). Creates
 * its tables and functions if missing (replacing the functions with this version's), and deletes
 * expired rows every 5 minutes while its scope is open.
 *
 * @example
 * ```ts
 * import { Duration, Effect } from "effect"
 * import { RateLimiterSql } from "effect-belvo/workflow"
 *
 * // Needs a SqlClient (PostgreSQL) and a Scope.
 * const taken = Effect.gen(function* () {
 *   const store = yield* RateLimiterSql.makeStore()
 *   return yield* store.fixedWindow({ key: "belvo", tokens: 1, refillRate: Duration.millis(20), limit: 50 })
 * }) // [count, milliseconds the window has left]
 * ```
 *
 * @since 1.1.0
 * @category constructors
 */
export const makeStore = Effect.fnUntraced(function* (options?: Options) {
  const prefix = options?.prefix ?? "effect_belvo_rate_limit"
  // The longest name made from it (`<prefix>_adaptive_feedback`) must fit PostgreSQL's 63 bytes.
  if (!/^[a-z_][a-z0-9_]{0,44}$/.test(prefix)) {
    return yield* Effect.fail(
      storeError(
        `RateLimiterSql: the prefix ${JSON.stringify(prefix)} is not a plain lowercase SQL name of at most 45 characters`
      )(undefined)
    )
  }
  const sql = yield* SqlClient.SqlClient
  yield* sql.onDialectOrElse({
    pg: () => Effect.void,
    orElse: () =>
      Effect.fail(
        storeError("RateLimiterSql needs PostgreSQL: the SqlClient in context is another database")(undefined)
      )
  })
  yield* sql
    .withTransaction(
      Effect.andThen(
        sql`SELECT pg_advisory_xact_lock(hashtext(${prefix}))`,
        Effect.forEach(schema(prefix), (statement) => sql.unsafe(statement), { discard: true })
      )
    )
    .pipe(
      Effect.mapError(storeError(`RateLimiterSql: could not create the tables and functions of ${prefix}`))
    )

  const fn = (name: string) => sql(`${prefix}_${name}`)
  const prune = Effect.forEach(
    ["windows", "buckets", "adaptive"],
    (table) => sql`DELETE FROM ${sql(`${prefix}_${table}`)} WHERE expires_at <= ${fn("now")}()`,
    { discard: true }
  ).pipe(
    Effect.catch((error) => Effect.logDebug(`RateLimiterSql: expired rows not deleted: ${error.message}`)),
    Effect.repeat(Schedule.spaced(pruneEvery))
  )
  yield* Effect.forkScoped(Effect.andThen(Effect.sleep(pruneEvery), prune))

  return RateLimiter.RateLimiterStore.of({
    fixedWindow: (options) =>
      sql<{ count: number; ttl: number }>`SELECT count, ttl FROM ${fn("fixed_window")}(
        ${options.key}, ${options.tokens}::float8, ${Duration.toMillis(options.refillRate)}::float8,
        ${options.limit ?? null}::float8)`.pipe(
        Effect.map((rows) => [Number(rows[0]!.count), Number(rows[0]!.ttl)] as const),
        Effect.mapError(storeError("Failed to execute fixedWindow rate limiting command"))
      ),
    tokenBucket: (options) =>
      sql<{ remaining: number; elapsed: number }>`SELECT remaining, elapsed FROM ${fn("token_bucket")}(
        ${options.key}, ${options.tokens}::float8, ${options.limit}::float8,
        ${Duration.toMillis(options.refillRate)}::float8, ${options.allowOverflow}::boolean)`.pipe(
        Effect.map((rows) => [Number(rows[0]!.remaining), Number(rows[0]!.elapsed)] as const),
        Effect.mapError(storeError("Failed to execute tokenBucket rate limiting command"))
      ),
    adaptiveConsume: (options) =>
      sql<{ delay: number; epoch: number; phase: RateLimiter.AdaptivePhase }>`SELECT delay, epoch, phase
        FROM ${fn("adaptive_consume")}(${options.key}, ${options.tokens}::float8,
          ${Duration.toMillis(options.fallbackWindow)}::float8)`.pipe(
        Effect.map((rows) => {
          const row = rows[0]!
          const delay = Number(row.delay)
          return {
            delay: delay <= 0 ? Duration.zero : Duration.millis(delay),
            epoch: Number(row.epoch),
            phase: row.phase
          }
        }),
        Effect.mapError(storeError("Failed to execute adaptiveConsume rate limiting command"))
      ),
    adaptiveFeedback: (options) => {
      // As Effect's stores: only a 429 that says when to come back teaches anything.
      if (options.status !== 429 || options.retryAfter === undefined) return Effect.void
      const retryAfter = clampMillis(Duration.toMillis(options.retryAfter))
      return sql`SELECT ${fn("adaptive_feedback")}(${options.key}, ${options.epoch}::int,
        ${options.tokens}::float8, ${retryAfter}::float8)`.pipe(
        Effect.asVoid,
        Effect.mapError(storeError("Failed to execute adaptiveFeedback rate limiting command"))
      )
    }
  })
})

/**
 * The store as a layer, for `RateLimiter.layer` (`effect/persistence`) or anything else that
 * needs a `RateLimiterStore`.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { RateLimiter } from "effect/persistence"
 * import type { SqlClient } from "effect/sql"
 * import { RateLimiterSql } from "effect-belvo/workflow"
 *
 * declare const Database: Layer.Layer<SqlClient.SqlClient> // PgClient.layer({ url }) from @effect/sql-pg
 * const Limiter = RateLimiter.layer.pipe(Layer.provide(RateLimiterSql.layerStore()), Layer.provide(Database))
 * ```
 *
 * @since 1.1.0
 * @category layers
 */
export const layerStore = (
  options?: Options
): Layer.Layer<RateLimiter.RateLimiterStore, RateLimiter.RateLimiterError, SqlClient.SqlClient> =>
  Layer.effect(RateLimiter.RateLimiterStore, makeStore(options))

/**
 * A `RateLimiter` on this store: put it in context of `BelvoClient.layer` and every process on the
 * same database shares the client's `rateLimit`.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { NodeHttpClient } from "@effect/platform-node"
 * import type { SqlClient } from "effect/sql"
 * import { BelvoClient } from "effect-belvo"
 * import { RateLimiterSql } from "effect-belvo/workflow"
 *
 * declare const Database: Layer.Layer<SqlClient.SqlClient> // PgClient.layer({ url }) from @effect/sql-pg
 * const Belvo = BelvoClient.layerConfig({ rateLimit: { limit: 20, interval: "1 second" } }).pipe(
 *   Layer.provide(NodeHttpClient.layerUndici),
 *   Layer.provide(RateLimiterSql.layer()),
 *   Layer.provide(Database)
 * )
 * ```
 *
 * @since 1.1.0
 * @category layers
 */
export const layer = (
  options?: Options
): Layer.Layer<RateLimiter.RateLimiter, RateLimiter.RateLimiterError, SqlClient.SqlClient> =>
  RateLimiter.layer.pipe(Layer.provide(layerStore(options)))
