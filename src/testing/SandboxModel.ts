/**
 * The sandbox's in-memory model of Belvo: secrets, the links they own, the accounts of each link
 * and the balances of each account, with deterministic seeded demo data.
 *
 * Balances are kept in wire form (the JSON the API sends), ordered per link by `collected_at` then
 * `id`, so serving a page is a slice. A *generated* link computes its record `i` from `(seed, i)` on
 * demand instead of storing it, so a link with a million balances costs no memory; balances added
 * to it later are stored after the generated ones.
 *
 * The model is plain synchronous code; the {@link Sandbox} service wraps it with a clock, MFA
 * sessions, faults and a request log.
 *
 * @since 0.1.0
 */
import * as Balance from "../Balance.js"
import { AMOUNT_RULE, decimalOf } from "../internal/amount.js"
import { hash, hashString, hexOf, Prng, uuidFromHex } from "./internal/random.js"
import {
  contains,
  everything,
  formatMicros,
  type Interval,
  MICROS_PER_DAY,
  MICROS_PER_MS,
  parseDate,
  parseTimestamp
} from "./internal/time.js"

/**
 * The secret id of the well-known demo credentials (HTTP basic auth user name).
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * const auth = `Basic ${btoa(`${SandboxModel.defaultSecretId}:${SandboxModel.defaultSecretPassword}`)}`
 * console.log(auth.startsWith("Basic ")) // true
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultSecretId = "2f0b7a5e-6c1d-4b8e-9f3a-5d7c1e9b2a40"

/**
 * The secret password of the well-known demo credentials.
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * console.log(SandboxModel.defaultSecretPassword.length > 0) // true
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultSecretPassword = "sandbox-secret-password"

/**
 * A second secret that owns {@link otherLinkId}: requests with the default secret for that link
 * get 403 `access_to_resource_denied`.
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * console.log(SandboxModel.otherSecretId) // "9c4e2d71-3a8b-4f60-b5e2-7d1a0c3f8e65"
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const otherSecretId = "9c4e2d71-3a8b-4f60-b5e2-7d1a0c3f8e65"

/**
 * The password of {@link otherSecretId}.
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * console.log(SandboxModel.otherSecretPassword) // "other-secret-password"
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const otherSecretPassword = "other-secret-password"

/**
 * A plain link of the default secret with two accounts and stored balances.
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * console.log(SandboxModel.plainLinkId) // "8848bd0c-9c7e-4f53-a732-ec896b11d4c4"
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const plainLinkId = "8848bd0c-9c7e-4f53-a732-ec896b11d4c4"

/**
 * The two accounts of {@link plainLinkId}.
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * console.log(SandboxModel.plainAccountIds.length) // 2
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const plainAccountIds: readonly [string, string] = [
  "c4bfecf9-4eb6-4920-9f9f-e1f1e60ef321",
  "85b77707-90ef-46fd-9059-5a757f24247a"
]

/**
 * A link of the default secret whose institution asks for an MFA token on every retrieval
 * (POST answers 428 `token_required`; resume with PATCH and {@link tokenFor}).
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * console.log(SandboxModel.mfaLinkId) // "30cb4806-6e00-48a4-91c9-ca55968576c8"
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const mfaLinkId = "30cb4806-6e00-48a4-91c9-ca55968576c8"

/**
 * The account of {@link mfaLinkId}.
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * console.log(SandboxModel.mfaAccountId) // "e2cdb621-f44a-4558-89f6-8ab2a57add7a"
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const mfaAccountId = "e2cdb621-f44a-4558-89f6-8ab2a57add7a"

/**
 * How an institution wants its MFA answered: `"token"`, a code the person types (the resume
 * carries it); `"confirm"`, an approval on another device (the 428 says `expects_user_input:
 * false` and the resume is sent without a token).
 *
 * @example
 * ```ts
 * import type { SandboxModel } from "effect-belvo/testing"
 *
 * const kind: SandboxModel.MfaKind = "confirm"
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export type MfaKind = "token" | "confirm"

/**
 * A link of the default secret whose institution asks the person to confirm each retrieval on
 * another device: POST answers 428 with `expects_user_input: false`, and a PATCH without a token
 * completes it.
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * console.log(SandboxModel.confirmLinkId) // "7d1c9a52-0f3e-4b8a-9c61-2e5d8f4a7b90"
 * ```
 *
 * @since 1.0.0
 * @category defaults
 */
