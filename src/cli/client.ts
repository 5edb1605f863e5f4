/**
 * Which Belvo the commands talk to: the one the `BELVO_*` variables configure, read by
 * `BelvoClient.layerConfig` (so a missing secret fails with its own text, before anything is
 * sent), or with `--sandbox` the sandbox embedded in the process. The root command carries that
 * flag for every command under it.
 *
 * @since 1.1.0
 */
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import type * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import { BelvoClient } from "../index.js"
import { SandboxClient } from "../testing/index.js"

/**
 * The root command, `effect-belvo`, with `--sandbox` for every command under it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Client from "../src/cli/client.js"
 *
 * // In a subcommand's handler: the root's flags.
 * const useSandbox = Effect.map(Client.root, (flags) => flags.sandbox)
 * ```
 *
 * @since 1.1.0
 * @category commands
 */
export const root = Command.make("effect-belvo").pipe(
  Command.withSharedFlags({
    sandbox: Flag.Boolean("sandbox").pipe(
      Flag.withDescription(
        "Use the sandbox embedded in this process instead of BELVO_* (nothing leaves the machine)"
      ),
      Flag.withDefault(false)
    )
  }),
  Command.withDescription(
    "Belvo's Open Finance Brazil balances from the command line: retrieve, list, get and MFA, and a local sandbox of the API. " +
      "Credentials come from BELVO_SECRET_ID and BELVO_SECRET_PASSWORD, the API from BELVO_ENVIRONMENT (sandbox or production) or BELVO_BASE_URL."
  )
)

// The user agent says the requests come from the command line.
const live = BelvoClient.layerConfig({ userAgent: "cli" }).pipe(Layer.provide(FetchHttpClient.layer))

/**
 * Provides the client the root's flags choose: the embedded sandbox, or `BELVO_*`.
 *
 * @example
 * ```ts
 * import { Balances } from "effect-belvo"
 * import * as Client from "../src/cli/client.js"
 *
 * const page = Client.provide(Balances.listPage({ link: "8848bd0c-9c7e-4f53-a732-ec896b11d4c4" }))
 * ```
 *
 * @since 1.1.0
 * @category layers
 */
export const provide = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<
  A,
  E | Config.ConfigError,
  Exclude<R, BelvoClient.BelvoClient> | Command.CommandContext<"effect-belvo">
> =>
  Effect.flatMap(root, ({ sandbox }) =>
    Effect.provide(effect, sandbox ? SandboxClient.layer() : live)
  ) as Effect.Effect<
    A,
    E | Config.ConfigError,
    Exclude<R, BelvoClient.BelvoClient> | Command.CommandContext<"effect-belvo">
  >
