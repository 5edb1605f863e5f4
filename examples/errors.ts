/**
 * Handling errors: by tag with `catchTag` / `catchTags`, exhaustively with a `switch`, and encoding
 * an error to JSON for a log or a queue.
 *
 * Run: BELVO_SECRET_ID=… BELVO_SECRET_PASSWORD=… BELVO_LINK_ID=… npx tsx examples/errors.ts
 */
import { NodeRuntime } from "@effect/platform-node"
import { Config, Console, Effect, Layer, Option, Result, Schema } from "effect"
import { FetchHttpClient } from "effect/http"
import { pathToFileURL } from "node:url"
import { Balances, BelvoClient, BelvoError } from "../src/index.js"

export const BelvoLive = BelvoClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))

// One tag: a missing balance becomes `undefined`; every other error stays in the error channel.
export const findBalance = (id: string) =>
  Balances.get(id).pipe(Effect.catchTag("NotFound", () => Effect.succeed(undefined)))

// Several tags at once: the remaining error type is what was not handled.
export const retrieveOrExplain = (link: string) =>
  Balances.retrieve({ link }).pipe(
    Effect.catchTags({
      InstitutionDown: (error) => Effect.fail(`Try again later (request_id ${error.request_id})`),
      InstitutionUnavailable: (error) => Effect.fail(`Try again later (request_id ${error.request_id})`),
      InvalidLink: () => Effect.fail("Ask the user to reconnect their bank"),
      ValidationError: (error) => Effect.fail(`Fix the request: ${error.field ?? "?"}: ${error.detail}`)
    })
  )

// Each endpoint fails with exactly its own union: this switch covers every RetrieveError, and the
// compiler would reject it if a tag were missing or did not belong.
export type Advice =
  | "retry later"
  | "fix the request"
  | "ask the user"
  | "check the Belvo credentials or link owner"
  | "not available for this institution"
  | "report it with the request_id"

export const advice = (error: Balances.RetrieveError): Advice => {
  switch (error._tag) {
    case "InstitutionDown":
    case "InstitutionUnavailable":
    case "TooManySessions":
    case "RequestTimeout":
    case "TooManyRequests":
    case "UnexpectedError":
    case "UnknownStatus":
    case "TransportError":
    case "Timeout":
      return "retry later"
    case "InvalidQuery":
    case "ValidationError":
    case "BadRequest":
    case "InvalidPeriod":
    case "InvalidCredentialsStorage":
    case "InvalidFetchResources":
      return "fix the request"
    case "TokenRequired":
    case "SessionExpired":
    case "LoginError":
    case "InvalidLink":
    case "UnconfirmedLink":
    case "ConsentWithoutAccounts":
      return "ask the user"
    case "AuthenticationFailed":
    case "AccessDenied":
      return "check the Belvo credentials or link owner"
    case "InstitutionInactive":
    case "UnsupportedOperation":
      return "not available for this institution"
    case "DecodeError":
      return "report it with the request_id"
  }
}

// `BelvoError.BelvoError` is a schema of every failure of every endpoint: encode one to JSON for a
// log or a queue, and decode it back into the same tagged error.
const ErrorJson = Schema.fromJsonString(BelvoError.BelvoError)
export const errorToJson = (error: BelvoError.BelvoError) => Schema.encodeEffect(ErrorJson)(error)
export const errorFromJson = (json: string) => Schema.decodeEffect(ErrorJson)(json)

// `BelvoError.AnsweredError` holds the errors that came with an HTTP status (status, code, request id);
// `BelvoError.isAnswered` tells them from transport failures, timeouts and undecodable bodies.
export const answeredToJson = (error: BelvoError.BelvoError) =>
  BelvoError.isAnswered(error)
    ? Effect.map(Schema.encodeEffect(Schema.fromJsonString(BelvoError.AnsweredError))(error), Option.some)
    : Effect.succeed(Option.none<string>())

// Explains a failed retrieve (advice and the error as JSON), then fails with it: the process exits with 1.
export const program = Effect.gen(function* () {
  const link = yield* Config.String("BELVO_LINK_ID")
  const result = yield* Effect.result(Balances.retrieve({ link }))
  if (Result.isSuccess(result)) return yield* Console.log(`${result.success.balances.length} balances`)
  const error = result.failure
  yield* Console.error(error.message)
  yield* Console.error(`advice: ${advice(error)}`)
  yield* Console.error(yield* errorToJson(error))
  return yield* Effect.fail(error)
})

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  NodeRuntime.runMain(program.pipe(Effect.provide(BelvoLive)))
}
