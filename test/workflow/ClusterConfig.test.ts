/**
 * ClusterConfig.sharding: the settings every process of a LinkSync cluster shares, and a runner's
 * backpressure (the engine's `maxResidentEntities`). The scale benchmark measures what they do.
 */
import { assert, describe, it } from "@effect/vitest"
import * as ShardingConfig from "effect/cluster/ShardingConfig"
import * as Duration from "effect/Duration"
import * as fc from "fast-check"
import { ClusterConfig } from "../../src/workflow/index.js"

const millis = (input: Duration.Input | undefined): number =>
  Duration.toMillis(Duration.fromInputUnsafe(input!))

describe("ClusterConfig.sharding", () => {
  it("bounds a runner's syncs at 6,000, below the engine's default, with 60 shards, locks of 9 s refreshed every 3 s and health checks every second", () => {
    const config = ClusterConfig.sharding()
    assert.strictEqual(config.maxResidentEntities, 6_000)
    assert.isBelow(6_000, ShardingConfig.defaults.maxResidentEntities as number)
    assert.strictEqual(config.shardsPerGroup, 60)
    assert.strictEqual(millis(config.shardLockExpiration), 9_000)
    assert.strictEqual(millis(config.shardLockRefreshInterval), 3_000)
    assert.strictEqual(millis(config.runnerHealthCheckInterval), 1_000)
    assert.strictEqual(millis(config.entityMessagePollInterval), 500)
  })

  it("takes maxSyncs and a lock expiration, refreshing a lock three times in its life", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 3, max: 600 }),
        (maxSyncs, seconds) => {
          const config = ClusterConfig.sharding({ maxSyncs, shardLockExpiration: Duration.seconds(seconds) })
          assert.strictEqual(config.maxResidentEntities, maxSyncs)
          assert.strictEqual(millis(config.shardLockExpiration), seconds * 1000)
          assert.closeTo(millis(config.shardLockRefreshInterval), (seconds * 1000) / 3, 0.001)
          // Every process must agree on the shard count, whatever a runner's own bound.
          assert.strictEqual(config.shardsPerGroup, ClusterConfig.defaults.shardsPerGroup)
        }
      )
    )
  })

  it("refuses a bound that is not a positive whole number, and a lock that lives no time", () => {
    for (const maxSyncs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => ClusterConfig.sharding({ maxSyncs }), /maxSyncs must be a positive integer/)
    }
    assert.throws(
      () => ClusterConfig.sharding({ shardLockExpiration: Duration.zero }),
      /shardLockExpiration must be longer than zero/
    )
  })
})