export const confirmLinkId = "7d1c9a52-0f3e-4b8a-9c61-2e5d8f4a7b90"

/**
 * The account of {@link confirmLinkId}.
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * console.log(SandboxModel.confirmAccountId) // "b3f0e6d4-5a27-4c19-8e4b-6f2a1d9c7e35"
 * ```
 *
 * @since 1.0.0
 * @category defaults
 */
export const confirmAccountId = "b3f0e6d4-5a27-4c19-8e4b-6f2a1d9c7e35"

/**
 * A generated link of the default secret with three accounts and `largeLinkBalances` balances
 * (100,000 by default), spread evenly over the seed's date span.
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * console.log(SandboxModel.largeLinkId) // "1bd948f7-245d-4313-b604-34d1044cb908"
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const largeLinkId = "1bd948f7-245d-4313-b604-34d1044cb908"

/**
 * A link owned by {@link otherSecretId}, not by the default secret.
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * console.log(SandboxModel.otherLinkId) // "5722d0ba-69d7-42dc-8ff5-33767b83c5d6"
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const otherLinkId = "5722d0ba-69d7-42dc-8ff5-33767b83c5d6"

/**
 * The MFA token that answers a challenge: the challenge's `token_generation_data.value` reversed
 * (`"482913"` → `"319284"`). Challenge values are never palindromes, so echoing the value back is
 * always a wrong token. Accepts the value itself or any object carrying it (a 428 body item, an
 * `MfaChallenge`, or `{ value }`). A challenge without a value (a confirmation on another device,
 * which expects no token) is a thrown error: there is no token to give.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * console.log(SandboxModel.tokenFor("482913")) // "319284"
 * console.log(SandboxModel.tokenFor({ token_generation_data: { value: "482913" } })) // "319284"
 * const resumed = Balances.retrieve({ link: SandboxModel.mfaLinkId }).pipe(
 *   Effect.catchTag("TokenRequired", (error) => Balances.resume(error.challenge, SandboxModel.tokenFor(error.challenge)))
 * )
 * ```
 *
 * @since 0.1.0
 * @category MFA
 */
export const tokenFor = (
  challenge:
    | string
    | { readonly value: string }
    | { readonly token_generation_data?: { readonly value?: string | undefined } | undefined }
    | { readonly tokenGenerationData: { readonly value: string } }
): string => {
  const value =
    typeof challenge === "string"
      ? challenge
      : "value" in challenge
        ? challenge.value
        : "tokenGenerationData" in challenge
          ? challenge.tokenGenerationData.value
          : challenge.token_generation_data?.value
  if (value === undefined) {
    throw new Error(
      "SandboxModel.tokenFor: this challenge has no value; it expects no token (resume without one)"
    )
  }
  return Array.from(value).reverse().join("")
}

/**
 * An API key pair: `id` is the basic-auth user name, `password` the password.
 *
 * @example
 * ```ts
 * import type { SandboxModel } from "effect-belvo/testing"
 *
 * const secret: SandboxModel.Secret = { id: "my-id", password: "my-password" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Secret {
  readonly id: string
  readonly password: string
}

/**
 * A bank account of a link.
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * const accounts: ReadonlyArray<SandboxModel.Account> = SandboxModel.make().link(SandboxModel.plainLinkId)?.accounts ?? []
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Account {
  readonly id: string
  readonly link: string
  readonly internal_identification: string
}

/**
 * A link: owned by one secret, optionally asking for MFA, with its accounts. `generated` is the
 * number of balances computed on demand (0 for a plain link), `stored` the number kept in memory.
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * const link: SandboxModel.Link | undefined = SandboxModel.make().link(SandboxModel.mfaLinkId)
 * console.log(link?.mfa) // true
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Link {
  readonly id: string
  readonly owner: string
  readonly mfa: boolean
  /** How the institution wants the MFA answered, when `mfa` is true. */
  readonly mfaKind: MfaKind
  readonly accounts: ReadonlyArray<Account>
  readonly generated: number
  readonly stored: number
}

