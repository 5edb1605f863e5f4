/**
 * Status and code to tagged error: reads a non-2xx answer once (its error items, code, request
 * id and `Retry-After`) into a `Failure`, and builds each documented error from it. Endpoints
 * pick builders into their own status table (see `StatusTable`), so each endpoint's error union
 * is derived from the statuses it documents. Also here: a transport failure classified by whether
 * the request can have reached the server.
 *
 * @internal
 */
import type * as Headers from "effect/http/Headers"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as BelvoError from "../BelvoError.js"
import type { MfaChallenge } from "../MfaChallenge.js"
import * as Codes from "./codes.js"
import { excerpt } from "./json.js"

/** The request, as errors name it: method and URL path (never the query, never credentials). */
export interface Route {
  readonly method: string
  readonly path: string
}

type ApiErrorFields = Schema.Struct.Type<typeof BelvoError.ApiErrorFields>

/** A non-2xx answer, read once: what every error builder starts from. */
export interface Failure {
  readonly route: Route
  readonly status: number
  /** The fields every API error carries, message included. */
  readonly fields: ApiErrorFields
  /** The first error item, when the body had one. */
  readonly first: BelvoError.ErrorItem | undefined
  /** The server's `Retry-After`, in milliseconds from receipt. */
  readonly retryAfterMillis: number | null
  /** The body, for an excerpt. */
  readonly text: string
  /** When the answer arrived, by the `Clock` (epoch milliseconds). */
  readonly receivedAt: number
}

/** An endpoint's documented statuses and the error each one becomes. */
export type StatusTable = { readonly [status: number]: (failure: Failure) => BelvoError.BelvoError }

/** Every error a status table can produce, plus what any status may become (429, undocumented). */
export type ErrorOf<T extends StatusTable> =
  | Extract<
      { readonly [K in keyof T]: T[K] extends (failure: Failure) => infer E ? E : never }[keyof T],
      BelvoError.BelvoError
    >
  | BelvoError.TooManyRequests
  | BelvoError.UnknownStatus

/** The request id Belvo puts in a response header, when the body does not carry one. */
export const headerRequestId = (headers: Headers.Headers): string | null => {
  const id = headers["x-request-id"] ?? headers["request-id"]
  return id === undefined ? null : excerpt(id, 100)
}

const defaultCode = (status: number): string => Codes.defaultFor[status] ?? `http_${status}`

const decodeItem = Schema.decodeUnknownOption(BelvoError.ErrorItem)

/** The MFA fields an item without a `code` may still carry (the older 428 shape). */
const Legacy = Schema.Struct({
  detail: Schema.String,
  session: Schema.optionalKey(Schema.String),
  expiry: Schema.optionalKey(Schema.Number),
  link: Schema.optionalKey(Schema.String)
})
const decodeLegacy = Schema.decodeUnknownOption(Legacy)

/** The most error items kept from one body, and the longest text kept of each of their fields. */
const MAX_ITEMS = 20
const MAX_FIELD = 500
// Token generation data may carry a QR code's payload: longer, still bounded.
const MAX_TOKEN_DATA = 65_536

const clip = <T extends string | undefined | null>(text: T, max = MAX_FIELD): T =>
  (typeof text === "string" && text.length > max ? excerpt(text, max) : text) as T

/** An item with every text the server chose bounded, so no error grows with the body. */
const bounded = (item: BelvoError.ErrorItem): BelvoError.ErrorItem => {
  const { token_generation_data: data, ...rest } = item
  const clipped: { -readonly [K in keyof BelvoError.ErrorItem]: BelvoError.ErrorItem[K] } = {
    code: clip(rest.code, 100)
  }
  if (rest.message !== undefined) clipped.message = clip(rest.message)
  if (rest.request_id !== undefined) clipped.request_id = clip(rest.request_id, 100)
  if (rest.field !== undefined) clipped.field = clip(rest.field, 200)
  if (rest.session !== undefined) clipped.session = clip(rest.session, 100)
  if (rest.expiry !== undefined) clipped.expiry = rest.expiry
  if (rest.link !== undefined) clipped.link = clip(rest.link, 100)
  if (data !== undefined) {
    clipped.token_generation_data = Object.fromEntries(
      Object.entries(data).map(([key, value]) => [
        key,
        typeof value === "string" ? clip(value, MAX_TOKEN_DATA) : value
      ])
    )
  }
  return clipped
}

/**
 * Error bodies are arrays of items; a single object, or a `{detail}` object (Django's default and
 * the older 428 shape, which adds `session`, `expiry` and `link`), is accepted too. At most
 * `MAX_ITEMS` are kept, each bounded.
 */
