/**
 * Retrieval: `POST /api/br/balances/` fetches fresh balances of a link (stored with `save_data`),
 * or opens an MFA session and answers the 428 challenge on an MFA link; `PATCH` resumes that
 * session with the token (the legacy resume body: `session`, `token`, `link`, `save_data`).
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Sandbox from "../Sandbox.js"
import * as SandboxModel from "../SandboxModel.js"
import * as Body from "./body.js"
import { challenge, documented, type ErrorItem, errors } from "./errors.js"
import { type Incoming, json, type Outgoing } from "./exchange.js"
import { isUuid, SESSION } from "./formats.js"
import * as Query from "./query.js"
import * as Serialize from "./serialize.js"

const aUuid = { valid: isUuid, message: "Must be a valid UUID." }
const aBoolean = {
  valid: (value: unknown) => typeof value === "boolean",
  message: "Must be a valid boolean."
}
const aSession = {
  valid: (value: unknown) => typeof value === "string" && SESSION.test(value),
  message: "Invalid session."
}

/** The retrieval itself: fresh current balances, stored when `save_data` (201) or not (200). */
const complete = (
  sandbox: Sandbox.Service,
  request: Incoming,
  link: string,
  accountId: string | undefined,
  saveData: boolean
): Effect.Effect<Outgoing> =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    const current = sandbox.model.current(link, accountId, now)
    if (saveData) sandbox.model.addBalances(current, now)
    return json(
      saveData ? 201 : 200,
      Serialize.balances(current, Query.projection(request.url.searchParams), sandbox.settings.quoteAmounts)
    )
  })

/**
 * The body read and its fields checked (every problem in one 400), then its link: 400
 * `does_not_exist` for an unknown one, 403 for another secret's. The body and the link, or the
 * answer refusing them.
 */
const accept = (
  sandbox: Sandbox.Service,
  secret: string,
  request: Incoming,
  checkFields: (body: Body.Body, problems: Array<ErrorItem>) => void
):
  | { readonly ok: true; readonly body: Body.Body; readonly link: string }
  | { readonly ok: false; readonly refused: Outgoing } => {
  const parsed = Body.parse(sandbox, request)
  if (!parsed.ok) return parsed
  const problems: Array<ErrorItem> = []
  checkFields(parsed.body, problems)
  if (problems.length > 0) return { ok: false, refused: errors(sandbox, 400, problems) }
  const link = (parsed.body.link as string).toLowerCase()
  const found = sandbox.model.link(link)
  if (found === undefined) {
    return {
      ok: false,
      refused: documented(sandbox, "does_not_exist", {
        message: `Object with id=${link} does not exist.`,
        field: "link"
      })
    }
  }
  if (found.owner !== secret) return { ok: false, refused: documented(sandbox, "access_to_resource_denied") }
  return { ok: true, body: parsed.body, link }
}

/** A handler of a JSON body: `answer` runs once `accept` accepted the body and its link. */
const handler =
  (
    checkFields: (body: Body.Body, problems: Array<ErrorItem>) => void,
    answer: (accepted: {
      readonly sandbox: Sandbox.Service
      readonly secret: string
      readonly request: Incoming
      readonly body: Body.Body
      readonly link: string
    }) => Effect.Effect<Outgoing, never, Sandbox.Sandbox>
  ) =>
  (
    sandbox: Sandbox.Service,
    secret: string,
    request: Incoming
  ): Effect.Effect<Outgoing, never, Sandbox.Sandbox> => {
    const accepted = accept(sandbox, secret, request, checkFields)
    return accepted.ok ? answer({ sandbox, secret, request, ...accepted }) : Effect.succeed(accepted.refused)
  }

export const retrieve = handler(
  (body, problems) => {
    Body.checkField(body, "link", { required: true, ...aUuid }, problems)
    Body.checkField(body, "account_id", { required: false, ...aUuid }, problems)
    Body.checkField(body, "save_data", { required: false, ...aBoolean }, problems)
  },
  ({ sandbox, request, body, link }) =>
    Effect.gen(function* () {
      const accountId = typeof body.account_id === "string" ? body.account_id.toLowerCase() : undefined
      const found = sandbox.model.link(link)!
      if (accountId !== undefined && !found.accounts.some((a) => a.id === accountId)) {
        return documented(sandbox, "does_not_exist", {
          message: `Object with id=${accountId} does not exist.`,
          field: "account_id"
        })
      }
      if (found.mfa) {
        return challenge(
          sandbox,
          yield* Sandbox.openSession(link, accountId),
          link,
          undefined,
          428,
          found.mfaKind
        )
      }
      return yield* complete(sandbox, request, link, accountId, body.save_data !== false)
    })
)

export const resume = handler(
  (body, problems) => {
    Body.checkField(body, "session", { required: true, ...aSession }, problems)
    Body.checkField(body, "link", { required: true, ...aUuid }, problems)
    if ("token" in body && body.token !== null && typeof body.token !== "string") {
      problems.push({ code: "invalid", message: "Not a valid string.", field: "token" })
    }
    Body.checkField(body, "save_data", { required: false, ...aBoolean }, problems)
  },
  ({ sandbox, secret, request, body, link }) =>
    Effect.gen(function* () {
      // Sessions are single use: whatever happens next, this one is gone.
      const id = body.session as string
      const session = sandbox.sessions.get(id)
      sandbox.sessions.delete(id)
      const now = yield* Clock.currentTimeMillis
      if (
        session === undefined ||
        session.owner !== secret ||
        session.link !== link ||
        now >= session.expiresAt
      ) {
        return documented(sandbox, "session_expired")
      }
      const kind = sandbox.model.link(link)?.mfaKind ?? "token"
      // A confirmation expects no token; a typed code must be the one the challenge asked for.
      const answered =
        kind === "confirm"
          ? body.token === undefined || body.token === null
          : body.token === SandboxModel.tokenFor(session.value)
      if (!answered) {
        // A wrong answer: a fresh challenge on a fresh session, as if the institution asked again.
        return challenge(
          sandbox,
          yield* Sandbox.openSession(link, session.accountId),
          link,
          undefined,
          428,
          kind
        )
      }
      return yield* complete(sandbox, request, link, session.accountId, body.save_data !== false)
    })
)