/**
 * A balance exactly as the API sends it: the 11 fields of the spec's `BalanceOFDA`, read from the
 * spec itself (not from the client's schema). Amounts are decimal strings (`"1000.02"`) the HTTP
 * layer writes as JSON number literals, so `1000.10` keeps its two decimals on the wire.
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * const [first]: ReadonlyArray<SandboxModel.WireBalance> = SandboxModel.make().balancesOf(SandboxModel.plainLinkId)
 * console.log(typeof first?.available) // "string"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface WireBalance {
  readonly id: string
  readonly link: string
  readonly account_id: string
  readonly account_internal_identification: string
  readonly collected_at: string
  readonly created_at: string
  readonly last_updated_at: string
  readonly currency: string
  readonly available: number | string
  readonly blocked: number | string
  readonly automatically_invested: number | string
}

/**
 * A balance to add: only `link` is required; the rest defaults sensibly (first account of the
 * link, fresh id, `collected_at` = `now`, amounts from the model's PRNG). An unknown `account_id`
 * is added to the link.
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * const input: SandboxModel.BalanceInput = { link: SandboxModel.plainLinkId, available: "10.00" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface BalanceInput {
  readonly link: string
  readonly account_id?: string | undefined
  readonly id?: string | undefined
  readonly account_internal_identification?: string | undefined
  readonly collected_at?: string | undefined
  readonly created_at?: string | undefined
  readonly last_updated_at?: string | undefined
  readonly currency?: string | undefined
  readonly available?: number | string | undefined
  readonly blocked?: number | string | undefined
  readonly automatically_invested?: number | string | undefined
}

/**
 * Options of {@link Model.addLink}. `accounts` is a count (ids generated) or explicit accounts.
 *
 * @example
 * ```ts
 * import type { SandboxModel } from "effect-belvo/testing"
 *
 * const options: SandboxModel.LinkOptions = { owner: "my-id", mfa: true, accounts: [{ internal_identification: "1" }] }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface LinkOptions {
  readonly id?: string | undefined
  readonly owner?: string | undefined
  /**
   * `true` (or `"token"`): every retrieve answers 428 and the resume needs the token
   * ({@link tokenFor}). `"confirm"`: the person confirms on another device, so the 428 says
   * `expects_user_input: false` and the resume carries no token.
   */
  readonly mfa?: boolean | MfaKind | undefined
  readonly accounts?:
    | number
    | ReadonlyArray<{
        readonly id?: string | undefined
        readonly internal_identification?: string | undefined
      }>
    | undefined
}

/**
 * Options of {@link Model.addGeneratedLink}: `count` balances cycling over `accounts` accounts,
 * `collected_at` spread evenly from `from` (inclusive) to `to` (exclusive), values from `seed`.
 *
 * @example
 * ```ts
 * import type { SandboxModel } from "effect-belvo/testing"
 *
 * const options: SandboxModel.GeneratedLinkOptions = { count: 1_000_000, accounts: 4, from: "2024-01-01", to: "2025-01-01" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface GeneratedLinkOptions extends LinkOptions {
  readonly count: number
  readonly seed?: number | undefined
  readonly from?: string | undefined
  readonly to?: string | undefined
}

/**
 * List filters already parsed: `undefined` means "no filter", an empty set matches nothing.
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * const filter: SandboxModel.Filter = { accounts: new Set([SandboxModel.plainAccountIds[0]]) }
 * const count = SandboxModel.make().select(SandboxModel.plainLinkId, filter).count
 * ```
 *
 * @since 0.1.0
 * @category querying
 */
export interface Filter {
  readonly accounts?: ReadonlySet<string> | undefined
  readonly ids?: ReadonlySet<string> | undefined
  /** Half-open interval of microseconds since the epoch `[lo, hi)`. */
  readonly collected?: Interval | undefined
  readonly created?: Interval | undefined
}

/**
 * The balances of one link matching a {@link Filter}, in the link's order: `count` of them, and
 * `slice(start, end)` materializes a window (a page).
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * const selection: SandboxModel.Selection = SandboxModel.make().select(SandboxModel.largeLinkId)
 * const secondPage = selection.slice(100, 200)
 * ```
 *
 * @since 0.1.0
 * @category querying
 */
export interface Selection {
  readonly count: number
  readonly slice: (start: number, end: number) => ReadonlyArray<WireBalance>
}

