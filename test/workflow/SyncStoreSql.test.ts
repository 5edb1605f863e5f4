/**
 * `SyncStore.layerSql` on a real PostgreSQL (started by the test, on 127.0.0.1): several stores on
 * separate connection pools stand for several processes. Claims are first once, budget
 * reservations are atomic, pending challenges keep their order, re-sends are counted once per key
 * (the in-memory store too), and stores starting together on an empty database all get their
 * tables.
 */
import { assert, describe, it } from "@effect/vitest"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { SyncStore } from "../../src/workflow/index.js"
import { postgresForFile } from "../support/database.js"

const database = postgresForFile()

/** A store on its own pool of `connections`: another process, as far as PostgreSQL can tell. */
const storeOn = (url: string, connections = 10) =>
  Effect.map(
    Layer.build(
      SyncStore.layerSql.pipe(
        Layer.provide(PgClient.layer({ url: Redacted.make(url), maxConnections: connections }))
      )
    ),
    (context) => Context.get(context, SyncStore.SyncStore)
  )

/** Two stores on two pools of one fresh database. */
const twoStores = (name: string) =>
  Effect.gen(function* () {
    const url = yield* database(name)
    const [a, b] = yield* Effect.all([storeOn(url), storeOn(url)], { concurrency: 2 })
    return { a, b, url }
  })

describe("SyncStore.layerSql on PostgreSQL", () => {
  it.live(
    "50 concurrent claims of one key from two pools: exactly one first, all see its time",
    () =>
      Effect.gen(function* () {
        const { a, b } = yield* twoStores("claims")
        const claims = yield* Effect.forEach(
          Array.from({ length: 50 }, (_, i) => i),
          (i) => (i % 2 === 0 ? a : b).claim("sync-1/retrieve", 1_000 + i),
          { concurrency: "unbounded" }
        )
        const first = claims.filter((claim) => claim.first)
        assert.lengthOf(first, 1)
        for (const claim of claims) assert.strictEqual(claim.at, first[0]?.at)
        // Ever after: not first, with the first claim's time.
        assert.deepStrictEqual(yield* a.claim("sync-1/retrieve", 9_999), { first: false, at: first[0]?.at })
        assert.isTrue((yield* b.claim("sync-2/retrieve", 5)).first)
      }),
    60_000
  )

  it.live(
    "100 concurrent reservations over a limit of 10: exactly 10 granted; a granted key again spends nothing",
    () =>
      Effect.gen(function* () {
        const { a, b } = yield* twoStores("budget")
        const reserve = (i: number) =>
          (i % 2 === 0 ? a : b).reserve({
            person: "12345678900",
            month: "2026-11",
            key: `sync-${i}`,
            limit: 10
          })
        const reservations = yield* Effect.forEach(
          Array.from({ length: 100 }, (_, i) => i),
          (i) => Effect.map(reserve(i), (reservation) => ({ i, ...reservation })),
          { concurrency: "unbounded" }
        )
        const granted = reservations.filter((r) => r.granted)
        assert.lengthOf(granted, 10)
        for (const r of reservations) assert.isAtMost(r.used, 10)
        assert.sameMembers(
          granted.map((r) => r.used),
          [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        )
        // The same sync asking again (a re-run after a crash): granted, nothing more spent.
        const again = yield* reserve(granted[0]!.i)
        assert.deepStrictEqual(again, { granted: true, used: 10 })
        const refused = reservations.find((r) => !r.granted)!
        assert.deepStrictEqual(yield* reserve(refused.i), { granted: false, used: 10 })
        // Another month, another person: budgets of their own.
        const other = yield* a.reserve({ person: "12345678900", month: "2026-12", key: "sync-0", limit: 10 })
        assert.deepStrictEqual(other, { granted: true, used: 1 })
      }),
    60_000
  )

  it.live(
    "pending challenges: oldest first across processes, a put replaces the sync's previous one, remove forgets it",
    () =>
      Effect.gen(function* () {
        const url = yield* database("pending")
        const a = yield* storeOn(url)
        // B starts later than A: its own counters must not put A's later challenges first.
        yield* Effect.sleep("50 millis")
        const b = yield* storeOn(url)
        const entry = (executionId: string, round = 1) => ({
          executionId,
          link: `link-${executionId}`,
          run: "r",
          round,
          challenge: `{"round":${round}}`
        })
        yield* b.putPending(entry("x"))
        yield* Effect.sleep("5 millis")
        yield* a.putPending(entry("y"))
        yield* Effect.sleep("5 millis")
        yield* b.putPending(entry("z"))
        const ids = (list: ReadonlyArray<SyncStore.Pending>) => list.map((p) => `${p.executionId}:${p.round}`)
        assert.deepStrictEqual(ids(yield* a.pending), ["x:1", "y:1", "z:1"])
        // The next round of x replaces its first, and is now the newest.
        yield* Effect.sleep("5 millis")
        yield* a.putPending(entry("x", 2))
        assert.deepStrictEqual(ids(yield* b.pending), ["y:1", "z:1", "x:2"])
        const x = (yield* b.pending).find((p) => p.executionId === "x")
        assert.deepStrictEqual(x, entry("x", 2))
        yield* b.removePending("y")
        yield* a.removePending("not-there")
        assert.deepStrictEqual(ids(yield* a.pending), ["z:1", "x:2"])
      }),
    60_000
  )

  it.live(
    "re-sends: each key counted once, however often and from however many processes it is recorded (SQL and memory)",
    () =>
      Effect.gen(function* () {
        const { a, b } = yield* twoStores("resends")
        const memory = yield* Effect.map(Layer.build(SyncStore.layerMemory), (context) =>
          Context.get(context, SyncStore.SyncStore)
        )
        for (const [first, second] of [
          [a, b],
          [memory, memory]
        ] as const) {
          assert.strictEqual(yield* first.resends, 0)
          yield* Effect.forEach(
            Array.from({ length: 20 }, (_, i) => i),
            (i) => (i % 2 === 0 ? first : second).recordResend("sync-1/resend", 1_000 + i),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(yield* second.resends, 1)
          yield* second.recordResend("sync-2/resend", 2_000)
          yield* first.recordResend("sync-2/resend", 2_001)
          assert.strictEqual(yield* first.resends, 2)
        }
      }),
    60_000
  )

  it.live(
    "stores starting together on an empty database all get their tables",
    () =>
      Effect.gen(function* () {
        for (let round = 0; round < 5; round++) {
          const url = yield* database(`fresh_${round}`)
          // Four processes at once, each creating the tables it needs (CREATE TABLE IF NOT EXISTS).
          const stores = yield* Effect.all(
            Array.from({ length: 4 }, () => storeOn(url, 2)),
            { concurrency: "unbounded" }
          )
          const claims = yield* Effect.forEach(stores, (store) => store.claim("k", 1), { concurrency: 4 })
          assert.strictEqual(claims.filter((claim) => claim.first).length, 1)
        }
      }),
    60_000
  )
})
