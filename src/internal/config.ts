/**
 * The client's options read from configuration (`BELVO_SECRET_ID`, `BELVO_SECRET_PASSWORD`,
 * `BELVO_ENVIRONMENT`, `BELVO_BASE_URL`), each failure saying what to do: the variable, and what
 * a valid value looks like. Effect's own message (`Expected string at ["BELVO_SECRET_ID"]`) names
 * neither. A bad `BELVO_BASE_URL` is never echoed: it may hold a secret.
 *
 * @internal
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import type { Options } from "../BelvoClient.js"
import { checkBaseUrl, sourceError, VALID_BASE_URL } from "./options.js"

const explained = <A>(config: Config.Config<A>, message: string): Config.Config<A> =>
  Config.orElse(config, () =>
    Config.mapEffect(Config.succeed(undefined), () => Effect.fail(sourceError(message)))
  )

/** The options `BelvoClient.layerConfig` reads. */
export const config: Config.Config<Options> = Config.all({
  secretId: explained(
    Config.Redacted("BELVO_SECRET_ID"),
    "BELVO_SECRET_ID is not set: set it to the secret id of your Belvo API keys (the dashboard's Developers section)"
  ),
  secretPassword: explained(
    Config.Redacted("BELVO_SECRET_PASSWORD"),
    "BELVO_SECRET_PASSWORD is not set: set it to the password of the same Belvo API keys as BELVO_SECRET_ID"
  ),
  environment: explained(
    Config.Literals(["sandbox", "production"], "BELVO_ENVIRONMENT").pipe(
      Config.withDefault("sandbox" as const)
    ),
    'BELVO_ENVIRONMENT must be "sandbox" or "production" (or unset, for sandbox)'
  ),
  baseUrl: Config.option(Config.String("BELVO_BASE_URL")).pipe(
    Config.mapEffect((url) =>
      Option.isNone(url)
        ? Effect.succeed(undefined)
        : Result.match(checkBaseUrl(url.value), {
            onSuccess: (valid) => Effect.succeed(valid.href),
            onFailure: (why) => Effect.fail(sourceError(`BELVO_BASE_URL ${why}; ${VALID_BASE_URL}`))
          })
    )
  )
}).pipe(Config.map(({ baseUrl, ...rest }): Options => (baseUrl === undefined ? rest : { ...rest, baseUrl })))
