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
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { render } from "./internal/render.js"
import { MfaChallenge, TokenGenerationData } from "./MfaChallenge.js"

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
  message: Schema.optionalKey(Schema.String),
  request_id: Schema.optionalKey(Schema.NullOr(Schema.String)),
  field: Schema.optionalKey(Schema.NullOr(Schema.String)),
  session: Schema.optionalKey(Schema.String),
  expiry: Schema.optionalKey(Schema.Number),
  link: Schema.optionalKey(Schema.String),
  token_generation_data: Schema.optionalKey(TokenGenerationData)
})

/**
 * A decoded error item.
 *
 * @example
 * ```ts
 * import type { BelvoError } from "effect-belvo"
 *
 * // Every field Belvo named in a 400 validation answer, not just the first.
 * const invalidFields = (error: BelvoError.ValidationError): ReadonlyArray<string> =>
 *   error.errors.flatMap((item: BelvoError.ErrorItem) => (item.field ? [item.field] : []))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorItem extends Schema.Schema.Type<typeof ErrorItem> {}

/**
 * The fields every API error carries.
 *
 * @example
 * ```ts
 * import { Schema, Struct } from "effect"
 * import { BelvoError } from "effect-belvo"
 *
 * // A compact row for an error log table, built from the fields every API error shares.
 * const ErrorRow = Schema.Struct(BelvoError.ApiErrorFields).mapFields(Struct.pick(["status", "code", "request_id"]))
 * type ErrorRow = typeof ErrorRow.Type // { readonly status: number; readonly code: string; readonly request_id: string | null }
 * ```
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
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances, type MfaChallenge } from "effect-belvo"
 *
 * declare const challenge: MfaChallenge.MfaChallenge
 * const program = Balances.resume(challenge, "123456").pipe(
 *   // The user took too long: the session is gone (status 0 if it expired before anything was sent).
 *   Effect.catchTag("SessionExpired", () => Balances.retrieve({ link: challenge.link }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class SessionExpired extends Schema.TaggedError<SessionExpired>()("SessionExpired", ApiErrorFields) {}

/**
 * 400 `too_many_sessions`: a session with the institution is already open for these credentials.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * const program = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }).pipe(
 *   Effect.catchTag("TooManySessions", () =>
 *     Effect.fail("The user is logged in to the bank elsewhere; ask them to log out and try again")
 *   )
 * )
 * ```
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
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * declare const askUserToReconnect: (link: string, reason: string) => Effect.Effect<void>
 *
 * const link = "c81a1dea-6dd6-4999-8b9f-541ee8197058"
 * const program = Balances.retrieve({ link }).pipe(
 *   Effect.catchTag("LoginError", (error) => askUserToReconnect(link, error.detail))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class LoginError extends Schema.TaggedError<LoginError>()("LoginError", ApiErrorFields) {}

/**
 * 400 `institution_down`: the institution is down; try again later.
 *
 * @example
 * ```ts
 * import { Effect, Schedule } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * // retrieve is never retried by the client once sent; retry an outage at the institution by hand.
 * const program = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }).pipe(
 *   Effect.retry({
 *     while: (error) => error._tag === "InstitutionDown",
 *     schedule: Schedule.exponential("1 minute"),
 *     times: 3
 *   })
 * )
 * ```
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
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * // No fresh balances right now: fall back to none and keep the last stored ones.
 * const fresh = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }).pipe(
 *   Effect.map((retrieval) => retrieval.balances),
 *   Effect.catchTags({
 *     InstitutionUnavailable: () => Effect.succeed([]),
 *     InstitutionDown: () => Effect.succeed([])
 *   })
 * )
 * ```
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
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * declare const archiveLink: (link: string) => Effect.Effect<void>
 *
 * const link = "c81a1dea-6dd6-4999-8b9f-541ee8197058"
 * const program = Balances.retrieve({ link }).pipe(
 *   // Belvo switched the institution off: retrying will not help.
 *   Effect.catchTag("InstitutionInactive", () => archiveLink(link))
 * )
 * ```
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
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * declare const requestCredentialUpdate: (link: string) => Effect.Effect<void>
 *
 * const link = "c81a1dea-6dd6-4999-8b9f-541ee8197058"
 * const program = Balances.retrieve({ link }).pipe(
 *   Effect.catchTag("InvalidLink", () => requestCredentialUpdate(link))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidLink extends Schema.TaggedError<InvalidLink>()("InvalidLink", ApiErrorFields) {}

/**
 * 400 `unconfirmed_link`: the link's creation was never completed.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * const program = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }).pipe(
 *   Effect.tapErrorTag("UnconfirmedLink", (error) =>
 *     Effect.logWarning(`finish the link's creation in the widget first (request ${error.request_id})`)
 *   )
 * )
 * ```
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
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * const balances = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }).pipe(
 *   Effect.map((retrieval) => retrieval.balances),
 *   // This institution offers no balances: treat it as having none.
 *   Effect.catchTag("UnsupportedOperation", () => Effect.succeed([]))
 * )
 * ```
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
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * const program = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }).pipe(
 *   Effect.tapErrorTag("InvalidPeriod", (error) => Effect.logError(`Belvo refused the period: ${error.detail}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidPeriod extends Schema.TaggedError<InvalidPeriod>()("InvalidPeriod", ApiErrorFields) {}

/**
 * 400 `invalid_credentials_storage`: documented for link creation; kept so no 400 goes unnamed.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * // Not expected from a balances call: if it ever comes, treat it as a defect.
 * const program = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }).pipe(
 *   Effect.catchTag("InvalidCredentialsStorage", (error) => Effect.die(error))
 * )
 * ```
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
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * // Documented for link creation only; a balances program can still match it by tag.
 * const program = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }).pipe(
 *   Effect.catchTags({ InvalidFetchResources: Effect.die, InvalidCredentialsStorage: Effect.die })
 * )
 * ```
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
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * const program = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }).pipe(
 *   Effect.tapErrorTag("ValidationError", (error) =>
 *     Effect.logError(`Belvo rejected ${error.field ?? "the request"}: ${error.code}, ${error.detail}`)
 *   )
 * )
 * ```
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
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * // A 400 code Belvo does not document for this endpoint: log its code to learn about it.
 * const program = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }).pipe(
 *   Effect.tapErrorTag("BadRequest", (error) => Effect.logWarning(`undocumented 400 ${error.code}: ${error.detail}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", ApiErrorFields) {}

/**
 * 401 `authentication_failed`: the secret id or password is wrong.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * // Wrong secrets are a deployment bug, not something to handle per call.
 * const program = Balances.get("0b94bdf9-3719-43a9-81e7-be95d2318595").pipe(
 *   Effect.catchTag("AuthenticationFailed", () => Effect.die(new Error("check BELVO_SECRET_ID and BELVO_SECRET_PASSWORD")))
 * )
 * ```
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
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * // The user's consent covers no account any more: there is nothing to list.
 * const count = Balances.list({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }).pipe(
 *   Stream.runCount,
 *   Effect.catchTag("ConsentWithoutAccounts", () => Effect.succeed(0))
 * )
 * ```
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
 * @example
 * ```ts
 * import { Data, Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * class NotYourBalance extends Data.TaggedError("NotYourBalance")<{ readonly id: string }> {}
 *
 * const id = "0b94bdf9-3719-43a9-81e7-be95d2318595"
 * const program = Balances.get(id).pipe(
 *   Effect.catchTag("AccessDenied", () => Effect.fail(new NotYourBalance({ id })))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class AccessDenied extends Schema.TaggedError<AccessDenied>()("AccessDenied", ApiErrorFields) {}

/**
 * 404 `not_found`: no such balance (or, when listing, a page past the last).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * // Effect<Option<Balance>, ...>: a missing balance is None, not a failure.
 * const maybeBalance = Balances.get("0b94bdf9-3719-43a9-81e7-be95d2318595").pipe(
 *   Effect.asSome,
 *   Effect.catchTag("NotFound", () => Effect.succeedNone)
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", ApiErrorFields) {}

/**
 * 408 `request_timeout`: Belvo ran out of time; ask for less data.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * // Belvo ran out of time on a large page: ask again for a smaller one.
 * const link = "c81a1dea-6dd6-4999-8b9f-541ee8197058"
 * const page = Balances.listPage({ link, page_size: 1000 }).pipe(
 *   Effect.catchTag("RequestTimeout", () => Balances.listPage({ link, page_size: 100 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class RequestTimeout extends Schema.TaggedError<RequestTimeout>()("RequestTimeout", ApiErrorFields) {}

/**
 * 428 `token_required`: the institution wants an MFA token. `challenge` holds everything needed
 * to resume, and encodes to JSON so it can be stored and resumed elsewhere.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances, MfaChallenge } from "effect-belvo"
 *
 * declare const saveForLater: (challengeJson: string) => Effect.Effect<void>
 *
 * // Store the challenge; another request resumes it with the user's token (see Balances.resume).
 * const program = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }).pipe(
 *   Effect.catchTag("TokenRequired", (error) => Effect.flatMap(MfaChallenge.toJson(error.challenge), saveForLater))
 * )
 * ```
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
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * // retrieve is not retried on 429 by the client: wait as long as Belvo asks, then try once more.
 * const retrieve = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" })
 * const program = retrieve.pipe(
 *   Effect.catchTag("TooManyRequests", (error) => Effect.andThen(Effect.sleep(error.retryAfterMillis ?? 5000), retrieve))
 * )
 * ```
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
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * const program = Balances.get("0b94bdf9-3719-43a9-81e7-be95d2318595").pipe(
 *   Effect.tapErrorTag("UnexpectedError", (error) =>
 *     Effect.logError(`Belvo failed; quote request_id ${error.request_id ?? "none"} to support`)
 *   )
 * )
 * ```
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
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * // A 502 from a proxy, a 503 during maintenance...: the body excerpt tells what answered.
 * const program = Balances.get("0b94bdf9-3719-43a9-81e7-be95d2318595").pipe(
 *   Effect.tapErrorTag("UnknownStatus", (error) => Effect.logError(`HTTP ${error.status}`, error.body))
 * )
 * ```
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
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * const program = Balances.retrieve({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058" }).pipe(
 *   Effect.tapErrorTag("TransportError", (error) =>
 *     Effect.logWarning(error.sent ? "may have reached Belvo: list before retrying" : "never sent: safe to retry")
 *   )
 * )
 * ```
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
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * const program = Balances.get("0b94bdf9-3719-43a9-81e7-be95d2318595", {}, { attemptTimeout: "10 seconds" }).pipe(
 *   Effect.catchTag("Timeout", (error) =>
 *     Effect.logWarning(`${error.scope} timed out after ${error.millis} ms`).pipe(Effect.as(null))
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class Timeout extends Schema.TaggedError<Timeout>()("Timeout", {
  message: Schema.String,
  method: Schema.String,
  path: Schema.String,
  millis: Schema.Number,
  scope: Schema.Literals(["attempt", "call"])
}) {}

/**
 * A response body that is not what the spec promises (malformed JSON, a wrong type, a missing
 * field, a body over the size limit). Carries the status and `request_id` when known.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * // The server answered 2xx with something the spec does not allow: keep the evidence.
 * const program = Balances.get("0b94bdf9-3719-43a9-81e7-be95d2318595").pipe(
 *   Effect.tapErrorTag("DecodeError", (error) =>
 *     Effect.logError(error.reason).pipe(Effect.annotateLogs({ status: error.status, body: error.body }))
 *   )
 * )
 * ```
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
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * const ids = Balances.list({ link: "c81a1dea-6dd6-4999-8b9f-541ee8197058", fields: ["id"] }).pipe(
 *   Stream.map((balance) => balance.id),
 *   Stream.catchTag("PaginationError", (error) => Stream.die(new Error(`${error.reason} pagination at ${error.url}`)))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class PaginationError extends Schema.TaggedError<PaginationError>()("PaginationError", {
  message: Schema.String,
  reason: Schema.Literals(["CrossOrigin", "Endless"]),
  url: Schema.String
}) {}

/**
 * A parameter the client refuses to send: which parameter, the value given and why. Raised on the
 * client, before any request, so an invalid query, id, option or challenge never reaches Belvo.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 *
 * const program = Balances.listPage({ link: "8848bd0c-9c7e-4f53-a732-ec896b11d4c4", page_size: 0 }).pipe(
 *   Effect.catchTag("InvalidQuery", (error) => Effect.logError(error.message))
 *   // Invalid query parameter "page_size": must be an integer from 1 to 1000, got 0
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidQuery extends Schema.TaggedError<InvalidQuery>()("InvalidQuery", {
  field: Schema.String,
  value: Schema.Unknown,
  reason: Schema.String
}) {
  override get message(): string {
    return `Invalid query parameter "${this.field}": ${this.reason}, got ${render(this.value)}`
  }
}

/**
 * Errors from the HTTP layer common to every endpoint.
 *
 * @example
 * ```ts
 * import type { BelvoError } from "effect-belvo"
 *
 * // Which failures are on our side (configuration, network) rather than the user's or the bank's.
 * const isOperational = (error: BelvoError.CommonError): boolean =>
 *   error._tag === "AuthenticationFailed" || error._tag === "TransportError" || error._tag === "Timeout"
 * ```
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
 * @example
 * ```ts
 * import type { BelvoError } from "effect-belvo"
 *
 * // The 400s only the user can fix, by reconnecting their bank account.
 * const needsUser = (error: BelvoError.BadRequestError): boolean =>
 *   error._tag === "LoginError" || error._tag === "InvalidLink" || error._tag === "UnconfirmedLink"
 * ```
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
 * Every error made from an HTTP answer with a non-2xx status: each carries the `status`, Belvo's
 * `code`, the server's `detail`, the `request_id` and every item of the body. {@link isAnswered}
 * tells them from the rest.
 *
 * @example
 * ```ts
 * import type { BelvoError } from "effect-belvo"
 *
 * // What a support ticket needs: every answered error has a status, a code and a request id.
 * const ticketLine = (error: BelvoError.AnsweredError): string =>
 *   `${error.status} ${error.code} (request ${error.request_id ?? "none"})`
 * ```
 *
 * @since 1.1.0
 * @category models
 */
