/**
 * The shard layout and limits `LinkSync` runs well with on `effect/cluster`, measured with
 * `npm run bench` (docs/scale.md): every process of a cluster (runners, and the client-only
 * processes that start syncs) passes {@link sharding} as its `shardingConfig`, so they agree on the
 * number of shards.
 *
 * The setting that matters most is `maxSyncs`, the backpressure: a runner holds at most that many
 * syncs at once (running, waiting for the rate limit, or finished less than 10 s ago, which the
 * engine keeps resident). Syncs launched beyond it wait in the database, costing nothing until a
 * slot frees up, so however many are launched a runner's memory and work stay what its bound
 * allows. The others keep a busy runner's shard locks: with the engine's defaults (300 shards, and
 * local messages encoded twice), 10,000 syncs launched at once on 2 cores made a runner miss a lock
 * refresh, drop its shards and run hundreds of retrieves again.
 *
 * @since 1.1.0
 */
import type * as ShardingConfig from "effect/cluster/ShardingConfig"
import * as Duration from "effect/Duration"

/**
 * What {@link sharding} lets a deployment change.
 *
 * @example
 * ```ts
 * import type { ClusterConfig } from "effect-belvo/workflow"
 *
 * const bigger: ClusterConfig.Options = { maxSyncs: 12_000 }
 * ```
 *
 * @since 1.1.0
 * @category settings
 */
export interface Options {
  /**
   * The most syncs a runner holds at once (the engine's `maxResidentEntities`; default 6,000). A
   * finished sync keeps its slot for 10 s more, so give a runner about 30 s worth of the requests per
   * second it may have to carry (docs/scale.md sizes it).
   */
  readonly maxSyncs?: number | undefined
  /**
   * How long a runner's shard locks live without a refresh: how soon a dead runner's syncs move to
   * the others (within this plus one refresh, a third of it). Shorter moves them sooner, but a
   * runner that cannot refresh within a third of it drops its shards.
   */
  readonly shardLockExpiration?: Duration.Input | undefined
}

const LOCK_EXPIRATION = Duration.seconds(9)

/** The engine refreshes a lock at most every third of its life, and gives each refresh that long. */
const refreshOf = (expiration: Duration.Duration): Duration.Duration => Duration.divideUnsafe(expiration, 3)

/**
 * The defaults of {@link sharding}: 6,000 syncs per runner, 60 shards, shard locks that live 9 s
 * (refreshed every 3 s), runners' health checked every second, storage polled every 500 ms, local
 * messages not encoded twice.
 *
 * @example
 * ```ts
 * import { ClusterConfig } from "effect-belvo/workflow"
 *
 * console.log(ClusterConfig.defaults.maxResidentEntities) // 6000
 * ```
 *
 * @since 1.1.0
 * @category settings
 */
export const defaults = {
  // A finished sync holds its slot 10 s more, and a runner may have to carry the whole limit alone
  // after the others die: 3,000 kept one runner under 150 of 200 requests/s, 6,000 reached 200.
  maxResidentEntities: 6_000,
  // Each final reply waits on a check of its shard's lock (two queries), shared by the replies in
  // flight on the same shard: fewer shards, fewer checks (0.78 per sync measured at 60), and 60 is
  // still plenty to spread over a dozen runners.
  shardsPerGroup: 60,
  // A dead runner's syncs move within this at the latest. A runner drops its shards when a refresh
  // takes longer than a third of it: with these settings the longest event-loop delay measured on
  // a busy 2-core machine was 1.8 s, under the 3 s allowed.
  shardLockExpiration: LOCK_EXPIRATION,
  shardLockRefreshInterval: refreshOf(LOCK_EXPIRATION),
  // The health check (a cluster singleton) pings every runner this often: a dead runner's shards
  // move as soon as it misses (3-4 s measured), not only once its locks expire. The default is 1 min.
  runnerHealthCheckInterval: Duration.seconds(1),
  // Work waiting in the database is noticed within this; the engine's default is 10 s.
  entityMessagePollInterval: Duration.millis(500),
  // A step's request to its own runner is handed over as it is, not encoded and decoded to imitate
  // a remote runner (a development check the engine does by default; every message is still encoded
  // for storage): 4.3-4.9 ms of runner CPU per sync down to 3.9 at two runners.
  simulateRemoteSerialization: false
} satisfies Partial<ShardingConfig.ShardingConfig["Service"]>

/**
 * The sharding settings for every process of a `LinkSync` cluster: pass them (with the runner's
 * own address on a runner) as `NodeClusterSocket.layer`'s `shardingConfig`. Every process must
 * use the same shard count, so build them in one place.
 *
 * @example
 * ```ts
 * import { NodeClusterSocket } from "@effect/platform-node"
 * import { Option } from "effect"
 * import { RunnerAddress } from "effect/cluster"
 * import { ClusterConfig } from "effect-belvo/workflow"
 *
 * const Runner = NodeClusterSocket.layer({
 *   storage: "sql",
 *   shardingConfig: {
 *     ...ClusterConfig.sharding({ maxSyncs: 2_000 }),
 *     runnerAddress: Option.some(RunnerAddress.make("10.0.0.7", 34431))
 *   }
 * })
 * const WebApp = NodeClusterSocket.layer({ clientOnly: true, storage: "sql", shardingConfig: ClusterConfig.sharding() })
 * ```
 *
 * @since 1.1.0
 * @category settings
 */
export const sharding = (options: Options = {}): Partial<ShardingConfig.ShardingConfig["Service"]> => {
  if (options.maxSyncs !== undefined && !(Number.isInteger(options.maxSyncs) && options.maxSyncs > 0)) {
    throw new RangeError(
      `ClusterConfig.sharding: maxSyncs must be a positive integer, got ${options.maxSyncs}`
    )
  }
  const expiration =
    options.shardLockExpiration === undefined
      ? defaults.shardLockExpiration
      : Duration.fromInputUnsafe(options.shardLockExpiration)
  if (!Duration.isGreaterThan(expiration, Duration.zero)) {
    throw new RangeError(
      `ClusterConfig.sharding: shardLockExpiration must be longer than zero, got ${Duration.format(expiration)}`
    )
  }
  return {
    ...defaults,
    maxResidentEntities: options.maxSyncs ?? defaults.maxResidentEntities,
    shardLockExpiration: expiration,
    shardLockRefreshInterval: refreshOf(expiration)
  }
}
