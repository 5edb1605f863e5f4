/**
 * The raw loops the library is measured against: plain `fetch` + `text()` + `JSON.parse`, no
 * validation, nothing of the library loaded (bench/cpuCase.ts runs them in a process of their own).
 */

export const PAGE_SIZE = 1000

interface RawPage {
  readonly count: number
  readonly next: string | null
  readonly results: ReadonlyArray<unknown>
}

type Parse = (text: string) => unknown

/** Fetches and parses one page. */
const getPage = async (url: string, authorization: string, parse: Parse): Promise<RawPage> => {
  const response = await fetch(url, { headers: { authorization, accept: "application/json" } })
  if (response.status !== 200) throw new Error(`${url} -> ${response.status}`)
  return parse(await response.text()) as RawPage
}

export const pageUrl = (base: string, link: string, page: number) =>
  `${base}/api/br/balances/?link=${link}&page_size=${PAGE_SIZE}${page === 1 ? "" : `&page=${page}`}`

/** Plain `fetch` + `JSON.parse` over page numbers, `concurrency` pages at a time. */
export const baseline = async (
  base: string,
  link: string,
  authorization: string,
  concurrency = 1
): Promise<number> => {
  const first = await getPage(pageUrl(base, link, 1), authorization, JSON.parse)
  let items = first.results.length
  const pages = Math.ceil(first.count / PAGE_SIZE)
  let nextPage = 2
  const worker = async () => {
    while (nextPage <= pages) {
      const page = nextPage++
      const { results } = await getPage(pageUrl(base, link, page), authorization, JSON.parse)
      items += results.length
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker))
  return items
}

/** Follows `next` one page at a time, parsing each body with `parse` (`JSON.parse` by default). */
export const naive = async (
  base: string,
  link: string,
  authorization: string,
  parse: Parse = JSON.parse
): Promise<number> => {
  let url: string | null = pageUrl(base, link, 1)
  let items = 0
  while (url !== null) {
    const page: RawPage = await getPage(url, authorization, parse)
    items += page.results.length
    url = page.next
  }
  return items
}

/**
 * `JSON.parse` with a reviver that keeps the source text of the `amountKeys`' numbers (ES2025's
 * `context.source`): the plain way to read money exactly, without any check.
 */
export const keepingAmountSource = (amountKeys: ReadonlyArray<string>): Parse => {
  const keys = new Set(amountKeys)
  const reviver = (key: string, value: unknown, context?: { readonly source?: string }) =>
    typeof value === "number" && keys.has(key) && context?.source !== undefined ? context.source : value
  return (text) => JSON.parse(text, reviver as (key: string, value: unknown) => unknown)
}