/**
 * How {@link make} seeds the model. With `defaults` (on by default) it holds the demo secrets
 * and links above; `links` adds that many random links (of the default secret) with
 * `accountsPerLink` accounts and `balancesPerAccount` balances each, collected between `from` and
 * `to`. Everything derives from `seed`: the same options give the same data.
 *
 * @example
 * ```ts
 * import type { SandboxModel } from "effect-belvo/testing"
 *
 * const options: SandboxModel.SeedOptions = { seed: 9, links: 3, balancesPerAccount: 100, from: "2023-01-01" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface SeedOptions {
  readonly seed?: number | undefined
  readonly defaults?: boolean | undefined
  readonly largeLinkBalances?: number | undefined
  readonly links?: number | undefined
  readonly accountsPerLink?: number | undefined
  readonly balancesPerAccount?: number | undefined
  readonly from?: string | undefined
  readonly to?: string | undefined
}

/**
 * The mutable in-memory model. Timestamps passed as `now` are milliseconds since the epoch (what
 * `Clock.currentTimeMillis` gives).
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * const model: SandboxModel.Model = SandboxModel.make({ seed: 1 })
 * console.log(model.authenticate(SandboxModel.defaultSecretId, SandboxModel.defaultSecretPassword)) // true
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Model {
  readonly seed: number
  readonly addSecret: (secret: Secret) => void
  readonly authenticate: (id: string, password: string) => boolean
  readonly addLink: (options?: LinkOptions) => Link
  readonly addGeneratedLink: (options: GeneratedLinkOptions) => Link
  readonly addAccount: (
    link: string,
    options?: { readonly id?: string | undefined; readonly internal_identification?: string | undefined }
  ) => Account
  /** Adds balances (validated and sorted into place); returns them in wire form. */
  readonly addBalances: (inputs: Iterable<BalanceInput>, now: number) => ReadonlyArray<WireBalance>
  readonly link: (id: string) => Link | undefined
  readonly links: () => ReadonlyArray<Link>
  /** A balance by id, with its link (for ownership checks). */
  readonly balance: (id: string) => WireBalance | undefined
  /** Every balance of a link, in order (materializes generated ones: mind big links). */
  readonly balancesOf: (link: string) => ReadonlyArray<WireBalance>
  readonly select: (link: string, filter?: Filter) => Selection
  /** Fresh "current" balances of a link's accounts (or one account), as a retrieval returns them. */
  readonly current: (link: string, accountId: string | undefined, now: number) => ReadonlyArray<WireBalance>
  /** Fresh 32 hex digits (request ids, MFA sessions), deterministic per model. */
  readonly hex32: () => string
  /** A fresh numeric MFA challenge value: 6 digits, never a palindrome. */
  readonly challengeValue: () => string
}

interface Stored {
  readonly wire: WireBalance
  readonly collected: number
  readonly created: number
}

interface Generator {
  readonly count: number
  readonly seed: number
  readonly from: number
  readonly step: number
  readonly prefix: string
  readonly accounts: ReadonlyArray<Account>
}

interface LinkState {
  readonly id: string
  readonly owner: string
  readonly mfa: boolean
  readonly mfaKind: MfaKind
  readonly accounts: Array<Account>
  readonly gen: Generator | undefined
  readonly stored: Array<Stored>
}

const cents = (value: number): string => `${Math.floor(value / 100)}.${String(value % 100).padStart(2, "0")}`

// ---------------------------------------------------------------------------------------------
// One generator of balances: what a balance draws, and in which order
// ---------------------------------------------------------------------------------------------

/** A whole number from 0 to `range` for one part of a balance. */
type Draw = (part: "updated" | "available" | "blocked" | "invested", range: number) => number

/** Draws in call order from a seeded PRNG: stored, seeded and current balances. */
const fromPrng =
  (prng: Prng): Draw =>
  (_, range) =>
    prng.int(0, range)

const HASH_PART = { updated: 3, available: 4, blocked: 5, invested: 6 } as const

/** Draws from a counter-based hash of the balance's index: a generated link's, any one in O(1). */
const fromHash =
  (seed: number, i: number): Draw =>
  (part, range) =>
    hash(seed, i, HASH_PART[part]) % range

type Drawn = Pick<WireBalance, "last_updated_at" | "available" | "blocked" | "automatically_invested">

/**
 * The parts of a balance that are drawn, each unless `given`, in this order (which keeps every
 * seeded value what it has always been): updated up to an hour before collection, then the three
 * amounts in cents.
 */
const drawn = (collected: number, draw: Draw, given: Partial<Drawn> = {}): Drawn => {
  const last_updated_at = given.last_updated_at ?? formatMicros(collected - draw("updated", 3600) * 1_000_000)
  const available = given.available ?? cents(draw("available", 100_000_000))
  const blocked = given.blocked ?? cents(draw("blocked", 100_000))
  const automatically_invested = given.automatically_invested ?? cents(draw("invested", 10_000_000))
  return { last_updated_at, available, blocked, automatically_invested }
}

