import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fc from "fast-check"
import * as Schema from "effect/Schema"
import * as Balance from "../../src/Balance.js"
import { SandboxModel } from "../../src/testing/index.js"
import { formatMicros, parseDate, parseTimestamp } from "../../src/testing/internal/time.js"
import { checkProperty } from "./helpers.js"

describe("SandboxModel", () => {
  it("the same seed gives the same data; another seed other data", () => {
    const a = SandboxModel.make({ seed: 11, links: 2, largeLinkBalances: 50 })
    const b = SandboxModel.make({ seed: 11, links: 2, largeLinkBalances: 50 })
    const c = SandboxModel.make({ seed: 12, links: 2, largeLinkBalances: 50 })
    const dump = (m: SandboxModel.Model) => m.links().map((l) => [l, m.balancesOf(l.id)])
    assert.deepStrictEqual(dump(a), dump(b))
    assert.notDeepEqual(dump(a), dump(c))
    assert.strictEqual(a.links().length, 7)
    for (const link of a.links()) {
      assert.strictEqual(
        link.owner,
        link.id === SandboxModel.otherLinkId ? SandboxModel.otherSecretId : SandboxModel.defaultSecretId
      )
    }
    assert.isTrue(a.link(SandboxModel.mfaLinkId)?.mfa)
    assert.strictEqual(a.link(SandboxModel.mfaLinkId)?.mfaKind, "token")
    assert.strictEqual(a.link(SandboxModel.confirmLinkId)?.mfaKind, "confirm")
    assert.strictEqual(a.link(SandboxModel.largeLinkId)?.generated, 50)
  })

  it("seeded balances decode with the Balance schema, amounts like ^\\d{1,13}\\.\\d{2}$, in list order", () => {
    const model = SandboxModel.make({ seed: 3, links: 1, largeLinkBalances: 500 })
    for (const link of model.links()) {
      const balances = model.balancesOf(link.id)
      for (const balance of balances) {
        Schema.decodeUnknownSync(Balance.Balance)(balance)
        for (const amount of [balance.available, balance.blocked, balance.automatically_invested]) {
          assert.match(String(amount), /^\d{1,13}\.\d{2}$/)
        }
        assert.strictEqual(balance.currency, "BRL")
        assert.strictEqual(balance.link, link.id)
        assert.isTrue(link.accounts.some((a) => a.id === balance.account_id))
        assert.deepStrictEqual(model.balance(balance.id), balance)
      }
      for (let i = 1; i < balances.length; i++) {
        const [p, q] = [balances[i - 1]!, balances[i]!]
        assert.isTrue(p.collected_at < q.collected_at || (p.collected_at === q.collected_at && p.id < q.id))
      }
    }
  })

  it("a million-balance generated link costs nothing until a page is served", () => {
    const model = SandboxModel.make({ largeLinkBalances: 1_000_000 })
    const started = performance.now()
    const selection = model.select(SandboxModel.largeLinkId)
    const page = selection.slice(999_000, 1_000_000)
    assert.strictEqual(selection.count, 1_000_000)
    assert.strictEqual(page.length, 1000)
    assert.strictEqual(model.balance(page[999]!.id)?.id, page[999]!.id)
    // a date window is binary search, no scan
    const window = model.select(SandboxModel.largeLinkId, {
      collected: { lo: parseDate("2024-06-01")!, hi: parseDate("2024-06-02")! }
    })
    assert.isTrue(window.count > 2000 && window.count < 3000)
    for (const b of window.slice(0, window.count))
      assert.strictEqual(b.collected_at.slice(0, 10), "2024-06-01")
    assert.isBelow(performance.now() - started, 2000)
  })

  it("a dense generated link steps below a second and still filters by exact instants", () => {
    const model = SandboxModel.empty(4)
    const link = model.addGeneratedLink({
      count: 1000,
      from: "2024-01-01T00:00:00Z",
      to: "2024-01-01T00:01:00Z"
    })
    const all = model.balancesOf(link.id)
    assert.strictEqual(all[1]!.collected_at, "2024-01-01T00:00:00.060Z")
    assert.strictEqual(all[999]!.collected_at, "2024-01-01T00:00:59.940Z")
    const at = parseTimestamp("2024-01-01T00:00:30.000Z")!
    const selection = model.select(link.id, { collected: { lo: at, hi: at + 1 } })
    assert.deepStrictEqual(
      selection.slice(0, 10).map((b) => b.collected_at),
      ["2024-01-01T00:00:30Z"]
    )
    const backwards = model.addGeneratedLink({ count: 3, from: "2024-02-01", to: "2024-01-01" })
    assert.deepStrictEqual(
      model.balancesOf(backwards.id).map((b) => b.collected_at),
      ["2024-02-01T00:00:00Z", "2024-02-01T00:00:00Z", "2024-02-01T00:00:00Z"]
    )
  })

  it("tokenFor reverses the challenge value; values are never palindromes", () => {
    assert.strictEqual(SandboxModel.tokenFor("123456"), "654321")
    assert.strictEqual(SandboxModel.tokenFor({ value: "120" }), "021")
    assert.strictEqual(SandboxModel.tokenFor({ tokenGenerationData: { value: "9876" } }), "6789")
    const model = SandboxModel.empty(1)
    for (let i = 0; i < 2000; i++) {
      const value = model.challengeValue()
      assert.match(value, /^\d{6}$/)
      assert.notStrictEqual(SandboxModel.tokenFor(value), value)
    }
    const ids = new Set(Array.from({ length: 1000 }, () => model.hex32()))
    assert.strictEqual(ids.size, 1000)
    for (const id of ids) assert.match(id, /^[a-f0-9]{32}$/)
  })

  it("addBalances fills defaults, adds unknown accounts, and refuses a broken setup", () => {
    const model = SandboxModel.empty(2)
    const link = model.addLink({ accounts: 0 })
    const now = Date.UTC(2024, 0, 2, 3, 4, 5, 6)
    const [added] = model.addBalances(
      [{ link: link.id, account_id: "a0000000-0000-4000-8000-000000000000" }],
      now
    )
    assert.strictEqual(added!.collected_at, "2024-01-02T03:04:05.006Z")
    assert.strictEqual(model.link(link.id)!.accounts.length, 1)
    assert.throws(() => model.addBalances([{ link: "nope" }], now), /unknown link/)
    assert.throws(() => model.addBalances([{ link: link.id, id: added!.id }], now), /duplicate balance/)
    assert.throws(() => model.addBalances([{ link: link.id, collected_at: "yesterday" }], now), /timestamp/)
    assert.throws(() => model.addBalances([{ link: link.id, available: "1,00" }], now), /decimal/)
    assert.throws(() => model.addLink({ id: link.id }), /duplicate link/)
  })
})

