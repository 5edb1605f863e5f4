/**
 * The value shapes the API checks on the way in: UUIDs (ids, links, accounts) and MFA session ids.
 *
 * @internal
 */

/** A UUID in the 8-4-4-4-12 hex layout, any case. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** An MFA session id: 32 lower-case hex digits. */
export const SESSION = /^[a-f0-9]{32}$/

export const isUuid = (value: unknown): value is string => typeof value === "string" && UUID.test(value)
