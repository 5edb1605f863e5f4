/**
 * The sandbox's MFA, by hand on the wire: a POST on the MFA link answers 428 with a challenge, the
 * token is the challenge value reversed, a PATCH resumes. Quoted by docs/testing.md.
 *
 * Run: npx tsx examples/testing-mfa.ts
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { pathToFileURL } from "node:url"
import { Sandbox, SandboxHttp, SandboxModel } from "../src/testing/index.js"

// One request to the sandbox, by hand: basic auth, a JSON body; the status and the JSON answer.
const send = (method: "POST" | "PATCH", body: Record<string, unknown>) =>
  HttpClientRequest.make(method)("https://sandbox.belvo.com/api/br/balances/").pipe(
    HttpClientRequest.basicAuth(SandboxModel.defaultSecretId, SandboxModel.defaultSecretPassword),
    HttpClientRequest.bodyJsonUnsafe(body),
    HttpClient.execute,
    Effect.flatMap((response) =>
      Effect.map(response.json, (json): { status: number; json: unknown } => ({
        status: response.status,
        json
      }))
    )
  )

interface Challenge {
  readonly session: string
  readonly link: string
  readonly token_generation_data: { readonly value: string }
}

export const retrieveWithMfa = Effect.gen(function* () {
  const first = yield* send("POST", { link: SandboxModel.mfaLinkId })
  // 428: [{ code: "token_required", session, expiry: 600, link, token_generation_data: {...} }]
  const [challenge] = first.json as ReadonlyArray<Challenge>
  // The sandbox's rule: the token is token_generation_data.value reversed.
  const token = SandboxModel.tokenFor(challenge!)
  // Also known from the session id alone:
  const same = yield* Sandbox.tokenForSession(challenge!.session)
  const done = yield* send("PATCH", { session: challenge!.session, token, link: challenge!.link })
  return { challengeStatus: first.status, token, same, resumeStatus: done.status } // 428, …, 201
})

export const main = retrieveWithMfa.pipe(
  Effect.flatMap((result) => Console.log(JSON.stringify(result))),
  Effect.provide(SandboxHttp.layer())
)

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) NodeRuntime.runMain(main)
