/**
 * Every way a call to the balances API can fail, as tagged errors.
 *
 * Documented API errors carry the HTTP status, the Belvo `code`, the server's message, the
 * `request_id` (quote it to Belvo support) and every item of the error body. Their `message` is
 * written for a person: status, method, path, code, what the server said and the request id.
 * Client-side failures (an invalid query, a transport failure, a timeout, an undecodable body, an
 * unsafe pagination URL) are tagged too, so `Effect.catchTag` covers everything and nothing needs
 * `orDie`. No error ever holds a credential.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { InvalidQuery } from "./BalanceQuery.js"
import { MfaChallenge } from "./MfaChallenge.js"

/**
 * One item of a Belvo error body. Bodies are JSON arrays of these (a single object is accepted
 * too). 400 validation items add `field`; 428 items add the MFA session fields.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { BelvoError } from "effect-belvo"
 *
 * const item = Schema.decodeUnknownSync(BelvoError.ErrorItem)({
 *   code: "required",
 *   message: "This field is required.",
 *   request_id: "a6e1c493d7a29d91aed4338e6fcf077d",
 *   field: "link"
 * })
 * console.log(item.field) // "link"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorItem = Schema.Struct({
  code: Schema.String,
  message: Schema.optional(Schema.String),
  request_id: Schema.optional(Schema.NullOr(Schema.String)),
  field: Schema.optional(Schema.NullOr(Schema.String)),
  session: Schema.optional(Schema.String),
  expiry: Schema.optional(Schema.Number),
  link: Schema.optional(Schema.String),
  token_generation_data: Schema.optional(
    Schema.Struct({
      instructions: Schema.optional(Schema.String),
      type: Schema.optional(Schema.String),
      value: Schema.optional(Schema.String),
      expects_user_input: Schema.optional(Schema.Boolean)
    })
  )
})

/**
 * A decoded error item.
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorItem extends Schema.Schema.Type<typeof ErrorItem> {}

/**
 * The fields every API error carries.
 *
 * @since 0.1.0
 * @category models
 */
export const ApiErrorFields = {
  /** Readable summary: status, method, path, code, server message, request id. */
  message: Schema.String,
  /** HTTP status of the response. */
  status: Schema.Number,
  /** HTTP method of the request. */
  method: Schema.String,
  /** URL path of the request (never the query string's secrets: there are none, and never credentials). */
  path: Schema.String,
  /** Belvo's error code of the first item, e.g. `access_to_resource_denied`. */
  code: Schema.String,
  /** The server's own description of the first item. */
  detail: Schema.String,
  /** The 32-hex request id, when the server gave one. */
  request_id: Schema.NullOr(Schema.String),
  /** Every item of the error body, in order. */
  errors: Schema.Array(ErrorItem)
}

/**
 * 400 `session_expired`: the MFA session is over. Also raised by the client, with
 * `status` 0 and nothing sent, when a stored challenge is resumed after its `expiresAt`.
 *
 * @since 0.1.0
 * @category errors
 */
export class SessionExpired extends Schema.TaggedError<SessionExpired>()("SessionExpired", ApiErrorFields) {}

/**
 * 400 `too_many_sessions`: a session with the institution is already open for these credentials.
 *
 * @since 0.1.0
 * @category errors
 */
export class TooManySessions extends Schema.TaggedError<TooManySessions>()(
  "TooManySessions",
  ApiErrorFields
) {}

/**
 * 400 `login_error`: the institution refused the login (credentials, unsupported MFA, locked account).
 *
 * @since 0.1.0
 * @category errors
 */
export class LoginError extends Schema.TaggedError<LoginError>()("LoginError", ApiErrorFields) {}

/**
 * 400 `institution_down`: the institution is down; try again later.
 *
 * @since 0.1.0
 * @category errors
 */
export class InstitutionDown extends Schema.TaggedError<InstitutionDown>()(
  "InstitutionDown",
  ApiErrorFields
) {}

/**
 * 400 `institution_unavailable`: the institution is unavailable.
 *
 * @since 0.1.0
 * @category errors
 */
export class InstitutionUnavailable extends Schema.TaggedError<InstitutionUnavailable>()(
  "InstitutionUnavailable",
  ApiErrorFields
) {}

/**
 * 400 `institution_inactive`: Belvo has deactivated the institution.
 *
 * @since 0.1.0
 * @category errors
 */
export class InstitutionInactive extends Schema.TaggedError<InstitutionInactive>()(
  "InstitutionInactive",
  ApiErrorFields
) {}

