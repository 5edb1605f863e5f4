/**
 * The scale benchmark's sandbox server, in its own process: an empty model plus the links the
 * benchmark asks for, on 127.0.0.1, with a latency on every request. Reports
 * `{ type: "ready", url }` over IPC, then answers (each with `{ type: "reply", id, ... }`):
 * - `{ type: "links", id, count }`: adds `count` plain links of one account; replies with their ids;
 * - `{ type: "arrivals", id }`: every request since the last call (method, arrival time, status,
 *   whether it was a recovery listing), and the server's CPU time; the log is emptied.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { Sandbox, SandboxServer } from "../src/testing/index.js"

export type ScaleRequest =
  | { readonly type: "links"; readonly id: number; readonly count: number }
  | { readonly type: "arrivals"; readonly id: number }

export interface ScaleReady {
  readonly type: "ready"
  readonly url: string
}

export interface ScaleReply {
  readonly type: "reply"
  readonly id: number
  readonly links?: ReadonlyArray<string>
  /**
   * Method, arrival (epoch ms), status, whether it was a sync's recovery listing (`fields=id`), and
   * the link a POST retrieved ("" otherwise).
   */
  readonly arrivals?: ReadonlyArray<
    readonly [method: string, at: number, status: number, recovery: boolean, link: string]
  >
  /** Server CPU time (user + system) since start, in milliseconds. */
  readonly cpuMillis?: number
}

/** The link a POST retrieve names in its body. */
const postedLink = (request: Sandbox.LoggedRequest): string => {
  if (request.method !== "POST") return ""
  try {
    const body: unknown = JSON.parse(request.body)
    return typeof body === "object" && body !== null && "link" in body ? String(body.link) : ""
  } catch {
    return ""
  }
}

const latency = Duration.millis(Number(process.env.LATENCY_MS ?? 25))

const main = async () => {
  const runtime = ManagedRuntime.make(
    SandboxServer.layerWithSandbox({ seed: 7, latency, largeLinkBalances: 0 }).pipe(Layer.orDie)
  )
  const url = await runtime.runPromise(SandboxServer.url)
  const ready: ScaleReady = { type: "ready", url }
  process.send?.(ready)

  process.on("message", (message: ScaleRequest) => {
    const program: Effect.Effect<Omit<ScaleReply, "type" | "id">, never, Sandbox.Sandbox> = message.type ===
    "links"
      ? Effect.map(
          Effect.forEach(Array.from({ length: message.count }), () => Sandbox.addLink({ accounts: 1 })),
          (links) => ({ links: links.map((link) => link.id) })
        )
      : Effect.gen(function* () {
          const log = yield* Sandbox.requests
          yield* Sandbox.clearRequests
          const cpu = process.cpuUsage()
          return {
            arrivals: log.map(
              (r) =>
                [r.method, r.receivedAt, r.status ?? 0, r.url.includes("fields=id"), postedLink(r)] as const
            ),
            cpuMillis: (cpu.user + cpu.system) / 1000
          }
        })
    runtime.runPromiseExit(program).then((exit) => {
      const fields = Exit.isSuccess(exit) ? exit.value : {}
      const reply: ScaleReply = { type: "reply", id: message.id, ...fields }
      process.send?.(reply)
    })
  })
  const stop = () => {
    runtime.dispose().finally(() => process.exit(0))
  }
  process.on("disconnect", stop)
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