export type AnsweredError =
  | BadRequestError
  | AuthenticationFailed
  | ConsentWithoutAccounts
  | AccessDenied
  | NotFound
  | RequestTimeout
  | TokenRequired
  | TooManyRequests
  | UnexpectedError
  | UnknownStatus

/**
 * The failures of an exchange that got no answer to read: the request failed in transport, timed
 * out, or its answer's body was not what the spec promises.
 *
 * @example
 * ```ts
 * import type { BelvoError } from "effect-belvo"
 *
 * const retryLater = (error: BelvoError.TransportFailure): boolean =>
 *   error._tag === "Timeout" || (error._tag === "TransportError" && !error.sent)
 * ```
 *
 * @since 1.1.0
 * @category models
 */
export type TransportFailure = TransportError | Timeout | DecodeError

/**
 * Every error of a request that was attempted: an answered error or a transport failure (all but
 * `PaginationError` and `InvalidQuery`).
 *
 * @example
 * ```ts
 * import type { BelvoError } from "effect-belvo"
 *
 * // TransportError and Timeout never got an answer, so they carry no request id.
 * const requestIdOf = (error: BelvoError.RequestError): string | null =>
 *   "request_id" in error ? error.request_id : null
 * ```
 *
 * @since 1.1.0
 * @category models
 */