describe("timestamps", () => {
  it.effect("format and parse round-trip at microsecond precision (property)", () =>
    checkProperty({ micros: fc.integer({ min: 0, max: 4_102_444_800_000_000 }) }, ({ micros }) =>
      Effect.sync(() => {
        const text = formatMicros(micros)
        assert.strictEqual(parseTimestamp(text), micros)
        assert.strictEqual(Date.parse(text), Math.floor(micros / 1000))
      })
    )
  )

  it("parses offsets, naive times, the '+' that arrived as a space, and rejects impossible dates", () => {
    const at = Date.UTC(2024, 4, 21, 8, 32) * 1000
    assert.strictEqual(parseTimestamp("2024-05-21T08:32:00Z"), at)
    assert.strictEqual(parseTimestamp("2024-05-21T08:32"), at)
    assert.strictEqual(parseTimestamp("2024-05-21T05:32:00-03:00"), at)
    assert.strictEqual(parseTimestamp("2024-05-21T10:32:00 02:00"), at)
    assert.strictEqual(parseTimestamp("2024-05-21T08:32:00.000123456Z"), at + 123)
    assert.strictEqual(parseDate("2024-02-29"), Date.UTC(2024, 1, 29) * 1000)
    for (const bad of [
      "2023-02-29",
      "2024-13-01",
      "2024-05-21T24:00:00Z",
      "21/05/2024",
      "2024-05-21T08:32:00+25:00"
    ]) {
      assert.strictEqual(parseDate(bad) ?? parseTimestamp(bad), undefined, bad)
    }
  })
})
