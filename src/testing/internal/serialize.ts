/**
 * Wire serialization: balances and list pages to JSON text, written by hand from the spec. Amounts
 * are decimal strings in the model and JSON number literals on the wire (`1000.10` keeps its
 * decimals, as Python's Decimal renders them), or JSON strings with `quoteAmounts`.
 *
 * @internal
 */
import * as Balance from "../../Balance.js"
import type * as SandboxModel from "../SandboxModel.js"

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?$/

const AMOUNT_FIELDS = new Set<string>(Balance.amountFieldNames)

const isAmount = (key: string) => AMOUNT_FIELDS.has(key)

/** One balance with only `keys`, in that order. */
export const balance = (
  balance: SandboxModel.WireBalance,
  keys: ReadonlyArray<Balance.Field>,
  quoteAmounts: boolean
): string => {
  let out = "{"
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!
    const value = balance[key]
    const text =
      isAmount(key) && typeof value === "string" && !quoteAmounts && JSON_NUMBER.test(value)
        ? value
        : isAmount(key) && typeof value === "number" && quoteAmounts
          ? JSON.stringify(String(value))
          : JSON.stringify(value)
    out += `${k === 0 ? "" : ","}"${key}":${text}`
  }
  return `${out}}`
}

/** A JSON array of balances. */
export const balances = (
  list: ReadonlyArray<SandboxModel.WireBalance>,
  keys: ReadonlyArray<Balance.Field>,
  quoteAmounts: boolean
): string => {
  const parts = new Array<string>(list.length)
  for (let i = 0; i < list.length; i++) parts[i] = balance(list[i]!, keys, quoteAmounts)
  return `[${parts.join(",")}]`
}

/** A DRF page: `results` is JSON text already. */
export const page = (
  count: number,
  next: string | undefined,
  previous: string | undefined,
  results: string
): string =>
  `{"count":${count},"next":${next === undefined ? "null" : JSON.stringify(next)},"previous":${previous === undefined ? "null" : JSON.stringify(previous)},"results":${results}}`
