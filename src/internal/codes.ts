/**
 * Belvo's error codes, once: each code's HTTP status, the documented message, the tagged error the
 * client makes of it, whether a request answered with it may be sent again, and which code a status
 * implies when the body names none. The client's status defaults, 400 classes, validation codes and
 * transient statuses are derived from it, and so are the sandbox's fault codes; a test holds it to
 * Belvo's OpenAPI document and to the error classes.
 *
 * @internal
 */

/** One code: what it means to the client and how the sandbox answers with it. */
export interface Code {
  readonly status: number
  /** The documented message (the sandbox's, and what a fault sends unless told otherwise). */
  readonly message: string
  /** The tag of the error the client builds for it (`UnknownStatus`: undocumented for any endpoint). */
  readonly error: string
  /** A request answered with it may be sent again, if it is safe to repeat. */
  readonly transient: boolean
  /** The code this status implies when an error body names none. */
  readonly default?: true
}

/**
 * Every code: 400, 401, 403, 404, 408, 428 and 500 from Belvo's spec, plus the gateway codes for
 * 405, 415, 429, 502, 503 and 504 that a client meets in practice.
 */
export const codes = {
  too_many_sessions: {
    status: 400,
    message: "Impossible to login, a session is already opened with the institution for these credentials",
    error: "TooManySessions",
    transient: false
  },
  login_error: {
    status: 400,
    message: "Invalid credentials provided to login to the institution",
    error: "LoginError",
    transient: false
  },
  session_expired: {
    status: 400,
    message:
      "The session you are trying to resume has expired, please start again from register/retrieve endpoint",
    error: "SessionExpired",
    transient: false
  },
  institution_down: {
    status: 400,
    message: "The financial institution is down, try again later",
    error: "InstitutionDown",
    transient: false
  },
  institution_unavailable: {
    status: 400,
    message: "The financial institution is unavailable",
    error: "InstitutionUnavailable",
    transient: false
  },
  institution_inactive: {
    status: 400,
    message: "The institution has been temporarily deactivated",
    error: "InstitutionInactive",
    transient: false
  },
  invalid_link: {
    status: 400,
    message: "The link has been invalidated. You may need to update link credentials",
    error: "InvalidLink",
    transient: false
  },
  invalid_credentials_storage: {
    status: 400,
    message: "Recurrent links must store the credentials",
    error: "InvalidCredentialsStorage",
    transient: false
  },
  invalid_fetch_resources: {
    status: 400,
    message: "Single links without stored credentials must fetch resources",
    error: "InvalidFetchResources",
    transient: false
  },
  unconfirmed_link: {
    status: 400,
    message: "The link creation has not been completed yet",
    error: "UnconfirmedLink",
    transient: false
  },
  unsupported_operation: {
    status: 400,
    message: "The resource you are trying to access is not supported by this institution",
    error: "UnsupportedOperation",
    transient: false
  },
  invalid_period: {
    status: 400,
    message: "The number of days between date_from and date_to must be at least 90 days",
    error: "InvalidPeriod",
    transient: false
  },
  required: { status: 400, message: "This field is required.", error: "ValidationError", transient: false },
  null: { status: 400, message: "This field may not be null.", error: "ValidationError", transient: false },
  blank: { status: 400, message: "This field may not be blank.", error: "ValidationError", transient: false },
  invalid: {
    status: 400,
    message: "Invalid value.",
    error: "ValidationError",
    transient: false,
    default: true
  },
  does_not_exist: {
    status: 400,
    message: "Object does not exist.",
    error: "ValidationError",
    transient: false
  },
  authentication_failed: {
    status: 401,
    message: "Invalid Secret Keys",
    error: "AuthenticationFailed",
    transient: false,
    default: true
  },
  consent_without_accounts: {
    status: 401,
    message: "The institution only supports the following resources: EMPLOYMENT_RECORDS, OWNERS",
    error: "ConsentWithoutAccounts",
    transient: false
  },
  access_to_resource_denied: {
    status: 403,
    message: "You don't have access to this resource.",
    error: "AccessDenied",
    transient: false,
    default: true
  },
  not_found: { status: 404, message: "Not found", error: "NotFound", transient: false, default: true },
  method_not_allowed: {
    status: 405,
    message: "Method not allowed.",
    error: "UnknownStatus",
    transient: false,
    default: true
  },
  request_timeout: {
    status: 408,
    message: "The request timed out, you can retry asking for less data by changing your query parameters",
    error: "RequestTimeout",
    transient: true,
    default: true
  },
  unsupported_media_type: {
    status: 415,
    message: "Unsupported media type in request.",
    error: "UnknownStatus",
    transient: false,
    default: true
  },
  token_required: {
    status: 428,
    message: "A MFA token is required by the institution to login",
    error: "TokenRequired",
    transient: false,
    default: true
  },
  too_many_requests: {
    status: 429,
    message: "Request was throttled.",
    error: "TooManyRequests",
    transient: true,
    default: true
  },
  unexpected_error: {
    status: 500,
    message:
      "Belvo is unable to process the request due to an internal system issue or to an unsupported response from an institution",
    error: "UnexpectedError",
    transient: true,
    default: true
  },
  bad_gateway: {
    status: 502,
    message: "Bad gateway",
    error: "UnknownStatus",
    transient: true,
    default: true
  },
  service_unavailable: {
    status: 503,
    message: "Service unavailable",
    error: "UnknownStatus",
    transient: true,
    default: true
  },
  gateway_timeout: {
    status: 504,
    message: "Gateway timeout",
    error: "UnknownStatus",
    transient: true,
    default: true
  }
} as const satisfies Record<string, Code>

/** A code of the table. */
export type Name = keyof typeof codes

/** The tag of the error a code of `status` becomes. */
export type ErrorTagOf<S extends number> = {
  readonly [K in Name]: (typeof codes)[K]["status"] extends S ? (typeof codes)[K]["error"] : never
}[Name]

const entries = Object.entries(codes) as ReadonlyArray<readonly [Name, Code]>

/** Whether `code` is one of the table's. */
export const isName = (code: string): code is Name => Object.hasOwn(codes, code)

/** The code each status implies when an error body names none. */
export const defaultFor: Readonly<Record<number, Name>> = Object.fromEntries(
  entries.flatMap(([name, code]) => (code.default === true ? [[code.status, name]] : []))
)

/** Statuses whose answer may be retried (when the request is safe to repeat). */
export const transientStatuses: ReadonlySet<number> = new Set(
  entries.flatMap(([, code]) => (code.transient ? [code.status] : []))
)

/** The codes of `status` that become the error tagged `tag`. */
export const namesOf = (status: number, tag: string): ReadonlyArray<Name> =>
  entries.flatMap(([name, code]) => (code.status === status && code.error === tag ? [name] : []))
