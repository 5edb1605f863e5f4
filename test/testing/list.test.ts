/**
 * Properties of the list endpoint against a plain reference written here: for random datasets and
 * random filter combinations, the sandbox returns exactly the selected balances, in order, paged
 * without loss or duplicates, shaped by fields/omit.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fc from "fast-check"
import * as Balance from "../../src/Balance.js"
import { Sandbox, SandboxHttp, SandboxModel } from "../../src/testing/index.js"
import { call, checkProperty, type Json, list, PATH } from "./helpers.js"

const LINK = "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5"
const ACCOUNTS = [
  "a0000000-0000-4000-8000-000000000000",
  "a1111111-1111-4111-8111-111111111111",
  "a2222222-2222-4222-8222-222222222222"
]
const STRANGER = "ffffffff-ffff-4fff-bfff-ffffffffffff"
const DAY = 86_400_000
const BASE = Date.UTC(2024, 2, 30) // a span crossing a month end

interface Row {
  readonly id: string
  readonly account: string
  readonly collected: number
  readonly created: number
  readonly available: string
}

const rowArb: fc.Arbitrary<Omit<Row, "id">> = fc.record({
  account: fc.constantFrom(...ACCOUNTS),
  // whole seconds most of the time (ties on collected_at happen), milliseconds sometimes
  collected: fc.oneof(
    fc.integer({ min: 0, max: 4 * 24 * 60 }).map((minute) => BASE + minute * 60_000),
    fc.integer({ min: 0, max: 4 * DAY - 1 }).map((ms) => BASE + ms)
  ),
  created: fc.integer({ min: 0, max: 4 * DAY - 1 }).map((ms) => BASE + ms),
  available: fc
    .integer({ min: 0, max: 99_999_999_999 })
    .map((c) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, "0")}`)
})

const datasetArb: fc.Arbitrary<ReadonlyArray<Row>> = fc
  .uniqueArray(fc.uuid({ version: 4 }), { maxLength: 45 })
  .chain((ids) =>
    fc.tuple(...ids.map(() => rowArb)).map((rows) => rows.map((row, i) => ({ ...row, id: ids[i]! })))
  )

/** A filter value: a whole UTC day, or an instant written in one of several ISO-8601 spellings. */
type When = { readonly day: number; readonly text: string } | { readonly at: number; readonly text: string }

