/**
 * `GET /api/br/balances/{id}/`: one stored balance of a link the secret owns.
 *
 * @internal
 */
import type * as Sandbox from "../Sandbox.js"
import { documented } from "./errors.js"
import { type Incoming, json, type Outgoing } from "./exchange.js"
import { UUID } from "./formats.js"
import * as Query from "./query.js"
import * as Serialize from "./serialize.js"

export const detail = (sandbox: Sandbox.Service, secret: string, request: Incoming, id: string): Outgoing => {
  const balance = UUID.test(id) ? sandbox.model.balance(id.toLowerCase()) : undefined
  if (balance === undefined) return documented(sandbox, "not_found")
  if (sandbox.model.link(balance.link)?.owner !== secret)
    return documented(sandbox, "access_to_resource_denied")
  return json(
    200,
    Serialize.balance(balance, Query.projection(request.url.searchParams), sandbox.settings.quoteAmounts)
  )
}