/**
 * 400 `invalid_link`: the link was invalidated; its credentials need updating.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidLink extends Schema.TaggedError<InvalidLink>()("InvalidLink", ApiErrorFields) {}

/**
 * 400 `unconfirmed_link`: the link's creation was never completed.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnconfirmedLink extends Schema.TaggedError<UnconfirmedLink>()(
  "UnconfirmedLink",
  ApiErrorFields
) {}

/**
 * 400 `unsupported_operation`: the institution does not support balances.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnsupportedOperation extends Schema.TaggedError<UnsupportedOperation>()(
  "UnsupportedOperation",
  ApiErrorFields
) {}

/**
 * 400 `invalid_period`: the requested period is not accepted.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidPeriod extends Schema.TaggedError<InvalidPeriod>()("InvalidPeriod", ApiErrorFields) {}

/**
 * 400 `invalid_credentials_storage`: documented for link creation; kept so no 400 goes unnamed.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidCredentialsStorage extends Schema.TaggedError<InvalidCredentialsStorage>()(
  "InvalidCredentialsStorage",
  ApiErrorFields
) {}

/**
 * 400 `invalid_fetch_resources`: documented for link creation; kept so no 400 goes unnamed.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidFetchResources extends Schema.TaggedError<InvalidFetchResources>()(
  "InvalidFetchResources",
  ApiErrorFields
) {}

/**
 * 400 validation errors (`required`, `null`, `blank`, `invalid`, `does_not_exist`); `field` names
 * the offending request field when the server said which.
 *
 * @since 0.1.0
 * @category errors
 */
export class ValidationError extends Schema.TaggedError<ValidationError>()("ValidationError", {
  ...ApiErrorFields,
  field: Schema.NullOr(Schema.String)
}) {}

/**
 * A 400 whose code is not documented for this endpoint.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", ApiErrorFields) {}

/**
 * 401 `authentication_failed`: the secret id or password is wrong.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthenticationFailed extends Schema.TaggedError<AuthenticationFailed>()(
  "AuthenticationFailed",
  ApiErrorFields
) {}

/**
 * 401 `consent_without_accounts`: the user's consent no longer covers any account.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConsentWithoutAccounts extends Schema.TaggedError<ConsentWithoutAccounts>()(
  "ConsentWithoutAccounts",
  ApiErrorFields
) {}

/**
 * 403 `access_to_resource_denied`: the link or balance belongs to another secret.
 *
 * @since 0.1.0
 * @category errors
 */
export class AccessDenied extends Schema.TaggedError<AccessDenied>()("AccessDenied", ApiErrorFields) {}

/**
 * 404 `not_found`: no such balance (or, when listing, a page past the last).
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", ApiErrorFields) {}

/**
 * 408 `request_timeout`: Belvo ran out of time; ask for less data.
 *
 * @since 0.1.0
 * @category errors
 */
export class RequestTimeout extends Schema.TaggedError<RequestTimeout>()("RequestTimeout", ApiErrorFields) {}

/**
 * 428 `token_required`: the institution wants an MFA token. `challenge` holds everything needed
 * to resume, and encodes to JSON so it can be stored and resumed elsewhere.
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenRequired extends Schema.TaggedError<TokenRequired>()("TokenRequired", {
  ...ApiErrorFields,
  challenge: MfaChallenge
}) {}

/**
 * 429: too many requests. `retryAfterMillis` is the server's `Retry-After`, when it sent one.
 *
 * @since 0.1.0
 * @category errors
 */
export class TooManyRequests extends Schema.TaggedError<TooManyRequests>()("TooManyRequests", {
  ...ApiErrorFields,
  retryAfterMillis: Schema.NullOr(Schema.Number)
}) {}

/**
 * 500 `unexpected_error`: Belvo or the institution failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnexpectedError extends Schema.TaggedError<UnexpectedError>()(
  "UnexpectedError",
  ApiErrorFields
) {}

/**
 * Any status the endpoint does not document (502, 503, 418, a 3xx, ...). `body` is an excerpt of
 * the response body, for diagnosis.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownStatus extends Schema.TaggedError<UnknownStatus>()("UnknownStatus", {
  ...ApiErrorFields,
  body: Schema.String,
  retryAfterMillis: Schema.NullOr(Schema.Number)
}) {}

/**
 * The request never got a response: connection refused or dropped, DNS failure, an aborted body.
 * `sent` is false only when the request provably never reached the server (connection refused).
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  message: Schema.String,
  method: Schema.String,
  path: Schema.String,
  sent: Schema.Boolean
}) {}

/**
 * An attempt, or the whole call with its retries, took longer than the configured timeout.
 *
 * @since 0.1.0
 * @category errors
 */
