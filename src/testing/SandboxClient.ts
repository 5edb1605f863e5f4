/**
 * A `BelvoClient` wired to the in-process sandbox: the one layer a user's tests swap in.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as BelvoClient from "../BelvoClient.js"
import type * as Sandbox from "./Sandbox.js"
import * as SandboxHttp from "./SandboxHttp.js"
import * as SandboxModel from "./SandboxModel.js"

/**
 * The base URL the in-process client uses. No socket is opened: requests are answered in the
 * calling fiber, so `TestClock` drives the sandbox's latency and MFA expiry as well as the client's
 * backoff.
 *
 * @example
 * ```ts
 * import { SandboxClient } from "effect-belvo/testing"
 *
 * console.log(SandboxClient.baseUrl) // "http://localhost"
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const baseUrl = "http://localhost"

/**
 * Options of {@link layer}: the sandbox's (seed, latency, faults, ...) plus client overrides.
 *
 * @example
 * ```ts
 * import type { SandboxClient } from "effect-belvo/testing"
 *
 * const options: SandboxClient.Options = { seed: 7, client: { retry: false } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Sandbox.Options {
  /** Client settings; the credentials default to the sandbox's default secret. */
  readonly client?: Partial<Omit<BelvoClient.Options, "baseUrl">> | undefined
}

/**
 * `BelvoClient` over the in-process sandbox, plus the `Sandbox` service (to seed data, script faults
 * and read the request log) and the `HttpClient` it answers on. The `client` options are checked as
 * `BelvoClient.layer` checks them; here an invalid one is a defect (a mistake in the test), not a
 * `ConfigError` to handle.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balances } from "effect-belvo"
 * import { SandboxClient, SandboxModel } from "effect-belvo/testing"
 *
 * const program = Balances.retrieve({ link: SandboxModel.plainLinkId }).pipe(
 *   Effect.provide(SandboxClient.layer({ seed: 42 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<BelvoClient.BelvoClient | Sandbox.Sandbox | HttpClient.HttpClient> => {
  const { client, ...sandbox } = options
  return BelvoClient.layer({
    secretId: Redacted.make(SandboxModel.defaultSecretId),
    secretPassword: Redacted.make(SandboxModel.defaultSecretPassword),
    ...client,
    baseUrl
  }).pipe(Layer.orDie, Layer.provideMerge(SandboxHttp.layer(sandbox)))
}
