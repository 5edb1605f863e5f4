/**
 * Parsing the query string: the list filters and paging of `GET /api/br/balances/`, and the
 * `fields`/`omit` projection every answer with balances honours. Django's rules: the last value of
 * a repeated parameter wins, an empty value is no filter, every malformed one is reported.
 *
 * @internal
 */
import * as Balance from "../../Balance.js"
import type * as SandboxModel from "../SandboxModel.js"
import type { ErrorItem } from "./errors.js"
import { UUID } from "./formats.js"
import { everything, type Interval, intersect, type Lookup, lookupInterval, parseSpan } from "./time.js"

/** Django's QueryDict.get: the last value of a repeated parameter. */
const last = (query: URLSearchParams, key: string): string | undefined => {
  const all = query.getAll(key)
  return all.length === 0 ? undefined : all[all.length - 1]
}

const csv = (value: string | undefined): Array<string> =>
  value === undefined
    ? []
    : value
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0)

/** `fields` keeps the named first-level fields, then `omit` drops some; unknown names are ignored. */
export const projection = (query: URLSearchParams): ReadonlyArray<Balance.Field> => {
  const fields = csv(last(query, "fields"))
  const omit = new Set(csv(last(query, "omit")))
  return Balance.fieldNames.filter(
    (name) => (fields.length === 0 || fields.includes(name)) && !omit.has(name)
  )
}

/** A valid list query. `page` is as sent: it can only be checked against the page count. */
export interface ListQuery {
  readonly link: string
  readonly filter: SandboxModel.Filter
  readonly pageSize: number
  readonly page: string | undefined
}

const LOOKUPS: ReadonlyArray<Lookup> = ["exact", "gt", "gte", "lt", "lte"]

/** The list query, or every problem with it (400 `required`/`invalid` items with their field). */
export const list = (query: URLSearchParams): ListQuery | Array<ErrorItem> => {
  const problems: Array<ErrorItem> = []
  const invalid = (field: string, message: string) => problems.push({ code: "invalid", message, field })
  const uuid = (field: string): string | undefined => {
    const value = last(query, field)
    if (value === undefined || value === "") return undefined
    if (!UUID.test(value)) invalid(field, "Enter a valid UUID.")
    return value.toLowerCase()
  }
  const uuids = (field: string): Set<string> | undefined => {
    const value = last(query, field)
    if (value === undefined || value === "") return undefined
    const items = csv(value)
    if (items.some((item) => !UUID.test(item))) invalid(field, "Enter a valid UUID.")
    return new Set(items.map((item) => item.toLowerCase()))
  }
  const both = (one: string | undefined, many: Set<string> | undefined): Set<string> | undefined =>
    one === undefined ? many : new Set(many === undefined || many.has(one) ? [one] : [])

  const rawLink = last(query, "link")
  if (rawLink === undefined || rawLink === "") {
    problems.push({ code: "required", message: "This field is required.", field: "link" })
  }
  const link = uuid("link") ?? ""
  const accounts = both(uuid("account"), uuids("account__in"))
  let ids = both(uuid("id"), uuids("id__in"))
  const links = uuids("link__in")
  if (links !== undefined && !links.has(link)) ids = new Set()

  const interval = (base: string): Interval => {
    let result = everything
    for (const lookup of LOOKUPS) {
      const field = lookup === "exact" ? base : `${base}__${lookup}`
      const value = last(query, field)
      if (value === undefined || value === "") continue
      const span = parseSpan(value.trim())
      if (span === undefined) invalid(field, "Enter a valid date.")
      else result = intersect(result, lookupInterval(lookup, span))
    }
    const range = last(query, `${base}__range`)
    if (range !== undefined && range !== "") {
      const bounds = range.split(",").map((s) => s.trim())
      const from = bounds.length === 2 ? parseSpan(bounds[0]!) : undefined
      const to = bounds.length === 2 ? parseSpan(bounds[1]!) : undefined
      if (bounds.length !== 2) invalid(`${base}__range`, "Range query expects two values.")
      else if (from === undefined || to === undefined) invalid(`${base}__range`, "Enter a valid date.")
      else result = intersect(result, { lo: from.start, hi: to.end })
    }
    return result
  }
  const collected = interval("collected_at")
  const created = interval("created_at")

  let pageSize = 100
  const rawSize = last(query, "page_size")
  if (rawSize !== undefined && rawSize !== "") {
    if (!/^\+?\d+$/.test(rawSize.trim())) invalid("page_size", "A valid integer is required.")
    else if (Number(rawSize) < 1) invalid("page_size", "Ensure this value is greater than or equal to 1.")
    else pageSize = Math.min(1000, Number(rawSize))
  }
  if (problems.length > 0) return problems
  return { link, filter: { accounts, ids, collected, created }, pageSize, page: last(query, "page") }
}

/**
 * The page number `page` asks for out of `pages`: absent is 1, `last` is the last one, anything
 * else that is not a number is 0 (out of range, like a number past the end).
 */
export const pageNumber = (page: string | undefined, pages: number): number => {
  const raw = page?.trim()
  return raw === undefined || raw === "" ? 1 : raw === "last" ? pages : /^\d+$/.test(raw) ? Number(raw) : 0
}
