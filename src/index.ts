/**
 * effect-belvo: an Effect-native client for Belvo's Open Finance Brazil balances API.
 *
 * One namespace per module:
 *
 * @example
 * ```ts
 * import { Balances, BelvoClient, Mfa } from "effect-belvo"
 * ```
 *
 * @since 0.1.0
 */

/**
 * The balance schema, its exact amounts and timestamps, and `Page`.
 *
 * @since 0.1.0
 */
export * as Balance from "./Balance.js"

/**
 * Typed list filters, their validation and URL encoding; `fields` / `omit` projection types.
 *
 * @since 0.1.0
 */
export * as BalanceQuery from "./BalanceQuery.js"

/**
 * The endpoints: retrieve, resume, list (Stream), listPage, get.
 *
 * @since 0.1.0
 */
export * as Balances from "./Balances.js"

/**
 * The client service: base URL, credentials, timeouts, retries, rate limit; `layer`, `layerConfig`.
 *
 * @since 0.1.0
 */
export * as BelvoClient from "./BelvoClient.js"

/**
 * Tagged errors for every documented API error and every client-side failure.
 *
 * @since 0.1.0
 */
export * as BelvoError from "./BelvoError.js"

/**
 * `Mfa.answer`: answer MFA challenges and resume, inside an Effect program.
 *
 * @since 0.1.0
 */
export * as Mfa from "./Mfa.js"

/**
 * The MFA challenge: serializable, with its expiry instant.
 *
 * @since 0.1.0
 */
export * as MfaChallenge from "./MfaChallenge.js"

/**
 * The client's metrics (`Metric`), for any Effect exporter.
 *
 * @since 1.1.0
 */
export * as Metrics from "./Metrics.js"
