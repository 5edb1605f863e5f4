/**
 * The transport-free request and response: an `Incoming` goes in, an `Outgoing` comes out. Every
 * adapter (the in-process client, the generic server app, the Node server) converts to and from
 * these two plain shapes; nothing behind them knows about an HTTP library.
 *
 * @internal
 */

/** A request as the sandbox sees it. */
export interface Incoming {
  readonly method: string
  /** Absolute: its origin is the one `next`/`previous` links use. */
  readonly url: URL
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** An answer; `transport` asks the adapter for a fault below HTTP instead of a plain reply. */
export interface Outgoing {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** `drop`: no answer at all; `truncate`: half the body under a `Content-Length` promising all. */
  readonly transport?: "drop" | "truncate" | undefined
}

const JSON_TYPE = { "content-type": "application/json" }

/** A JSON answer (the body is already JSON text). */
export const json = (status: number, body: string, headers: Record<string, string> = {}): Outgoing => ({
  status,
  headers: { ...JSON_TYPE, ...headers },
  body
})

/** No answer: the connection is dropped. */
export const dropped: Outgoing = { status: 0, headers: {}, body: "", transport: "drop" }