const pad = (n: number, width = 2) => String(n).padStart(width, "0")
const iso = (ms: number, offsetMinutes: number, style: "Z" | "offset" | "naive") => {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23)
  if (style === "Z") return `${local}Z`
  if (style === "naive") return local
  const sign = offsetMinutes < 0 ? "-" : "+"
  const abs = Math.abs(offsetMinutes)
  return `${local}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}

const whenArb = (rows: ReadonlyArray<Row>): fc.Arbitrary<When> => {
  const times = rows.flatMap((r) => [r.collected, r.created])
  const instant = fc.oneof(
    times.length === 0 ? fc.constant(BASE) : fc.constantFrom(...times),
    fc.integer({ min: -DAY, max: 5 * DAY }).map((ms) => BASE + ms)
  )
  return fc.oneof(
    fc.integer({ min: -1, max: 5 }).map((d) => {
      const day = BASE + d * DAY
      return { day, text: new Date(day).toISOString().slice(0, 10) }
    }),
    fc
      .tuple(
        instant,
        fc.constantFrom(-1, 0, 0, 1),
        fc.constantFrom(0, -180, 330),
        fc.constantFrom("Z", "offset", "naive")
      )
      .map(([ms, nudge, offset, style]) => {
        const at = ms + nudge
        return style === "offset"
          ? { at, text: iso(at, offset, "offset") }
          : { at, text: iso(at, 0, style as "Z" | "naive") }
      })
  )
}

type Lookup = "exact" | "gt" | "gte" | "lt" | "lte"

interface Query {
  readonly account?: string | undefined
  readonly account__in?: ReadonlyArray<string> | undefined
  readonly id?: string | undefined
  readonly id__in?: ReadonlyArray<string> | undefined
  readonly link__in?: ReadonlyArray<string> | undefined
  readonly collected: Readonly<Record<Lookup, When | undefined>>
  readonly collectedRange?: readonly [When, When] | undefined
  readonly created: Readonly<Record<Lookup, When | undefined>>
  readonly createdRange?: readonly [When, When] | undefined
}

/** Present about one time in five: combinations stay selective without always being empty. */
const sometimes = <A>(arb: fc.Arbitrary<A>) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: arb, weight: 1 })

const lookupsArb = (rows: ReadonlyArray<Row>) =>
  fc.record({
    exact: sometimes(whenArb(rows)),
    gt: sometimes(whenArb(rows)),
    gte: sometimes(whenArb(rows)),
    lt: sometimes(whenArb(rows)),
    lte: sometimes(whenArb(rows))
  })

const queryArb = (rows: ReadonlyArray<Row>): fc.Arbitrary<Query> => {
  const ids = rows.map((r) => r.id)
  const anId =
    ids.length === 0 ? fc.constant(STRANGER) : fc.oneof(fc.constantFrom(...ids), fc.constant(STRANGER))
  return fc.record({
    account: sometimes(fc.constantFrom(...ACCOUNTS, STRANGER)),
    account__in: sometimes(fc.subarray([...ACCOUNTS, STRANGER], { minLength: 1 })),
    id: sometimes(anId),
    id__in: sometimes(
      ids.length === 0 ? fc.constant<ReadonlyArray<string>>([STRANGER]) : fc.subarray(ids, { minLength: 1 })
    ),
    link__in: sometimes(fc.constantFrom([LINK], [STRANGER], [STRANGER, LINK])),
    collected: lookupsArb(rows),
    collectedRange: sometimes(fc.tuple(whenArb(rows), whenArb(rows))),
    created: lookupsArb(rows),
    createdRange: sometimes(fc.tuple(whenArb(rows), whenArb(rows)))
  })
}

// The reference: plain comparisons, written from the documented meaning of each lookup.
const matches = (t: number, lookup: Lookup, when: When): boolean => {
  if ("day" in when) {
    const start = when.day
    const end = when.day + DAY
    return { exact: t >= start && t < end, gt: t >= end, gte: t >= start, lt: t < start, lte: t < end }[
      lookup
    ]
  }
  return { exact: t === when.at, gt: t > when.at, gte: t >= when.at, lt: t < when.at, lte: t <= when.at }[
    lookup
  ]
}
const inRange = (t: number, [from, to]: readonly [When, When]) =>
  ("day" in from ? t >= from.day : t >= from.at) && ("day" in to ? t < to.day + DAY : t <= to.at)

const reference = (rows: ReadonlyArray<Row>, q: Query): Array<Row> =>
  rows
    .filter(
      (r) =>
        (q.account === undefined || r.account === q.account) &&
        (q.account__in === undefined || q.account__in.includes(r.account)) &&
        (q.id === undefined || r.id === q.id) &&
        (q.id__in === undefined || q.id__in.includes(r.id)) &&
        (q.link__in === undefined || q.link__in.includes(LINK)) &&
        Object.entries(q.collected).every(
          ([l, w]) => w === undefined || matches(r.collected, l as Lookup, w)
        ) &&
        Object.entries(q.created).every(([l, w]) => w === undefined || matches(r.created, l as Lookup, w)) &&
        (q.collectedRange === undefined || inRange(r.collected, q.collectedRange)) &&
        (q.createdRange === undefined || inRange(r.created, q.createdRange))
    )
    .sort((a, b) => a.collected - b.collected || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

const toParams = (q: Query): Record<string, string> => {
  const params: Record<string, string> = { link: LINK }
  if (q.account !== undefined) params.account = q.account
  if (q.account__in !== undefined) params.account__in = q.account__in.join(",")
  if (q.id !== undefined) params.id = q.id
  if (q.id__in !== undefined) params.id__in = q.id__in.join(",")
  if (q.link__in !== undefined) params.link__in = q.link__in.join(",")
  for (const [base, lookups, range] of [
    ["collected_at", q.collected, q.collectedRange],
    ["created_at", q.created, q.createdRange]
  ] as const) {
    for (const [lookup, when] of Object.entries(lookups)) {
      if (when !== undefined) params[lookup === "exact" ? base : `${base}__${lookup}`] = when.text
    }
    if (range !== undefined) params[`${base}__range`] = `${range[0].text},${range[1].text}`
  }
  return params
}

const seeded = (rows: ReadonlyArray<Row>) => {
  const model = SandboxModel.empty(5)
  model.addSecret({ id: SandboxModel.defaultSecretId, password: SandboxModel.defaultSecretPassword })
  model.addLink({
    id: LINK,
    accounts: ACCOUNTS.map((id) => ({ id, internal_identification: `int-${id.slice(0, 4)}` }))
  })
  model.addBalances(
    rows.map((r) => ({
      link: LINK,
      id: r.id,
      account_id: r.account,
      collected_at: new Date(r.collected).toISOString(),
      created_at: new Date(r.created).toISOString(),
      last_updated_at: new Date(r.collected - 60_000).toISOString(),
      available: r.available,
      blocked: "0.00",
      automatically_invested: "1.50"
    })),
    0
  )
  return SandboxHttp.layer({ model })
}

/** Follows `next` from page 1 to the end, checking each page's links on the way. */
const allPages = (params: Record<string, string>, pageSize: number) =>
  Effect.gen(function* () {
    const first = yield* list({ ...params, page_size: pageSize })
    assert.strictEqual(first.status, 200, first.text)
    const pages: Array<Json> = [first.json as Json]
    for (;;) {
      const page = pages[pages.length - 1]!
      if (page.next === null) break
      const next = new URL(page.next as string)
      assert.strictEqual(next.origin, "https://sandbox.belvo.com")
      assert.strictEqual(next.searchParams.get("page"), String(pages.length + 1))
      for (const [key, value] of Object.entries(params)) assert.strictEqual(next.searchParams.get(key), value)
      const answer = yield* call("GET", page.next as string)
      assert.strictEqual(answer.status, 200, answer.text)
      pages.push(answer.json as Json)
    }
    pages.forEach((page, k) => {
      const previous =
        page.previous === null ? null : new URL(page.previous as string).searchParams.get("page")
      assert.deepStrictEqual(previous, k === 0 ? null : k === 1 ? null : String(k))
      assert.strictEqual(page.previous === null, k === 0)
    })
    return pages
  })

describe("list filters and paging (properties)", () => {
  it.effect("any filter combination selects exactly what the reference selects, paged in order", () =>
    checkProperty(
      {
        input: datasetArb.chain((rows) =>
          fc.record({
            rows: fc.constant(rows),
            query: queryArb(rows),
            pageSize: fc.integer({ min: 1, max: 12 })
          })
        )
      },
      ({ input: { rows, query, pageSize } }) =>
        Effect.gen(function* () {
          const expected = reference(rows, query)
          const pages = yield* allPages(toParams(query), pageSize)
          const results = pages.flatMap((p) => p.results as Array<Json>)
          for (const page of pages) assert.strictEqual(page.count, expected.length)
          assert.strictEqual(pages.length, Math.max(1, Math.ceil(expected.length / pageSize)))
          pages.forEach((page, k) => {
            const size = (page.results as Array<unknown>).length
            assert.strictEqual(size, k < pages.length - 1 ? pageSize : expected.length - k * pageSize)
          })
          assert.deepStrictEqual(
            results.map((r) => r.id),
            expected.map((r) => r.id)
          )
          results.forEach((r, i) => {
            const row = expected[i]!
            assert.strictEqual(r.account_id, row.account)
            assert.strictEqual(Date.parse(r.collected_at as string), row.collected)
            assert.strictEqual(Date.parse(r.created_at as string), row.created)
            assert.strictEqual(r.available, Number(row.available))
          })
        }).pipe(Effect.provide(seeded(rows))),
      { numRuns: 120 }
    )
  )

  it.effect("fields and omit keep exactly the named first-level keys, in every item", () =>
    checkProperty(
      {
        rows: datasetArb.filter((rows) => rows.length > 0),
        fields: fc.subarray<string>([...Balance.fieldNames, "nonsense"]),
        omit: fc.subarray<string>([...Balance.fieldNames, "nonsense"])
      },
      ({ rows, fields, omit }) =>
        Effect.gen(function* () {
          const params: Record<string, string> = { link: LINK }
          if (fields.length > 0) params.fields = fields.join(",")
          if (omit.length > 0) params.omit = ` ${omit.join(" , ")} `
          const expected = Balance.fieldNames.filter(
            (f) => (fields.length === 0 || fields.includes(f)) && !omit.includes(f)
          )
          const page = (yield* list(params)).json as Json
          for (const item of page.results as Array<Json>) assert.deepStrictEqual(Object.keys(item), expected)
          const [first] = rows
          const detail = (yield* call("GET", `${PATH}${first!.id}/?${new URLSearchParams(params)}`))
            .json as Json
          assert.deepStrictEqual(Object.keys(detail), expected)
        }).pipe(Effect.provide(seeded(rows))),
      { numRuns: 60 }
    )
  )

  it.effect("a generated link filters and pages like its materialized balances", () =>
    checkProperty(
      {
        count: fc.integer({ min: 0, max: 3000 }),
        accounts: fc.integer({ min: 1, max: 4 }),
        seed: fc.integer({ min: 1, max: 1_000_000 }),
        from: fc.integer({ min: 0, max: 40 }),
        to: fc.integer({ min: 0, max: 40 }),
        account: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
        createdBefore: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
        pageSize: fc.integer({ min: 50, max: 1000 })
      },
      ({ count, accounts, seed, from, to, account, createdBefore, pageSize }) =>
        Effect.gen(function* () {
          const link = yield* Sandbox.addGeneratedLink({
            count,
            accounts,
            seed,
            from: "2024-02-01",
            to: "2024-03-12"
          })
          const all = yield* Sandbox.balancesOf(link.id)
          assert.strictEqual(all.length, count)
          const day = (d: number) => new Date(Date.UTC(2024, 1, 1) + d * DAY).toISOString().slice(0, 10)
          const params: Record<string, string> = {
            link: link.id,
            collected_at__gte: day(from),
            collected_at__lt: day(to)
          }
          const accountId = account === undefined ? undefined : (link.accounts[account]?.id ?? STRANGER)
          if (accountId !== undefined) params.account = accountId
          if (createdBefore !== undefined) params.created_at__lte = day(createdBefore)
          const lo = Date.UTC(2024, 1, 1) + from * DAY
          const hi = Date.UTC(2024, 1, 1) + to * DAY
          const expected = all.filter((b) => {
            const t = Date.parse(b.collected_at)
            return (
              t >= lo &&
              t < hi &&
              (accountId === undefined || b.account_id === accountId) &&
              (createdBefore === undefined ||
                Date.parse(b.created_at) < Date.UTC(2024, 1, 1) + (createdBefore + 1) * DAY)
            )
          })
          const pages = yield* allPages(params, pageSize)
          assert.deepStrictEqual(
            pages.flatMap((p) => (p.results as Array<Json>).map((r) => r.id)),
            expected.map((b) => b.id)
          )
          // generated records are in collected_at order and each is reachable by id
          for (let i = 1; i < all.length; i++) assert.isTrue(all[i - 1]!.collected_at <= all[i]!.collected_at)
          if (all.length > 0) {
            const last = all[all.length - 1]!
            const detail = yield* call("GET", `${PATH}${last.id}/`)
            assert.strictEqual((detail.json as Json).id, last.id)
          }
        }).pipe(Effect.provide(SandboxHttp.layer({ largeLinkBalances: 0 }))),
      { numRuns: 25 }
    )
  )
})

describe("list filters (examples)", () => {
  it.effect(
    "date-only bounds cover whole UTC days; timestamps compare exactly; '+' read as a space still works",
    () =>
      Effect.gen(function* () {
        const rows: Array<Row> = [
          {
            id: "10000000-0000-4000-8000-000000000001",
            account: ACCOUNTS[0]!,
            collected: Date.UTC(2024, 3, 1, 0, 0, 0),
            created: BASE,
            available: "1.00"
          },
          {
            id: "10000000-0000-4000-8000-000000000002",
            account: ACCOUNTS[0]!,
            collected: Date.UTC(2024, 3, 1, 23, 59, 59, 999),
            created: BASE,
            available: "2.00"
          },
          {
            id: "10000000-0000-4000-8000-000000000003",
            account: ACCOUNTS[1]!,
            collected: Date.UTC(2024, 3, 2, 0, 0, 0),
            created: BASE,
            available: "3.00"
          }
        ]
        const ids = (params: Record<string, string>) =>
          Effect.map(list({ link: LINK, ...params }), (a) =>
            ((a.json as Json).results as Array<Json>).map((r) => String(r.id).slice(-1))
          )
        yield* Effect.gen(function* () {
          assert.deepStrictEqual(yield* ids({ collected_at: "2024-04-01" }), ["1", "2"])
          assert.deepStrictEqual(yield* ids({ collected_at__gt: "2024-04-01" }), ["3"])
          assert.deepStrictEqual(yield* ids({ collected_at__lte: "2024-04-01" }), ["1", "2"])
          assert.deepStrictEqual(yield* ids({ collected_at__lt: "2024-04-02" }), ["1", "2"])
          assert.deepStrictEqual(yield* ids({ collected_at__range: "2024-04-01,2024-04-01" }), ["1", "2"])
          assert.deepStrictEqual(
            yield* ids({ collected_at__range: "2024-04-01T00:00:00Z,2024-04-02T00:00:00Z" }),
            ["1", "2", "3"]
          )
          assert.deepStrictEqual(yield* ids({ collected_at: "2024-04-01T23:59:59.999Z" }), ["2"])
          assert.deepStrictEqual(yield* ids({ collected_at__gt: "2024-04-01T23:59:59.999+00:00" }), ["3"])
          // an unencoded "+" in a query string arrives as a space
          const raw = yield* call(
            "GET",
            `${PATH}?link=${LINK}&collected_at__gte=2024-04-01T20:59:59.999-03:00&collected_at__lt=2024-04-01T21:00:00+03:00`
          )
          assert.deepStrictEqual(
            ((raw.json as Json).results as Array<Json>).map((r) => String(r.id).slice(-1)),
            []
          )
          const spaced = yield* call(
            "GET",
            `${PATH}?link=${LINK}&collected_at__gte=2024-04-02T02:00:00+02:00`
          )
          assert.deepStrictEqual(
            ((spaced.json as Json).results as Array<Json>).map((r) => String(r.id).slice(-1)),
            ["3"]
          )
          assert.deepStrictEqual(yield* ids({ collected_at__gte: "2024-04-01T20:59:59.999-03:00" }), [
            "2",
            "3"
          ])
          assert.deepStrictEqual(yield* ids({ account: ACCOUNTS[1]!, account__in: ACCOUNTS[0]! }), [])
          assert.deepStrictEqual(yield* ids({ id__in: `${rows[2]!.id},${rows[0]!.id}` }), ["1", "3"])
          assert.deepStrictEqual(yield* ids({ link__in: STRANGER }), [])
        }).pipe(Effect.provide(seeded(rows)))
      })
  )
})
