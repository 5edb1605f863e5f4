/**
 * What the balances commands ask for, as flags: every filter of `BalanceQuery.ListQuery` (named
 * after its wire name, `collected_at__gte` as `--collected-at-gte`), and `--fields` / `--omit`.
 * Values go to the library as given, so a wrong one is refused with the library's own
 * `InvalidQuery` before anything is sent.
 *
 * @since 1.1.0
 */
import * as Option from "effect/Option"
import * as Flag from "effect/cli/Flag"
import type { Balance, BalanceQuery } from "../index.js"

type FilterName = Exclude<keyof BalanceQuery.ListQuery, "link" | "fields" | "omit">

/** How a filter's text becomes a query value: as it is, a comma-separated list, or an integer. */
type Kind = "text" | "list" | "integer"

interface Filter {
  readonly kind: Kind
  readonly description: string
}

const date = "a date YYYY-MM-DD or an ISO-8601 timestamp"
const day = "a date YYYY-MM-DD"

// Every list filter, by wire name: the mapped type makes a filter added to ListQuery a compile
// error here until it has a flag.
const filters: { readonly [K in FilterName]-?: Filter } = {
  account: { kind: "text", description: "Only this account (its id)" },
  id: { kind: "text", description: "Only this balance (its id)" },
  link__in: { kind: "list", description: "Any of these links (ids, comma-separated)" },
  account__in: { kind: "list", description: "Any of these accounts (ids, comma-separated)" },
  id__in: { kind: "list", description: "Any of these balances (ids, comma-separated)" },
  page_size: { kind: "integer", description: "Balances per page, 1 to 1000 (default 1000)" },
  page: { kind: "integer", description: "Start at this page (default 1)" },
  collected_at: { kind: "text", description: `Collected on this day or at this instant (${date})` },
  collected_at__gt: { kind: "text", description: `Collected after (${date})` },
  collected_at__gte: { kind: "text", description: `Collected at or after (${date})` },
  collected_at__lt: { kind: "text", description: `Collected before (${date})` },
  collected_at__lte: { kind: "text", description: `Collected at or before (${date})` },
  collected_at__range: {
    kind: "list",
    description: `Collected from START to END inclusive: START,END (${date})`
  },
  created_at: { kind: "text", description: `Created on this day (${day})` },
  created_at__gt: { kind: "text", description: `Created after (${day})` },
  created_at__gte: { kind: "text", description: `Created on or after (${day})` },
  created_at__lt: { kind: "text", description: `Created before (${day})` },
  created_at__lte: { kind: "text", description: `Created on or before (${day})` },
  created_at__range: { kind: "list", description: `Created from START to END inclusive: START,END (${day})` }
}

/** A wire name as a flag name: `collected_at__gte` is `collected-at-gte`. */
const flagName = (wire: string): string => wire.replace(/_+/g, "-")

type FilterFlags = { readonly [K in FilterName]: Flag.Flag<Option.Option<string | number>> }

const filterFlag = (wire: string, filter: Filter): Flag.Flag<Option.Option<string | number>> => {
  const flag: Flag.Flag<string | number> =
    filter.kind === "integer" ? Flag.Int(flagName(wire)) : Flag.String(flagName(wire))
  return flag.pipe(Flag.withDescription(`${filter.description} [${wire}]`), Flag.optional)
}

/**
 * The flags of every list filter, keyed by wire name, for `Command.make`'s config.
 *
 * @example
 * ```ts
 * import * as Command from "effect/cli/Command"
 * import * as Query from "../src/cli/query.js"
 *
 * const list = Command.make("list", { filters: Query.filterFlags })
 * ```
 *
 * @since 1.1.0
 * @category flags
 */
export const filterFlags: FilterFlags = Object.fromEntries(
  Object.entries(filters).map(([wire, filter]) => [wire, filterFlag(wire, filter)])
) as FilterFlags

/**
 * The filter values parsed from {@link filterFlags}.
 *
 * @example
 * ```ts
 * import { Option } from "effect"
 * import type * as Query from "../src/cli/query.js"
 *
 * declare const values: Query.FilterValues
 * const pageSize = Option.getOrUndefined(values.page_size)
 * ```
 *
 * @since 1.1.0
 * @category flags
 */
export type FilterValues = { readonly [K in FilterName]: Option.Option<string | number> }

const splitList = (text: string): ReadonlyArray<string> => text.split(",")

const projectionFlag = (name: "fields" | "omit", description: string) =>
  Flag.String(name).pipe(Flag.withMetavar("FIELD,…"), Flag.withDescription(description), Flag.optional)

/**
 * `--fields` and `--omit`: which fields each balance carries (comma-separated field names).
 *
 * @example
 * ```ts
 * import * as Command from "effect/cli/Command"
 * import * as Query from "../src/cli/query.js"
 *
 * const get = Command.make("get", { ...Query.projectionFlags })
 * ```
 *
 * @since 1.1.0
 * @category flags
 */
export const projectionFlags = {
  fields: projectionFlag("fields", "Only these fields, e.g. id,available"),
  omit: projectionFlag("omit", "Every field but these, e.g. link,created_at")
}

/**
 * The values of {@link projectionFlags}.
 *
 * @example
 * ```ts
 * import { Option } from "effect"
 * import * as Query from "../src/cli/query.js"
 *
 * const values: Query.ProjectionValues = { fields: Option.some("id,available"), omit: Option.none() }
 * console.log(Query.projection(values)) // { fields: ["id", "available"] }
 * ```
 *
 * @since 1.1.0
 * @category flags
 */
export interface ProjectionValues {
  readonly fields: Option.Option<string>
  readonly omit: Option.Option<string>
}

/**
 * The projection the flags ask for. Field names are the library's to check, as with any query.
 *
 * @example
 * ```ts
 * import { Option } from "effect"
 * import * as Query from "../src/cli/query.js"
 *
 * console.log(Query.projection({ fields: Option.none(), omit: Option.some("link") })) // { omit: ["link"] }
 * ```
 *
 * @since 1.1.0
 * @category queries
 */
export const projection = (values: ProjectionValues): BalanceQuery.Projection => {
  // The names are checked by the library (BalanceQuery.encodeProjection) before any request.
  const names = (text: string) => splitList(text) as ReadonlyArray<Balance.Field>
  return {
    ...Option.match(values.fields, { onNone: () => ({}), onSome: (text) => ({ fields: names(text) }) }),
    ...Option.match(values.omit, { onNone: () => ({}), onSome: (text) => ({ omit: names(text) }) })
  }
}

/**
 * The list query of `balances list`: the link, each filter given, and the projection.
 *
 * @example
 * ```ts
 * import { Option } from "effect"
 * import * as Query from "../src/cli/query.js"
 *
 * declare const filters: Query.FilterValues
 * const query = Query.listQuery("8848bd0c-9c7e-4f53-a732-ec896b11d4c4", filters, { fields: Option.none(), omit: Option.none() })
 * ```
 *
 * @since 1.1.0
 * @category queries
 */
export const listQuery = (
  link: string,
  values: FilterValues,
  projected: ProjectionValues
): BalanceQuery.ListQuery => {
  const query: Record<string, unknown> = { link }
  for (const [wire, filter] of Object.entries(filters) as ReadonlyArray<[FilterName, Filter]>) {
    const value = values[wire]
    if (Option.isNone(value)) continue
    query[wire] = filter.kind === "list" ? splitList(String(value.value)) : value.value
  }
  // Values are the library's to check (BalanceQuery.encode): a bad one is an InvalidQuery.
  return { ...query, ...projection(projected) } as unknown as BalanceQuery.ListQuery
}
