/**
 * What only the request path uses of a client, beside its public service: the configured
 * `HttpClient` before the limits (the path applies them itself, around its send hook), the limits,
 * and the redactor. `BelvoClient.make` attaches it to the service it builds, under a key the public
 * interface does not name. A service built by hand (a test double) sends through its own
 * `httpClient` as it is, with no limits and nothing to redact; one whose `httpClient` was replaced
 * sends through the replacement (which applies whatever limits it wraps) and keeps the redactor.
 *
 * @internal
 */
import type * as HttpClient from "effect/http/HttpClient"
import type { Service } from "../BelvoClient.js"
import * as Limits from "./limits.js"

export interface Transport {
  /** The public `httpClient` this transport belongs to. */
  readonly publicClient: HttpClient.HttpClient
  /** The configured client without the limits. */
  readonly httpClient: HttpClient.HttpClient
  readonly limits: Limits.Limits
  /** Clears the client's own credentials from a text the server chose. */
  readonly redact: (text: string) => string
}

const TransportKey: unique symbol = Symbol.for("effect-belvo/BelvoClient/Transport")

interface Carrier {
  readonly [TransportKey]?: Transport | undefined
}

/** `service` with its transport attached. */
export const attach = (service: Service, transport: Transport): Service =>
  Object.assign({ ...service }, { [TransportKey]: transport })

const identity = (text: string) => text

/** The transport of `service`; for a service built by hand, its own client as it is. */
export const of = (service: Service): Transport => {
  const attached = (service as Carrier)[TransportKey]
  if (attached !== undefined && attached.publicClient === service.httpClient) return attached
  return {
    publicClient: service.httpClient,
    httpClient: service.httpClient,
    limits: Limits.none,
    redact: attached?.redact ?? identity
  }
}
