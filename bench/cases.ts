/**
 * The clients being compared, each listing every balance of one link and returning how many it saw.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Layer, ManagedRuntime, Redacted, Stream } from "effect"
import { FetchHttpClient } from "effect/http"
import { Balances, BelvoClient } from "../src/index.js"
import { SandboxModel } from "../src/testing/index.js"
import * as Raw from "./raw.js"

export { PAGE_SIZE } from "./raw.js"

const authorization = `Basic ${Buffer.from(
  `${SandboxModel.defaultSecretId}:${SandboxModel.defaultSecretPassword}`
).toString("base64")}`

/** Baseline: plain `fetch` + `JSON.parse` over page numbers, `concurrency` pages at a time, no validation. */
export const baseline = (base: string, link: string, concurrency = 1): Promise<number> =>
  Raw.baseline(base, link, authorization, concurrency)

/** Naive: follow `next` one page at a time with `fetch` + `JSON.parse`, as the official SDKs do. */
export const naive = (base: string, link: string): Promise<number> => Raw.naive(base, link, authorization)

export type Transport = "fetch" | "undici"

export const transports: ReadonlyArray<Transport> = ["fetch", "undici"]

/** A runtime holding one `BelvoClient` over the given transport (built once, reused by every run). */
export const libRuntime = (base: string, transport: Transport) =>
  ManagedRuntime.make(
    BelvoClient.layer({
      baseUrl: base,
      secretId: Redacted.make(SandboxModel.defaultSecretId),
      secretPassword: Redacted.make(SandboxModel.defaultSecretPassword)
    }).pipe(
      Layer.provide(transport === "fetch" ? FetchHttpClient.layer : NodeHttpClient.layerUndici),
      Layer.orDie
    )
  )

export type LibRuntime = ReturnType<typeof libRuntime>

/** effect-belvo: `Balances.list` (full validation) counted with `Stream.runCount`. */
export const lib = (
  runtime: LibRuntime,
  link: string,
  concurrency: number,
  pageSize: number = Raw.PAGE_SIZE
): Promise<number> =>
  runtime.runPromise(Stream.runCount(Balances.list({ link, page_size: pageSize }, { concurrency })))