export type RequestError = AnsweredError | TransportFailure

/**
 * The old name of {@link RequestError}.
 *
 * @deprecated Since 1.1.0: the name suggested errors of the API's answers only, while it also
 * holds `TransportError`, `Timeout` and `DecodeError`. Use {@link RequestError}, or
 * {@link AnsweredError} for the errors that came with an HTTP status. Goes in 2.0.
 *
 * @example
 * ```ts
 * import type { BelvoError } from "effect-belvo"
 *
 * const old: (error: BelvoError.ApiError) => BelvoError.RequestError = (error) => error
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ApiError = RequestError

/**
 * A union schema of every {@link AnsweredError}, to encode them into JSON (for a log or a queue)
 * and back.
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
 * const json = Schema.encodeSync(BelvoError.AnsweredError)(error)
 * console.log(json._tag) // "NotFound"
 * ```
 *
 * @since 1.1.0
 * @category schemas
 */
export const AnsweredError = Schema.Union([
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
  UnknownStatus
])

const answeredTags: ReadonlySet<string> = new Set(AnsweredError.members.map((member) => member.identifier))

/**
 * Whether a value is an {@link AnsweredError}: an error that came with an HTTP status, a code and
 * a request id.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances, BelvoError } from "effect-belvo"
 *
 * const program = Balances.get("0b94bdf9-3719-43a9-81e7-be95d2318595").pipe(
 *   Effect.tapError((error) =>
 *     BelvoError.isAnswered(error)
 *       ? Effect.logWarning(`Belvo answered ${error.status} ${error.code}`, error.request_id)
 *       : Effect.logWarning(`no answer: ${error._tag}`)
 *   )
 * )
 * ```
 *
 * @since 1.1.0
 * @category guards
 */
