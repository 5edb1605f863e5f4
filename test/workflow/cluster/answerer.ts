/**
 * The "web app" of the multi-process test, in its own process: a client-only cluster member that,
 * after DELAY_MS, keeps reading `LinkSync.pending` from the SQL store and answers every waiting
 * challenge (the sandbox's token for a code, none for a confirmation on another device), each
 * (sync, round) once. Prints one JSON line per answer and a last `{"event":"done",…}` line; stops
 * when EXPECTED answers are given or after DEADLINE_MS. Env: PG_URL, DELAY_MS, EXPECTED, DEADLINE_MS.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import { SandboxModel } from "../../../src/testing/index.js"
import { LinkSync } from "../../../src/workflow/index.js"
import { clientLayer } from "./cluster.js"

const pgUrl = process.env.PG_URL ?? ""
const delayMillis = Number(process.env.DELAY_MS ?? 0)
const expected = Number(process.env.EXPECTED ?? Number.POSITIVE_INFINITY)
const deadline = Date.now() + Number(process.env.DEADLINE_MS ?? 60_000)
const print = (line: object) => console.log(JSON.stringify(line))

const main = Effect.gen(function* () {
  print({ event: "ready", pid: process.pid })
  yield* Effect.sleep(delayMillis)
  const answered = new Set<string>()
  let refused = 0
  while (answered.size < expected && Date.now() < deadline) {
    for (const waiting of yield* LinkSync.pending) {
      const id = `${waiting.executionId}/${waiting.round}`
      if (answered.has(id)) continue
      const confirm = waiting.challenge.token_generation_data?.expects_user_input === false
      const token = confirm ? undefined : SandboxModel.tokenFor(waiting.challenge)
      const result = yield* Effect.result(LinkSync.answer({ executionId: waiting.executionId }, token))
      if (result._tag === "Failure") {
        refused += 1
        continue
      }
      answered.add(id)
      print({
        event: "answered",
        executionId: waiting.executionId,
        link: waiting.link,
        round: waiting.round,
        token: token ?? null,
        at: Date.now()
      })
    }
    yield* Effect.sleep("100 millis")
  }
  print({ event: "done", answered: answered.size, refused })
}).pipe(Effect.provide(clientLayer(pgUrl)))

NodeRuntime.runMain(main)