/** A wire balance of `account` from its identity, times and drawn parts. */
const wireOf = (
  identity: {
    readonly id: string
    readonly account: Account
    readonly internal?: string | undefined
    readonly collected_at: string
    readonly created_at: string
    readonly currency?: string | undefined
  },
  parts: Drawn
): WireBalance =>
  Object.freeze({
    id: identity.id,
    link: identity.account.link,
    account_id: identity.account.id,
    account_internal_identification: identity.internal ?? identity.account.internal_identification,
    collected_at: identity.collected_at,
    created_at: identity.created_at,
    last_updated_at: parts.last_updated_at,
    currency: identity.currency ?? "BRL",
    available: parts.available,
    blocked: parts.blocked,
    automatically_invested: parts.automatically_invested
  })

const genCollected = (gen: Generator, i: number) => gen.from + i * gen.step
const genCreated = (gen: Generator, i: number) =>
  genCollected(gen, i) + (hash(gen.seed, i, 2) % 600) * 1_000_000

/** Balance `i` of a generated link, the same however often and in whatever order it is asked for. */
const generated = (gen: Generator, i: number): WireBalance => {
  const collected = genCollected(gen, i)
  return wireOf(
    {
      id: gen.prefix + i.toString(16).padStart(12, "0"),
      account: gen.accounts[i % gen.accounts.length]!,
      collected_at: formatMicros(collected),
      created_at: formatMicros(genCreated(gen, i))
    },
    drawn(collected, fromHash(gen.seed, i))
  )
}

// ---------------------------------------------------------------------------------------------
// Reading a link: its generated balances, then its stored ones, both by collected_at
// ---------------------------------------------------------------------------------------------

const compareStored = (a: Stored, b: Stored): number =>
  a.collected - b.collected || (a.wire.id < b.wire.id ? -1 : a.wire.id > b.wire.id ? 1 : 0)

/** First index in `[0, n)` whose key is `>= bound`, for keys non-decreasing in the index. */
const lowerBound = (n: number, key: (i: number) => number, bound: number): number => {
  let lo = 0
  let hi = n
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (key(mid) < bound) lo = mid + 1
    else hi = mid
  }
  return lo
}

const GENERATED_SUFFIX = /^[0-9a-f]{12}$/

/** The index of a generated balance's id in `gen`, if it is one of its ids at all. */
const generatedIndex = (gen: Generator, id: string): number | undefined =>
  id.slice(0, 24) === gen.prefix && GENERATED_SUFFIX.test(id.slice(24))
    ? Number.parseInt(id.slice(24), 16)
    : undefined

/** The balances of `link` matching `filter`: counted first, sliced on demand. */
const selectIn = (link: LinkState, byId: ReadonlyMap<string, Stored>, filter: Filter): Selection => {
  const gen = link.gen
  const genCount = gen?.count ?? 0
  const collected = filter.collected ?? everything
  const created = filter.created ?? everything
  const stored = link.stored
  const storedKey = (j: number) => stored[j]!.collected
  // Both segments are sorted by collected_at: the collected filter is two binary searches each.
  const g0 = gen === undefined ? 0 : lowerBound(genCount, (i) => genCollected(gen, i), collected.lo)
  const g1 = gen === undefined ? 0 : lowerBound(genCount, (i) => genCollected(gen, i), collected.hi)
  const s0 = lowerBound(stored.length, storedKey, collected.lo)
  const s1 = lowerBound(stored.length, storedKey, collected.hi)
  const at = (index: number): WireBalance =>
    index < genCount ? generated(gen!, index) : stored[index - genCount]!.wire
  const simple =
    filter.accounts === undefined &&
    filter.ids === undefined &&
    created.lo === -Infinity &&
    created.hi === Infinity
  if (simple) {
    const genSpan = Math.max(0, g1 - g0)
    const count = genSpan + Math.max(0, s1 - s0)
    return {
      count,
      slice: (start, end) => {
        const out: Array<WireBalance> = []
        for (let k = Math.max(0, start); k < Math.min(end, count); k++) {
          out.push(at(k < genSpan ? g0 + k : genCount + s0 + (k - genSpan)))
        }
        return out
      }
    }
  }
  // Otherwise collect the matching indices (numbers only: no records are built here).
  const accountIndex = new Set<number>()
  gen?.accounts.forEach((a, k) => {
    if (filter.accounts === undefined || filter.accounts.has(a.id)) accountIndex.add(k)
  })
  const genMatches = (i: number) =>
    accountIndex.has(i % gen!.accounts.length) && contains(created, genCreated(gen!, i))
  const storedMatches = (s: Stored) =>
    (filter.accounts === undefined || filter.accounts.has(s.wire.account_id)) &&
    (filter.ids === undefined || filter.ids.has(s.wire.id)) &&
    contains(created, s.created)
  const indices: Array<number> = []
  if (filter.ids !== undefined) {
    for (const id of filter.ids) {
      const own = byId.get(id)
      if (own !== undefined) {
        if (own.wire.link !== link.id) continue
        const j = stored.indexOf(own)
        if (j >= s0 && j < s1 && storedMatches(own)) indices.push(genCount + j)
        continue
      }
      const i = gen === undefined ? undefined : generatedIndex(gen, id)
      if (i !== undefined && i >= g0 && i < g1 && genMatches(i)) indices.push(i)
    }
    indices.sort((a, b) => a - b)
  } else {
    for (let i = g0; i < g1; i++) if (genMatches(i)) indices.push(i)
    for (let j = s0; j < s1; j++) if (storedMatches(stored[j]!)) indices.push(genCount + j)
  }
  return {
    count: indices.length,
    slice: (start, end) => indices.slice(Math.max(0, start), end).map(at)
  }
}