export class Timeout extends Schema.TaggedError<Timeout>()("Timeout", {
  message: Schema.String,
  method: Schema.String,
  path: Schema.String,
  millis: Schema.Number,
  scope: Schema.Literal("attempt", "call")
}) {}

/**
 * A response body that is not what the spec promises (malformed JSON, a wrong type, a missing
 * field, a body over the size limit). Carries the status and `request_id` when known.
 *
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends Schema.TaggedError<DecodeError>()("DecodeError", {
  message: Schema.String,
  status: Schema.Number,
  method: Schema.String,
  path: Schema.String,
  request_id: Schema.NullOr(Schema.String),
  /** What went wrong, e.g. the Schema issue tree rendered as text. */
  reason: Schema.String,
  body: Schema.String
}) {}

/**
 * Pagination that is unsafe or never ends: a `next` URL on another origin (credentials are
 * never sent there), a page that repeats, or more pages than `count` allows.
 *
 * @since 0.1.0
 * @category errors
 */
export class PaginationError extends Schema.TaggedError<PaginationError>()("PaginationError", {
  message: Schema.String,
  reason: Schema.Literal("CrossOrigin", "Endless"),
  url: Schema.String
}) {}

/**
 * Errors from the HTTP layer common to every endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export type CommonError =
  | AuthenticationFailed
  | ConsentWithoutAccounts
  | AccessDenied
  | RequestTimeout
  | TooManyRequests
  | UnexpectedError
  | UnknownStatus
  | TransportError
  | Timeout
  | DecodeError

/**
 * Every documented 400 of the retrieve (POST) and resume (PATCH) calls.
 *
 * @since 0.1.0
 * @category models
 */
export type BadRequestError =
  | SessionExpired
  | TooManySessions
  | LoginError
  | InstitutionDown
  | InstitutionUnavailable
  | InstitutionInactive
  | InvalidLink
  | UnconfirmedLink
  | UnsupportedOperation
  | InvalidPeriod
  | InvalidCredentialsStorage
  | InvalidFetchResources
  | ValidationError
  | BadRequest

/**
 * Any error of the balances API, server-side or client-side.
 *
 * @since 0.1.0
 * @category models
 */
export type ApiError = CommonError | BadRequestError | NotFound | TokenRequired

/**
 * A union schema of every API error, to encode errors into JSON (for a log or a queue) and back.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { BelvoError } from "effect-belvo"
 *
 * const error = new BelvoError.NotFound({
 *   message: "404 not_found: Not found (GET /api/br/balances/x/, request_id 9e7b283c6efa449c9c028a16b5c249fb)",
 *   status: 404,
 *   method: "GET",
 *   path: "/api/br/balances/x/",
 *   code: "not_found",
 *   detail: "Not found",
 *   request_id: "9e7b283c6efa449c9c028a16b5c249fb",
 *   errors: []
 * })
 * const json = Schema.encodeSync(BelvoError.ApiError)(error)
 * console.log(json._tag) // "NotFound"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApiError = Schema.Union(
  SessionExpired,
  TooManySessions,
  LoginError,
  InstitutionDown,
  InstitutionUnavailable,
  InstitutionInactive,
  InvalidLink,
  UnconfirmedLink,
  UnsupportedOperation,
  InvalidPeriod,
  InvalidCredentialsStorage,
  InvalidFetchResources,
  ValidationError,
  BadRequest,
  AuthenticationFailed,
  ConsentWithoutAccounts,
  AccessDenied,
  NotFound,
  RequestTimeout,
  TokenRequired,
  TooManyRequests,
  UnexpectedError,
  UnknownStatus,
  TransportError,
  Timeout,
  DecodeError
)

/**
 * Every error any program of this library can fail with: the API errors, an unsafe or endless
 * pagination, and a query refused before sending.
 *
 * @since 0.1.0
 * @category models
 */
export type BelvoError = ApiError | PaginationError | InvalidQuery

/**
 * A union schema of {@link BelvoError}, to encode any failure into JSON and back.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { BalanceQuery, BelvoError } from "effect-belvo"
 *
 * const error = new BalanceQuery.InvalidQuery({ field: "page_size", value: 0, reason: "must be from 1 to 1000" })
 * const json = Schema.encodeSync(BelvoError.BelvoError)(error)
 * console.log(json._tag) // "InvalidQuery"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const BelvoError = Schema.Union(ApiError, PaginationError, InvalidQuery)
