/**
 * `effect-belvo sandbox`: the seeded sandbox of `effect-belvo/testing` on a real server on
 * 127.0.0.1, for curl, a browser app, another SDK or this command line; it prints the base URL,
 * the demo credentials and links, and serves until Ctrl-C. `npm run sandbox` runs it.
 *
 * @since 1.1.0
 */
import * as Command from "effect/cli/Command"
import * as CliError from "effect/cli/CliError"
import * as Flag from "effect/cli/Flag"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { SandboxModel, SandboxServer } from "../testing/index.js"

/**
 * What the server prints once it listens on `url`: credentials, links, and commands to try.
 *
 * @example
 * ```ts
 * import * as CliSandbox from "../src/cli/sandbox.js"
 *
 * console.log(CliSandbox.banner("http://127.0.0.1:8787"))
 * ```
 *
 * @since 1.1.0
 * @category banner
 */
export const banner = (url: string): string => {
  const auth = `-u '${SandboxModel.defaultSecretId}:${SandboxModel.defaultSecretPassword}'`
  const json = `-H 'content-type: application/json'`
  return `effect-belvo sandbox listening on ${url}

Credentials (HTTP basic auth)
  secret id        ${SandboxModel.defaultSecretId}
  secret password  ${SandboxModel.defaultSecretPassword}
  other secret     ${SandboxModel.otherSecretId} / ${SandboxModel.otherSecretPassword}

Links
  plain link       ${SandboxModel.plainLinkId}  (accounts ${SandboxModel.plainAccountIds.join(", ")})
  MFA link         ${SandboxModel.mfaLinkId}  (POST answers 428; token = challenge value reversed)
  confirm link     ${SandboxModel.confirmLinkId}  (POST answers 428 expecting no token: resume without one)
  large link       ${SandboxModel.largeLinkId}  (generated balances)
  other's link     ${SandboxModel.otherLinkId}  (owned by the other secret: 403)

Try, from another shell
  export BELVO_BASE_URL=${url} BELVO_SECRET_ID=${SandboxModel.defaultSecretId} BELVO_SECRET_PASSWORD=${SandboxModel.defaultSecretPassword}
  npx effect-belvo balances list --link ${SandboxModel.plainLinkId} --page-size 2 --fields id,collected_at,available
  npx effect-belvo balances retrieve --link ${SandboxModel.mfaLinkId}
  curl ${auth} '${url}/api/br/balances/?link=${SandboxModel.plainLinkId}&page_size=2&fields=id,collected_at,available'
  curl ${auth} '${url}/api/br/balances/?link=${SandboxModel.largeLinkId}&collected_at__range=2024-03-01,2024-03-02&page_size=1000'
  curl ${auth} ${json} -d '{"link":"${SandboxModel.plainLinkId}","save_data":false}' ${url}/api/br/balances/
  curl ${auth} ${json} -d '{"link":"${SandboxModel.mfaLinkId}"}' ${url}/api/br/balances/
  curl ${auth} ${json} -X PATCH -d '{"session":"<session>","token":"<value reversed>","link":"${SandboxModel.mfaLinkId}"}' ${url}/api/br/balances/

Ctrl-C to stop.`
}

const latency = Flag.String("latency").pipe(
  Flag.withDescription('Wait this long before each answer, e.g. "200 millis" or "1 second"'),
  Flag.mapEffect((text) =>
    Option.match(Duration.fromInput(text as Duration.Input), {
      onNone: () =>
        Effect.fail(
          new CliError.InvalidValue({
            option: "latency",
            value: text,
            expected: 'a duration such as "200 millis" or "1 second"',
            kind: "flag"
          })
        ),
      onSome: Effect.succeed
    })
  ),
  Flag.optional
)

/**
 * The `sandbox` command.
 *
 * @example
 * ```ts
 * import { Command } from "effect/cli"
 * import * as Client from "../src/cli/client.js"
 * import * as CliSandbox from "../src/cli/sandbox.js"
 *
 * const app = Client.root.pipe(Command.withSubcommands([CliSandbox.command]))
 * ```
 *
 * @since 1.1.0
 * @category commands
 */
export const command = Command.make(
  "sandbox",
  {
    port: Flag.Int("port").pipe(
      Flag.withDescription("Port on 127.0.0.1; 0 for any free one (default: PORT, else 8787)"),
      Flag.filter(
        (port) => port >= 0 && port <= 65535,
        (port) => `${port} is not a port (0 to 65535)`
      ),
      Flag.withFallbackConfig(Config.Port("PORT").pipe(Config.withDefault(8787)))
    ),
    latency,
    largeLinkBalances: Flag.Int("large-link-balances").pipe(
      Flag.withDescription("Balances of the large link (default 100,000)"),
      Flag.optional
    )
  },
  Effect.fn("cli.sandbox")(
    function* (_input) {
      const url = yield* SandboxServer.url
      yield* Console.log(banner(url))
      return yield* Effect.never
    },
    (effect, input) =>
      Effect.provide(
        effect,
        SandboxServer.layerWithSandbox({
          port: input.port,
          ...Option.match(input.latency, { onNone: () => ({}), onSome: (latency) => ({ latency }) }),
          ...Option.match(input.largeLinkBalances, {
            onNone: () => ({}),
            onSome: (largeLinkBalances) => ({ largeLinkBalances })
          })
        })
      )
  )
).pipe(
  Command.withDescription(
    "Serve the sandbox of effect-belvo/testing on 127.0.0.1 (never another interface): Belvo's balances API " +
      "with seeded demo data, MFA sessions and its errors, for curl, a browser app, another SDK or this command. Ctrl-C stops it."
  ),
  Command.withShortDescription("The sandbox API on 127.0.0.1")
)