const errorItems = (status: number, text: string): ReadonlyArray<BelvoError.ErrorItem> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return []
  }
  const raw: ReadonlyArray<unknown> = Array.isArray(json) ? json : [json]
  const items: Array<BelvoError.ErrorItem> = []
  for (const entry of raw) {
    if (items.length === MAX_ITEMS) break
    const item = decodeItem(entry)
    if (Option.isSome(item)) {
      items.push(bounded(item.value))
      continue
    }
    const legacy = decodeLegacy(entry)
    if (Option.isSome(legacy)) {
      const { detail, ...mfa } = legacy.value
      items.push(bounded({ code: defaultCode(status), message: detail, ...mfa }))
    }
  }
  return items
}

/** Retry-After in seconds or as an HTTP date, in milliseconds from `now`. */
export const retryAfterMillis = (headers: Headers.Headers, now: number): number | null => {
  const value = headers["retry-after"]
  if (value === undefined) return null
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

/** Reads a non-2xx answer into a `Failure`. */
export const failure = (
  route: Route,
  status: number,
  headers: Headers.Headers,
  text: string,
  receivedAt: number,
  /** Clears the client's credentials from what the server chose (the body is cleared already). */
  redact: (text: string) => string
): Failure => {
  const items = errorItems(status, text)
  const first = items[0]
  const code = first?.code ?? defaultCode(status)
  const detail = first?.message ?? (text.trim() === "" ? "(empty body)" : excerpt(text, 200))
  const headerId = headerRequestId(headers)
  const request_id = first?.request_id ?? (headerId === null ? null : redact(headerId))
  return {
    route,
    status,
    first,
    text,
    receivedAt,
    retryAfterMillis: retryAfterMillis(headers, receivedAt),
    fields: {
      message: `${status} ${code}: ${detail} (${route.method} ${route.path}, request_id ${request_id ?? "none"})`,
      status,
      method: route.method,
      path: route.path,
      code,
      detail,
      request_id,
      errors: items
    }
  }
}

/** The error of `failure` by `table`: 429 is always `TooManyRequests`, an undocumented status `UnknownStatus`. */
export const toError = <T extends StatusTable>(table: T, failure: Failure): ErrorOf<T> => {
  if (failure.status === 429) {
    return new BelvoError.TooManyRequests({ ...failure.fields, retryAfterMillis: failure.retryAfterMillis })
  }
  const build = Object.hasOwn(table, failure.status) ? table[failure.status] : undefined
  if (build !== undefined) return build(failure) as ErrorOf<T>
  const { fields } = failure
  return new BelvoError.UnknownStatus({
    ...fields,
    message: `${fields.status} ${fields.code}: ${fields.detail} (${fields.method} ${fields.path}, request_id ${fields.request_id ?? "none"}; status not documented for this endpoint)`,
    body: excerpt(failure.text),
    retryAfterMillis: failure.retryAfterMillis
  })
}

// ---------------------------------------------------------------------------------------------
// Builders, one per documented status
// ---------------------------------------------------------------------------------------------

type BadRequestClass = new (fields: ApiErrorFields) => BelvoError.BadRequestError

/** The class of each 400 code's own error: complete, since the table names every one. */
const BAD_REQUEST: { readonly [Tag in Exclude<Codes.ErrorTagOf<400>, "ValidationError">]: BadRequestClass } =
  {
    SessionExpired: BelvoError.SessionExpired,
    TooManySessions: BelvoError.TooManySessions,
    LoginError: BelvoError.LoginError,
    InstitutionDown: BelvoError.InstitutionDown,
    InstitutionUnavailable: BelvoError.InstitutionUnavailable,
    InstitutionInactive: BelvoError.InstitutionInactive,
    InvalidLink: BelvoError.InvalidLink,
    UnconfirmedLink: BelvoError.UnconfirmedLink,
    UnsupportedOperation: BelvoError.UnsupportedOperation,
    InvalidPeriod: BelvoError.InvalidPeriod,
    InvalidCredentialsStorage: BelvoError.InvalidCredentialsStorage,
    InvalidFetchResources: BelvoError.InvalidFetchResources
  }

/** The table's entry for a code the server sent with `status`, if it has one. */
const known = (code: string, status: number): Codes.Code | undefined =>
  Codes.isName(code) && Codes.codes[code].status === status ? Codes.codes[code] : undefined

/** 400: the documented code's error, a validation error, or `BadRequest`. */
export const badRequest = ({ fields, first }: Failure): BelvoError.BadRequestError => {
  const error = known(fields.code, 400)?.error
  if (error === "ValidationError")
    return new BelvoError.ValidationError({ ...fields, field: first?.field ?? null })
  if (error !== undefined && Object.hasOwn(BAD_REQUEST, error)) {
    return new BAD_REQUEST[error as keyof typeof BAD_REQUEST](fields)
  }
  return new BelvoError.BadRequest(fields)
}

/** 401: bad secrets, or a consent that covers no account. */
export const unauthorized = ({
  fields
}: Failure): BelvoError.AuthenticationFailed | BelvoError.ConsentWithoutAccounts =>
  known(fields.code, 401)?.error === "ConsentWithoutAccounts"
    ? new BelvoError.ConsentWithoutAccounts(fields)
    : new BelvoError.AuthenticationFailed(fields)

/** 403. */
export const accessDenied = ({ fields }: Failure): BelvoError.AccessDenied =>
  new BelvoError.AccessDenied(fields)

/** 404. */
export const notFound = ({ fields }: Failure): BelvoError.NotFound => new BelvoError.NotFound(fields)

/** 408. */
export const requestTimeout = ({ fields }: Failure): BelvoError.RequestTimeout =>
  new BelvoError.RequestTimeout(fields)

/** 500. */
export const unexpected = ({ fields }: Failure): BelvoError.UnexpectedError =>
  new BelvoError.UnexpectedError(fields)

/**
 * 428: `TokenRequired` with the challenge built for the request that met it, or a `DecodeError`
 * when the answer cannot be resumed (no session, a session or expiry out of shape).
 */
export const tokenRequired = (
  failure: Failure,
  challenge: Result.Result<MfaChallenge, string>
): BelvoError.TokenRequired | BelvoError.DecodeError =>
  Result.match(challenge, {
    onSuccess: (challenge) => new BelvoError.TokenRequired({ ...failure.fields, challenge }),
    onFailure: (reason) => {
      const { route, fields } = failure
      return new BelvoError.DecodeError({
        message: `${route.method} ${route.path} -> 428: ${reason} (request_id ${fields.request_id ?? "none"})`,
        status: failure.status,
        method: route.method,
        path: route.path,
        request_id: fields.request_id,
        reason,
        body: excerpt(failure.text)
      })
    }
  })

/**
 * `SessionExpired` raised by the client itself (status 0): the challenge expired before it was
 * resumed, so nothing was sent.
 */
export const sessionExpired = (
  challenge: MfaChallenge,
  route: Route,
  when: string
): BelvoError.SessionExpired =>
  new BelvoError.SessionExpired({
    message: `MFA session ${challenge.session} expired at ${challenge.expiresAt.toJSON()} ${when}; nothing was sent. Start again with a new retrieve.`,
    status: 0,
    method: route.method,
    path: route.path,
    code: "session_expired",
    detail: "The MFA session expired before it was resumed",
    request_id: null,
    errors: []
  })

// ---------------------------------------------------------------------------------------------
// Transport
// ---------------------------------------------------------------------------------------------

const NEVER_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"])

/** The causes below `cause`, at most `depth` deep. */
const causeChain = (
  cause: unknown,
  depth: number
): ReadonlyArray<{ readonly code?: unknown; readonly message?: unknown }> => {
  const chain: Array<{ readonly code?: unknown; readonly message?: unknown }> = []
  let current: unknown = cause
  for (let i = 0; i < depth && typeof current === "object" && current !== null; i++) {
    chain.push(current as { readonly code?: unknown; readonly message?: unknown })
    current = (current as { readonly cause?: unknown }).cause
  }
  return chain
}

/** Connection refused or no such host: the server never saw the request. */
const neverSent = (cause: unknown): boolean =>
  causeChain(cause, 5).some(({ code }) => typeof code === "string" && NEVER_SENT.has(code))

const causeText = (cause: unknown): string =>
  causeChain(cause, 4)
    .flatMap(({ code, message }) =>
      typeof message === "string" && message !== ""
        ? [typeof code === "string" ? `${code}: ${message}` : message]
        : []
    )
    .join(" <- ")

/** A failure below HTTP; `sent` is false only when the request provably never left. */
export const transportError = (route: Route, cause: unknown, fallback: string): BelvoError.TransportError => {
  const sent = !neverSent(cause)
  return new BelvoError.TransportError({
    message: `${route.method} ${route.path} failed in transport: ${causeText(cause) || fallback}${sent ? "" : " (never sent)"}`,
    method: route.method,
    path: route.path,
    sent
  })
}
