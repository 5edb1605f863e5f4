/**
 * Unknown keys, refused with the closest known one: a misspelled parameter (`saveData` for
 * `save_data`, `page_sise` for `page_size`) must never be dropped in silence, since the request
 * would then do what was not asked. The type-level half is `NoExtraKeys`, which makes an extra key
 * of an object literal a compile error even where a generic parameter would accept it.
 *
 * @internal
 */
import * as BelvoError from "../BelvoError.js"

/** Maps every key of `P` that `T` does not have to `never`: an object literal with one does not compile. */
export type NoExtraKeys<P, T> = { readonly [K in Exclude<keyof P, keyof T>]: never }

/**
 * The keys of `T`, from an object that names each of them once: a key left out, or one `T` does
 * not have, fails to compile, so a new option cannot be forgotten in the list checked at run time.
 */
export const of =
  <T>() =>
  (keys: { readonly [K in keyof T]-?: true }): ReadonlyArray<string> =>
    Object.keys(keys)

/** Lower case, no separators: `saveData`, `save-data` and `save_data` all read `savedata`. */
const normalize = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, "")

/** The edit distance between two short strings (keys are short, and only known keys are compared). */
const distance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      )
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

/** The known key closest to `key`, if one is close enough to be what was meant. */
export const closest = (key: string, known: ReadonlyArray<string>): string | undefined => {
  const wanted = normalize(key.slice(0, 64))
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of known) {
    const d = distance(wanted, normalize(candidate))
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(wanted.length / 3)) ? best : undefined
}

/** Why `key` is refused: not known, with the closest known key or the whole list. */
export const unknownKeyReason = (key: string, known: ReadonlyArray<string>): string => {
  const suggestion = closest(key, known)
  return suggestion === undefined
    ? `is not a known parameter (one of ${known.join(", ")})`
    : `is not a known parameter; did you mean "${suggestion}"?`
}

/**
 * The first key of `input` not in `known`, as an `InvalidQuery` naming it (and, in `where`, the
 * argument it was found in); `undefined` when every key is known. `input` itself must be an object.
 */
export const check = (
  where: string,
  input: unknown,
  known: ReadonlyArray<string>
): BelvoError.InvalidQuery | undefined => {
  if (input === undefined) return undefined
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return new BelvoError.InvalidQuery({ field: where, value: input, reason: "must be an object" })
  }
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) {
      return new BelvoError.InvalidQuery({
        field: where === "" ? key : `${where}.${key}`,
        value: (input as Record<string, unknown>)[key],
        reason: unknownKeyReason(key, known)
      })
    }
  }
  return undefined
}