export const isAnswered = (u: unknown): u is AnsweredError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && answeredTags.has(u._tag) && "status" in u

/**
 * A union schema of every {@link RequestError}, to encode errors into JSON and back.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { BelvoError } from "effect-belvo"
 *
 * const error = new BelvoError.Timeout({ message: "GET /api/br/balances/ timed out", method: "GET", path: "/api/br/balances/", millis: 60000, scope: "attempt" })
 * const json = Schema.encodeSync(BelvoError.RequestError)(error)
 * console.log(json._tag) // "Timeout"
 * ```
 *
 * @since 1.1.0
 * @category schemas
 */
export const RequestError = Schema.Union([...AnsweredError.members, TransportError, Timeout, DecodeError])

/**
 * The old name of {@link RequestError}'s schema.
 *
 * @deprecated Since 1.1.0: use {@link RequestError} (or {@link AnsweredError}). Goes in 2.0.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { BelvoError } from "effect-belvo"
 *
 * const encode = Schema.encodeSync(BelvoError.ApiError)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApiError = RequestError

/**
 * Every error any program of this library can fail with: the API errors, an unsafe or endless
 * pagination, and a query refused before sending.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances, type BelvoError } from "effect-belvo"
 *
 * const report = (error: BelvoError.BelvoError) =>
 *   Effect.logError(error.message).pipe(Effect.annotateLogs("belvo_error", error._tag))
 *
 * const program = Balances.get("0b94bdf9-3719-43a9-81e7-be95d2318595").pipe(Effect.tapError(report))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type BelvoError = RequestError | PaginationError | InvalidQuery

/**
 * A union schema of {@link BelvoError}, to encode any failure into JSON and back.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { BelvoError } from "effect-belvo"
 *
 * const error = new BelvoError.InvalidQuery({ field: "page_size", value: 0, reason: "must be from 1 to 1000" })
 * const json = Schema.encodeSync(BelvoError.BelvoError)(error)
 * console.log(json._tag) // "InvalidQuery"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const BelvoError = Schema.Union([...RequestError.members, PaginationError, InvalidQuery])
