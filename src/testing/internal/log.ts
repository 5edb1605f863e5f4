/**
 * The request log and counters: every request is logged on arrival (method, absolute URL, headers,
 * body, `Clock` time) and its status filled in once answered; `inFlight`, `maxInFlight` and
 * `requests` follow it.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Sandbox from "../Sandbox.js"
import type { Incoming, Outgoing } from "./exchange.js"

/** Runs `answer` for `request` logged and counted (a dropped connection keeps no status). */
export const logged = <R>(
  sandbox: Sandbox.Service,
  request: Incoming,
  answer: Effect.Effect<Outgoing, never, R>
): Effect.Effect<Outgoing, never, R> =>
  Effect.gen(function* () {
    const entry: Sandbox.LoggedRequest = {
      method: request.method,
      url: request.url.href,
      headers: { ...request.headers },
      body: request.body,
      receivedAt: yield* Clock.currentTimeMillis,
      status: undefined
    }
    sandbox.log.push(entry)
    const stats = sandbox.stats
    stats.requests++
    stats.inFlight++
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
    const out = yield* answer.pipe(
      Effect.ensuring(
        Effect.sync(() => {
          stats.inFlight--
        })
      )
    )
    if (out.transport !== "drop") entry.status = out.status
    return out
  })
