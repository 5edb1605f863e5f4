/**
 * MFA: a retrieve that meets a 428 `token_required`, answered two ways.
 *
 * 1. Within one program, with `Mfa.answer` and a handler that waits for the user's token.
 * 2. Across two requests (or processes): store the challenge as JSON, resume later with `Balances.resume`.
 *
 * Run: BELVO_SECRET_ID=… BELVO_SECRET_PASSWORD=… BELVO_LINK_ID=… npx tsx examples/mfa.ts
 */
import { NodeRuntime } from "@effect/platform-node"
import { Config, Console, Data, Deferred, Effect, Layer } from "effect"
import { FetchHttpClient } from "effect/http"
import { pathToFileURL } from "node:url"
import { Balances, BelvoClient, Mfa, MfaChallenge } from "../src/index.js"

export const BelvoLive = BelvoClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))

// ---------------------------------------------------------------------------------------------
// 1. One program: Mfa.answer
// ---------------------------------------------------------------------------------------------

export class NoTokenInTime extends Data.TaggedError("NoTokenInTime")<{ readonly session: string }> {}

// Tokens the user has not typed yet, by MFA session. A web handler calls `submitToken`.
const pending = new Map<string, Deferred.Deferred<string>>()

export const submitToken = (session: string, token: string): Effect.Effect<boolean> =>
  Effect.suspend(() => {
    const deferred = pending.get(session)
    return deferred === undefined ? Effect.succeed(false) : Deferred.succeed(deferred, token)
  })

// Shows the challenge to the user, then waits for their token until the session expires. When the
// institution expects no input (the user approves in their bank's app), resume without a token.
const askUser = (
  challenge: MfaChallenge.MfaChallenge,
  attempt: number
): Effect.Effect<Mfa.Token, NoTokenInTime> =>
  Effect.gen(function* () {
    if (challenge.token_generation_data?.expects_user_input === false) return undefined
    const deferred = yield* Deferred.make<string>()
    pending.set(challenge.session, deferred)
    yield* Console.log(
      `MFA (try ${attempt}) for session ${challenge.session}: ${challenge.token_generation_data?.instructions ?? "enter the token"}`
    )
    const left = yield* MfaChallenge.remaining(challenge)
    return yield* Deferred.await(deferred).pipe(
      Effect.timeoutOrElse({
        duration: left,
        orElse: () => Effect.fail(new NoTokenInTime({ session: challenge.session }))
      })
    )
  }).pipe(Effect.ensuring(Effect.sync(() => pending.delete(challenge.session))))

// The balances, whatever number of tokens (up to 3) the institution asks for on the way.
export const retrieveAnswering = (link: string) =>
  Balances.retrieve({ link, fields: ["account_id", "currency", "available"] }).pipe(
    Mfa.answer(askUser, { maxAttempts: 3 })
  )

// ---------------------------------------------------------------------------------------------
// 2. Two requests: store the challenge, resume later
// ---------------------------------------------------------------------------------------------

// What each request answers: balances (how many, in which currencies), or a challenge to keep.
export type StartResult =
  | { readonly _tag: "Done"; readonly balances: number; readonly currencies?: ReadonlyArray<string> }
  | {
      readonly _tag: "NeedsToken"
      readonly stored: string
      readonly instructions: string | undefined
      // false: the user approves in their bank's app; resume without a token once they have.
      readonly expectsInput: boolean
    }

// A challenge as the JSON string to keep (session, database…) and what to show the user.
const needsToken = (challenge: MfaChallenge.MfaChallenge) =>
  Effect.map(
    MfaChallenge.toJson(challenge),
    (stored): StartResult => ({
      _tag: "NeedsToken",
      stored,
      instructions: challenge.token_generation_data?.instructions,
      expectsInput: challenge.token_generation_data?.expects_user_input !== false
    })
  )

// First request: retrieve; on a 428 return the challenge to keep.
export const start = (
  link: string
): Effect.Effect<StartResult, Balances.RetrieveError, BelvoClient.BelvoClient> =>
  Balances.retrieve({ link }).pipe(
    Effect.map((retrieval): StartResult => ({ _tag: "Done", balances: retrieval.balances.length })),
    Effect.catchTag("TokenRequired", (error) => needsToken(error.challenge))
  )

// Second request, maybe in another process: decode the stored challenge and resume with the token
// (`undefined` when the institution expects no input). `{}` says the retrieve asked for no
// projection (it is checked), so the resume's items are whole `Balance`s.
export const finish = (stored: string, token: string | undefined) =>
  MfaChallenge.fromJson(stored, {}).pipe(
    Effect.flatMap((challenge) => Balances.resume(challenge, token)),
    Effect.map(
      (retrieval): StartResult => ({
        _tag: "Done",
        balances: retrieval.balances.length,
        currencies: [...new Set(retrieval.balances.map((balance) => balance.currency))]
      })
    ),
    // The institution asks for another token: store the new challenge and ask the user again.
    Effect.catchTag("TokenRequired", (error) => needsToken(error.challenge))
    // SessionExpired (status 0 when the client caught it before sending): start again with `start`.
  )

export const program = Effect.gen(function* () {
  const link = yield* Config.String("BELVO_LINK_ID")
  const result = yield* start(link)
  if (result._tag === "Done") return yield* Console.log(`${result.balances} balances, no MFA needed`)
  const waitFor = result.expectsInput ? "types the token" : "approves the request in their bank's app"
  yield* Console.log(`Keep this until the user ${waitFor}:\n${result.stored}`)
})

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  NodeRuntime.runMain(program.pipe(Effect.provide(BelvoLive)))
}
