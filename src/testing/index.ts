/**
 * `effect-belvo/testing`: a faithful in-memory sandbox of Belvo's Open Finance Brazil balances API,
 * served in-process (`SandboxHttp`) or on a loopback server (`SandboxServer`).
 *
 * @since 0.1.0
 */

/**
 * The sandbox service: model, MFA sessions, fault plan, request log and counters.
 *
 * @since 0.1.0
 */
export * as Sandbox from "./Sandbox.js"

/**
 * A `BelvoClient` over the in-process sandbox: the layer to swap into a user's tests.
 *
 * @since 0.1.0
 */
export * as SandboxClient from "./SandboxClient.js"

/**
 * Scripted faults: documented errors, delays, Retry-After, malformed or truncated bodies, dropped
 * connections, foreign `next` links.
 *
 * @since 0.1.0
 */
export * as SandboxFault from "./SandboxFault.js"

/**
 * The sandbox over HTTP without sockets: an in-process `HttpClient` and an `effect/http` handler.
 *
 * @since 0.1.0
 */
export * as SandboxHttp from "./SandboxHttp.js"

/**
 * The in-memory model: secrets, links, accounts, balances, seeded demo data, `tokenFor`.
 *
 * @since 0.1.0
 */
export * as SandboxModel from "./SandboxModel.js"

/**
 * The sandbox on a real HTTP server bound to 127.0.0.1.
 *
 * @since 0.1.0
 */
export * as SandboxServer from "./SandboxServer.js"