// ---------------------------------------------------------------------------------------------
// Seeding checks
// ---------------------------------------------------------------------------------------------

const requireTime = (text: string | undefined, what: string, fallback: number): number => {
  if (text === undefined) return fallback
  const micros = parseTimestamp(text)
  if (micros === undefined) throw new Error(`SandboxModel: ${what} is not an ISO-8601 timestamp: ${text}`)
  return micros
}

const requireSpan = (text: string, what: string): number => {
  const micros = parseDate(text) ?? parseTimestamp(text)
  if (micros === undefined) throw new Error(`SandboxModel: ${what} is not a date or timestamp: ${text}`)
  return micros
}

/** What the client would refuse to read, seeding refuses, by the same definition and in its words. */
const requireAmounts = (input: BalanceInput): void => {
  for (const key of Balance.amountFieldNames) {
    const amount = input[key]
    if (amount !== undefined && decimalOf(amount) === undefined) {
      const got = typeof amount === "string" ? JSON.stringify(amount) : String(amount)
      throw new Error(`SandboxModel: ${key} must be ${AMOUNT_RULE}, got ${got}`)
    }
  }
}

const linkView = (state: LinkState): Link => ({
  id: state.id,
  owner: state.owner,
  mfa: state.mfa,
  mfaKind: state.mfaKind,
  accounts: state.accounts.slice(),
  generated: state.gen?.count ?? 0,
  stored: state.stored.length
})

