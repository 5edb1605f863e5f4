/**
 * `effect-belvo/workflow`: durable syncs of many links on Effect's workflow engine, in one process
 * or across many, with shared limits.
 *
 * @since 1.0.0
 */

/**
 * The sync of one link as a durable workflow: retrieve, MFA tokens from anywhere, list into a sink.
 *
 * @since 1.0.0
 */
export * as LinkSync from "./LinkSync.js"

/**
 * Where a sync delivers the balances it lists, page by page, each once.
 *
 * @since 1.0.0
 */
export * as PageSink from "./PageSink.js"

/**
 * How a sync can fail beside the API's own errors.
 *
 * @since 1.0.0
 */
export * as SyncError from "./SyncError.js"

/**
 * The sync's durable bookkeeping: claims, monthly budgets, pending challenges; in memory or SQL.
 *
 * @since 1.0.0
 */
export * as SyncStore from "./SyncStore.js"

/**
 * A shared rate limit in PostgreSQL: a `RateLimiterStore` over `SqlClient`, for processes that
 * already share the engine's database.
 *
 * @since 1.1.0
 */
export * as RateLimiterSql from "./RateLimiterSql.js"

/**
 * The counters a sync records: syncs by outcome, re-runs after a stopped process, recoveries,
 * re-sends, budget refusals.
 *
 * @since 1.1.0
 */
export * as SyncMetrics from "./SyncMetrics.js"

/**
 * The shard layout and backpressure a `LinkSync` cluster runs well with, for every process's
 * `shardingConfig`.
 *
 * @since 1.1.0
 */
export * as ClusterConfig from "./ClusterConfig.js"
