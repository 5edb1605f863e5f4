/**
 * The clients being compared, each listing every balance of one link and returning how many it saw.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Layer, ManagedRuntime, Redacted, Stream } from "effect"
import { FetchHttpClient } from "effect/http"
import { Balances, BelvoClient } from "../src/index.js"
import { SandboxModel } from "../src/testing/index.js"

export const PAGE_SIZE = 1000

const authorization = `Basic ${Buffer.from(
  `${SandboxModel.defaultSecretId}:${SandboxModel.defaultSecretPassword}`
).toString("base64")}`

const headers = { authorization, accept: "application/json" }

interface RawPage {
  readonly count: number
  readonly next: string | null
  readonly results: ReadonlyArray<unknown>
}

const getPage = async (url: string): Promise<RawPage> => {
  const response = await fetch(url, { headers })
  if (response.status !== 200) throw new Error(`${url} -> ${response.status}`)
  return JSON.parse(await response.text()) as RawPage
}

const pageUrl = (base: string, link: string, page: number) =>
  `${base}/api/br/balances/?link=${link}&page_size=${PAGE_SIZE}${page === 1 ? "" : `&page=${page}`}`

/** Baseline: plain `fetch` + `JSON.parse` over page numbers, `concurrency` pages at a time, no validation. */
export const baseline = async (base: string, link: string, concurrency = 1): Promise<number> => {
  const first = await getPage(pageUrl(base, link, 1))
  let items = first.results.length
  const pages = Math.ceil(first.count / PAGE_SIZE)
  let nextPage = 2
  const worker = async () => {
    while (nextPage <= pages) {
      const page = nextPage++
      const { results } = await getPage(pageUrl(base, link, page))
      items += results.length
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker))
  return items
}

/** Naive: follow `next` one page at a time with `fetch` + `JSON.parse`, as the official SDKs do. */
export const naive = async (base: string, link: string): Promise<number> => {
  let url: string | null = pageUrl(base, link, 1)
  let items = 0
  while (url !== null) {
    const page: RawPage = await getPage(url)
    items += page.results.length
    url = page.next
  }
  return items
}

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
  pageSize: number = PAGE_SIZE
): Promise<number> =>
  runtime.runPromise(Stream.runCount(Balances.list({ link, page_size: pageSize }, { concurrency })))
