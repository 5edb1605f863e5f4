/**
 * A small seeded PRNG and counter-based hashing for the sandbox: deterministic data without
 * `Math.random`, and random access (record `i` of a generated link is `hash(seed, i)`), so a
 * million-record link costs nothing until a page of it is served.
 *
 * @internal
 */

/** murmur3's 32-bit finalizer: a cheap, well-mixed bijection on uint32. */
export const mix32 = (input: number): number => {
  let x = input >>> 0
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
  return (x ^ (x >>> 16)) >>> 0
}

/** Hashes a tuple of integers into a uint32; the order of the parts matters. */
export const hash = (...parts: ReadonlyArray<number>): number => {
  let h = 0x9e3779b9
  for (const part of parts) {
    h = mix32(h ^ mix32((part >>> 0) + Math.floor(part / 0x100000000)))
    h = (Math.imul(h, 5) + 0xe6546b64) >>> 0
  }
  return mix32(h)
}

/** FNV-1a over the string's UTF-16 code units. */
export const hashString = (input: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < input.length; i++) {
    h = Math.imul(h ^ input.charCodeAt(i), 0x01000193)
  }
  return h >>> 0
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, "0")

/** A sequential PRNG (mulberry32) with the helpers the sandbox needs. */
export class Prng {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  /** A uniform uint32. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
  /** A uniform integer in `[min, max]` (both inclusive, span below 2^32). */
  int(min: number, max: number): number {
    return min + (this.next() % (max - min + 1))
  }
  /** `n * 8` lowercase hex digits. */
  hex(words: number): string {
    let out = ""
    for (let i = 0; i < words; i++) out += hex8(this.next())
    return out
  }
  /** A version-4 shaped UUID. */
  uuid(): string {
    return uuidFromHex(this.hex(4))
  }
}

/** Lays 32 hex digits out as a version-4, variant-1 UUID. */
export const uuidFromHex = (hex: string): string =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${"89ab"[Number.parseInt(hex[16] ?? "0", 16) & 3]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`

/** 32 hex digits from a hash of the parts (for ids that must be reproducible). */
export const hexOf = (...parts: ReadonlyArray<number>): string =>
  hex8(hash(...parts, 1)) + hex8(hash(...parts, 2)) + hex8(hash(...parts, 3)) + hex8(hash(...parts, 4))