/**
 * An empty model (no secrets, no links) whose generated ids and amounts derive from `seed`.
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * const model = SandboxModel.empty(42)
 * model.addSecret({ id: "me", password: "pw" })
 * const link = model.addLink({ owner: "me", accounts: 1 })
 * model.addBalances([{ link: link.id, available: "10.00" }], Date.UTC(2024, 0, 1))
 * console.log(model.select(link.id).count) // 1
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty = (seed = 1): Model => {
  const prng = new Prng(hash(seed, 0x5eed))
  const draw = fromPrng(prng)
  const secrets = new Map<string, string>()
  const links = new Map<string, LinkState>()
  const byId = new Map<string, Stored>()
  const generators = new Map<string, { readonly link: LinkState; readonly gen: Generator }>()

  const requireLink = (id: string): LinkState => {
    const state = links.get(id)
    if (state === undefined) throw new Error(`SandboxModel: unknown link ${id}`)
    return state
  }

  const newAccount = (
    link: string,
    options: { readonly id?: string | undefined; readonly internal_identification?: string | undefined } = {}
  ): Account => ({
    id: options.id ?? prng.uuid(),
    link,
    internal_identification:
      options.internal_identification ??
      String(prng.int(10_000_000, 99_999_999)) + String(prng.int(100_000, 999_999))
  })

  const addLinkState = (
    options: LinkOptions,
    gen?: (link: string, accounts: Array<Account>) => Generator
  ) => {
    const id = options.id ?? prng.uuid()
    if (links.has(id)) throw new Error(`SandboxModel: duplicate link ${id}`)
    const spec = options.accounts ?? 1
    const accounts =
      typeof spec === "number"
        ? Array.from({ length: spec }, () => newAccount(id))
        : spec.map((account) => newAccount(id, account))
    const generator = gen?.(id, accounts)
    const state: LinkState = {
      id,
      owner: options.owner ?? defaultSecretId,
      mfa: options.mfa !== undefined && options.mfa !== false,
      mfaKind: options.mfa === "confirm" ? "confirm" : "token",
      accounts,
      gen: generator,
      stored: []
    }
    links.set(id, state)
    if (generator !== undefined) generators.set(generator.prefix, { link: state, gen: generator })
    return state
  }

  const toStored = (input: BalanceInput, nowMicros: number): Stored => {
    const link = requireLink(input.link)
    let account =
      input.account_id === undefined ? link.accounts[0] : link.accounts.find((a) => a.id === input.account_id)
    if (account === undefined) {
      account = newAccount(link.id, input.account_id === undefined ? {} : { id: input.account_id })
      link.accounts.push(account)
    }
    const collected = requireTime(input.collected_at, "collected_at", nowMicros)
    const created = requireTime(input.created_at, "created_at", nowMicros)
    requireTime(input.last_updated_at, "last_updated_at", collected)
    requireAmounts(input)
    const id = input.id ?? prng.uuid()
    const wire = wireOf(
      {
        id,
        account,
        internal: input.account_internal_identification,
        collected_at: input.collected_at ?? formatMicros(collected),
        created_at: input.created_at ?? formatMicros(created),
        currency: input.currency
      },
      drawn(collected, draw, {
        ...(input.last_updated_at === undefined ? {} : { last_updated_at: input.last_updated_at }),
        ...(input.available === undefined ? {} : { available: input.available }),
        ...(input.blocked === undefined ? {} : { blocked: input.blocked }),
        ...(input.automatically_invested === undefined
          ? {}
          : { automatically_invested: input.automatically_invested })
      })
    )
    return { wire, collected, created }
  }

  const model: Model = {
    seed,
    addSecret: (secret) => {
      secrets.set(secret.id, secret.password)
    },
    authenticate: (id, password) => secrets.has(id) && secrets.get(id) === password,
    addLink: (options = {}) => linkView(addLinkState(options)),
    addGeneratedLink: (options) => {
      const genSeed = options.seed ?? hash(seed, hashString(options.id ?? String(links.size)))
      const from = requireSpan(options.from ?? "2024-01-01", "from")
      const to = options.to === undefined ? from + 365 * MICROS_PER_DAY : requireSpan(options.to, "to")
      const count = Math.max(0, Math.floor(options.count))
      // Whole seconds keep generated timestamps short (sub-second steps only for dense spans);
      // the span is exclusive of `to`.
      const raw = count === 0 || to <= from ? 0 : Math.floor((to - from) / count)
      const step = raw >= 1_000_000 ? Math.floor(raw / 1_000_000) * 1_000_000 : raw
      const prefixHex = hexOf(genSeed, 0x9e)
      const prefix = uuidFromHex(prefixHex).slice(0, 24)
      if (generators.has(prefix))
        throw new Error("SandboxModel: generated link prefix collision, change the seed")
      const state = addLinkState({ ...options, accounts: options.accounts ?? 3 }, (_, accounts) => {
        if (accounts.length === 0)
          throw new Error("SandboxModel: a generated link needs at least one account")
        return {
          count,
          seed: genSeed,
          from,
          step,
          prefix,
          accounts: accounts.slice()
        }
      })
      return linkView(state)
    },
    addAccount: (link, options) => {
      const state = requireLink(link)
      if (options?.id !== undefined && state.accounts.some((a) => a.id === options.id)) {
        throw new Error(`SandboxModel: duplicate account ${options.id}`)
      }
      const account = newAccount(link, options)
      state.accounts.push(account)
      return account
    },
    addBalances: (inputs, now) => {
      const added: Array<Stored> = []
      const touched = new Set<LinkState>()
      for (const input of inputs) {
        const stored = toStored(input, now * MICROS_PER_MS)
        if (byId.has(stored.wire.id) || model.balance(stored.wire.id) !== undefined) {
          throw new Error(`SandboxModel: duplicate balance id ${stored.wire.id}`)
        }
        const link = requireLink(stored.wire.link)
        byId.set(stored.wire.id, stored)
        link.stored.push(stored)
        touched.add(link)
        added.push(stored)
      }
      for (const link of touched) link.stored.sort(compareStored)
      return added.map((s) => s.wire)
    },
    link: (id) => {
      const state = links.get(id)
      return state === undefined ? undefined : linkView(state)
    },
    links: () => Array.from(links.values(), linkView),
    balance: (id) => {
      const stored = byId.get(id)
      if (stored !== undefined) return stored.wire
      const found = generators.get(id.slice(0, 24))
      const i = found === undefined ? undefined : generatedIndex(found.gen, id)
      return found !== undefined && i !== undefined && i < found.gen.count
        ? generated(found.gen, i)
        : undefined
    },
    balancesOf: (link) => {
      const selection = model.select(link)
      return selection.slice(0, selection.count)
    },
    select: (linkId, filter = {}) => {
      const link = links.get(linkId)
      return link === undefined ? { count: 0, slice: () => [] } : selectIn(link, byId, filter)
    },
    current: (linkId, accountId, now) => {
      const link = requireLink(linkId)
      const micros = now * MICROS_PER_MS
      const accounts =
        accountId === undefined ? link.accounts : link.accounts.filter((a) => a.id === accountId)
      return accounts.map((account) => {
        const id = prng.uuid()
        return wireOf(
          { id, account, collected_at: formatMicros(micros), created_at: formatMicros(micros) },
          drawn(micros, draw)
        )
      })
    },
    hex32: () => prng.hex(4),
    challengeValue: () => {
      for (;;) {
        const value = String(prng.int(100_000, 999_999))
        if (value[0] !== value[5]) return value
      }
    }
  }
  return model
}

/**
 * A seeded model: the demo secrets and links (unless `defaults: false`) plus `links` random ones.
 *
 * @example
 * ```ts
 * import { SandboxModel } from "effect-belvo/testing"
 *
 * const model = SandboxModel.make({ seed: 7, largeLinkBalances: 1_000_000 })
 * console.log(model.select(SandboxModel.largeLinkId).count) // 1000000
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: SeedOptions = {}): Model => {
  const seed = options.seed ?? 1
  const model = empty(seed)
  const prng = new Prng(hash(seed, 0xda7a))
  const from = requireSpan(options.from ?? "2024-01-01", "from")
  const to = options.to === undefined ? from + 366 * MICROS_PER_DAY : requireSpan(options.to, "to")
  const perAccount = options.balancesPerAccount ?? 30
  const spanSeconds = Math.max(1, Math.floor((to - from) / 1_000_000))

  const seedBalances = (link: Link) => {
    const inputs: Array<BalanceInput> = []
    for (const account of link.accounts) {
      for (let k = 0; k < perAccount; k++) {
        const collected = from + prng.int(0, spanSeconds - 1) * 1_000_000
        const id = prng.uuid()
        const created_at = formatMicros(collected + prng.int(0, 600) * 1_000_000)
        inputs.push({
          link: link.id,
          account_id: account.id,
          id,
          collected_at: formatMicros(collected),
          created_at,
          ...drawn(collected, fromPrng(prng))
        })
      }
    }
    model.addBalances(inputs, 0)
  }

  if (options.defaults ?? true) {
    model.addSecret({ id: defaultSecretId, password: defaultSecretPassword })
    model.addSecret({ id: otherSecretId, password: otherSecretPassword })
    seedBalances(
      model.addLink({
        id: plainLinkId,
        accounts: [
          { id: plainAccountIds[0], internal_identification: "92792126019929279212650822221989319252576" },
          { id: plainAccountIds[1], internal_identification: "00019876543210" }
        ]
      })
    )
    seedBalances(
      model.addLink({
        id: mfaLinkId,
        mfa: true,
        accounts: [{ id: mfaAccountId, internal_identification: "33301234567890" }]
      })
    )
    seedBalances(
      model.addLink({
        id: confirmLinkId,
        mfa: "confirm",
        accounts: [{ id: confirmAccountId, internal_identification: "44401234567890" }]
      })
    )
    model.addGeneratedLink({
      id: largeLinkId,
      count: options.largeLinkBalances ?? 100_000,
      seed: hash(seed, 0x1a),
      from: formatMicros(from),
      to: formatMicros(to)
    })
    seedBalances(model.addLink({ id: otherLinkId, owner: otherSecretId, accounts: 1 }))
  }
  for (let n = 0; n < (options.links ?? 0); n++) {
    seedBalances(model.addLink({ id: prng.uuid(), accounts: options.accountsPerLink ?? 2 }))
  }
  return model
}
