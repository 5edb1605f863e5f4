/**
 * Answering one request, start to end: log and count it, wait the configured latency, then let the
 * fault plan answer or pass it on to the routes. The only entry point the adapters call.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Sandbox from "../Sandbox.js"
import type { Incoming, Outgoing } from "./exchange.js"
import * as Faults from "./faults.js"
import { logged } from "./log.js"
import { route } from "./routes.js"

/** Answers a request with the `Sandbox` in context (the method is normalized to upper case). */
export const respond = (incoming: Incoming): Effect.Effect<Outgoing, never, Sandbox.Sandbox> =>
  Effect.flatMap(Sandbox.Sandbox, (sandbox) => {
    const request: Incoming = { ...incoming, method: incoming.method.toUpperCase() }
    return logged(
      sandbox,
      request,
      Effect.gen(function* () {
        if (Duration.isPositive(sandbox.settings.latency)) yield* Effect.sleep(sandbox.settings.latency)
        const fault = Faults.choose(sandbox, request)
        const normal = route(sandbox, request)
        return yield* fault === undefined ? normal : Faults.answer(sandbox, request, fault, normal)
      })
    )
  })
