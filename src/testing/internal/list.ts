/**
 * `GET /api/br/balances/`: one DRF page of a link's stored balances, filtered, with `next` and
 * `previous` on the request's own origin and query.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Sandbox from "../Sandbox.js"
import { documented, errors } from "./errors.js"
import { type Incoming, json, type Outgoing } from "./exchange.js"
import * as Query from "./query.js"
import * as Serialize from "./serialize.js"

/** The request's own URL with `page` replaced (or removed for page 1, as DRF does). */
const pageUrl = (url: URL, page: number): string => {
  const next = new URL(url.href)
  next.hash = ""
  if (page === 1) next.searchParams.delete("page")
  else next.searchParams.set("page", String(page))
  return next.href
}

export const list = (sandbox: Sandbox.Service, secret: string, request: Incoming): Effect.Effect<Outgoing> =>
  Effect.gen(function* () {
    if (Duration.isPositive(sandbox.settings.pageLatency)) yield* Effect.sleep(sandbox.settings.pageLatency)
    const query = request.url.searchParams
    const parsed = Query.list(query)
    if (Array.isArray(parsed)) return errors(sandbox, 400, parsed)
    const link = sandbox.model.link(parsed.link)
    if (link !== undefined && link.owner !== secret) return documented(sandbox, "access_to_resource_denied")
    // A link nobody has is a filter matching nothing: an empty page.
    const selection =
      link === undefined ? { count: 0, slice: () => [] } : sandbox.model.select(link.id, parsed.filter)
    const pages = Math.max(1, Math.ceil(selection.count / parsed.pageSize))
    const page = Query.pageNumber(parsed.page, pages)
    // DRF answers an invalid or out-of-range page with 404.
    if (page < 1 || page > pages) return documented(sandbox, "not_found")
    const results = selection.slice((page - 1) * parsed.pageSize, page * parsed.pageSize)
    return json(
      200,
      Serialize.page(
        selection.count,
        page < pages ? pageUrl(request.url, page + 1) : undefined,
        page > 1 ? pageUrl(request.url, page - 1) : undefined,
        Serialize.balances(results, Query.projection(query), sandbox.settings.quoteAmounts)
      )
    )
  })
