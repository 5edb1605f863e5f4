/**
 * Pagination: every page of a listing as one stream of decoded pages, in order, each exactly once.
 *
 * - Concurrency 1 follows the server's `next` links, one request at a time, and reads ahead: as
 *   soon as a page's head (`count`, `next`) is read, the next request goes out, and the page is
 *   decoded while the server works on the next one.
 * - Concurrency n reads `count` from the first page and fetches the remaining page numbers n at a
 *   time, decoding each in page order just before it is emitted.
 *
 * Past the pages `count` implies, `next` links are still followed (one at a time) for a few more
 * pages (`extraPages`: data added while listing), so a count that falls behind never ends the
 * stream early in silence: it yields every item the server has, or fails. Guards, each a
 * `PaginationError`: a `next` URL off the configured base URL (credentials never leave it), a page
 * linked twice, an empty page that links to another, more pages than `count` implies plus
 * `extraPages`, and more than `maxPages` in all (checked against `count` before paging).
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as UrlParams from "effect/http/UrlParams"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import type * as Balance from "../Balance.js"
import * as BelvoError from "../BelvoError.js"
import * as Answer from "./answer.js"
import { isCount, isNullOrString } from "./fastDecode.js"
import { parseHead } from "./json.js"

/** A listing to stream: where it starts, how its pages are fetched and decoded. */
export interface Listing<A, E, R> {
  readonly baseUrl: URL
  /** The first page's request, relative to the base URL. */
  readonly request: HttpClientRequest.HttpClientRequest
  readonly pageSize: number
  readonly firstPage: number
  /** The most pages one listing may take: the bound on a server that never ends. */
  readonly maxPages: number
  readonly decode: Answer.Decoder<Balance.Page<A>>
  /** Sends one page request; `onStart` as `Attempt.Spec`'s. */
  readonly fetch: (
    request: HttpClientRequest.HttpClientRequest,
    onStart?: Effect.Effect<void>
  ) => Effect.Effect<Answer.Answer, E, R>
}

/** What paging itself can fail with, beside the fetch's own errors. */
export type PagingError = BelvoError.DecodeError | BelvoError.PaginationError

const crossOrigin = (url: string) =>
  new BelvoError.PaginationError({
    message: `Refusing to follow a page URL off the configured base URL: ${url}. Credentials are only sent to the configured origin.`,
    reason: "CrossOrigin",
    url
  })

const endless = (url: string, why: string) =>
  new BelvoError.PaginationError({ message: `Pagination stopped: ${why} (${url})`, reason: "Endless", url })

/** A page link checked to stay under the base URL: its absolute form and its request. */
interface Link {
  readonly href: string
  readonly request: HttpClientRequest.HttpClientRequest
}

/** Checks a `next` URL (absolute or relative): it must stay under the configured base URL. */
const checkNext = (baseUrl: URL, next: string): Result.Result<Link, BelvoError.PaginationError> => {
  let url: URL
  try {
    url = new URL(next, baseUrl)
  } catch {
    return Result.fail(crossOrigin(next))
  }
  if (url.origin !== baseUrl.origin || !url.pathname.startsWith(baseUrl.pathname)) {
    return Result.fail(crossOrigin(next))
  }
  return Result.succeed({
    href: url.href,
    request: HttpClientRequest.get(url.pathname.slice(baseUrl.pathname.length), {
      urlParams: url.searchParams
    })
  })
}

/** The absolute URL a request relative to the base URL goes to. */
const hrefOf = (baseUrl: URL, request: HttpClientRequest.HttpClientRequest): string => {
  const url = new URL(request.url, baseUrl)
  url.search = UrlParams.toString(request.urlParams)
  return url.href
}

/** The pages `count` implies from `firstPage` on, refused when over `maxPages` before any is fetched. */
const countedPages = <A, E, R>(listing: Listing<A, E, R>, count: number, href: string) => {
  const pages = Math.max(0, Math.ceil(count / listing.pageSize) - listing.firstPage + 1)
  return pages > listing.maxPages
    ? Effect.fail(
        endless(
          href,
          `count ${count} means ${pages} pages of ${listing.pageSize}, over the bound of ${listing.maxPages} pages (raise maxPages or narrow the query)`
        )
      )
    : Effect.succeed(pages)
}

/**
 * How many pages past those `count` implies are still followed: data added while listing moves
 * the last items onto new pages. A tenth more, and at least 10.
 */
export const extraPages = (counted: number): number => Math.max(10, Math.ceil(counted / 10))

/** What a listing has seen so far, shared by the count-derived pages and the `next` links after them. */
interface Progress {
  readonly seen: Set<string>
  fetched: number
  /** The most pages this listing may take: `maxPages`, then what `count` implies plus `extraPages`. */
  limit: number
  /** Why a page past `limit` is refused. */
  why: string
}

const newProgress = (maxPages: number): Progress => ({
  seen: new Set(),
  fetched: 0,
  limit: maxPages,
  why: `more than ${maxPages} pages (raise maxPages if the listing is really this long)`
})

/** Bounds the listing by its `count`, once known. */
const bound = (progress: Progress, counted: number) => {
  const limit = counted + extraPages(counted)
  if (limit < progress.limit) {
    progress.limit = limit
    progress.why = `the server linked more pages than its count implies (${counted}) plus ${extraPages(counted)}`
  }
}

/** Counts a page about to be fetched, refusing one linked twice or one past the listing's limit. */
const admit = (progress: Progress, href: string) => {
  if (progress.seen.has(href)) return Effect.fail(endless(href, "the server linked a page twice"))
  if (progress.fetched >= progress.limit) return Effect.fail(endless(href, progress.why))
  progress.seen.add(href)
  progress.fetched += 1
  return Effect.void
}

/** A page's own consistency: an empty page that links to another is a server going nowhere. */
const checkProgress = (href: string, results: number, next: string | null) =>
  results === 0 && next !== null ? Effect.fail(endless(href, "an empty page links to another")) : Effect.void

/** A list page as received, with the `count` and `next` its head says: enough to ask for the next. */
interface PendingPage<A> {
  readonly count: number
  readonly next: string | null
  readonly answer: Answer.Answer
  /** Paging relied on `count` and `next` from the head, so the whole page must agree with them. */
  readonly fromHead: boolean
  /** Present when the head could not be read alone and the whole page was decoded already. */
  readonly decoded?: Balance.Page<A>
}

/** Reads `count` and `next` from the page's head; a body without that head is decoded whole. */
const pendingPage = <A>(
  answer: Answer.Answer,
  decode: Answer.Decoder<Balance.Page<A>>
): Result.Result<PendingPage<A>, BelvoError.DecodeError> => {
  const head = parseHead(answer.body.head(), "results")
  if (head !== undefined && isCount(head.count) && isNullOrString(head.next)) {
    return Result.succeed({ count: head.count, next: head.next, answer, fromHead: true })
  }
  return Result.map(Answer.decode(answer, decode), (page) => ({
    count: page.count,
    next: page.next,
    answer,
    fromHead: false,
    decoded: page
  }))
}

/** Decodes a pending page; one paged by its head must agree with it (JSON allows repeated keys). */
const decodePending = <A>(
  pending: PendingPage<A>,
  decode: Answer.Decoder<Balance.Page<A>>
): Result.Result<Balance.Page<A>, BelvoError.DecodeError> =>
  pending.decoded !== undefined
    ? Result.succeed(pending.decoded)
    : Result.flatMap(Answer.decode(pending.answer, decode), (page) =>
        !pending.fromHead || (page.count === pending.count && page.next === pending.next)
          ? Result.succeed(page)
          : Result.fail(
              Answer.decodeFailure(
                pending.answer,
                `the page's count and next (${page.count}, ${page.next}) differ from those before its results (${pending.count}, ${pending.next}): a key is repeated`
              )
            )
      )

/** Lets the event loop turn once (microtasks, then I/O), so a request handed to the client is written. */
const yieldToEventLoop = Effect.callback<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/** Every page of `listing`, in order: concurrency 1 follows `next`, more fetch page numbers. */
export const pages = <A, E, R>(
  listing: Listing<A, E, R>,
  concurrency: number
): Stream.Stream<Balance.Page<A>, E | PagingError, R> => {
  const progress = newProgress(listing.maxPages)
  const first: Link = { href: hrefOf(listing.baseUrl, listing.request), request: listing.request }
  return concurrency === 1
    ? followNext(listing, first, progress, true)
    : Stream.unwrap(concurrentPages(listing, concurrency, first, progress))
}

/** A decoded page checked before it is emitted: its `next` stays on the base URL, and an empty page ends. */
const emit = <A, E, R>(listing: Listing<A, E, R>, href: string, page: Balance.Page<A>) =>
  Effect.andThen(
    checkProgress(href, page.results.length, page.next),
    page.next === null
      ? Effect.succeed(page)
      : Effect.as(Effect.fromResult(checkNext(listing.baseUrl, page.next)), page)
  )

/**
 * Follows the server's `next` links from `start`, one request at a time, refusing foreign origins,
 * repeats and runaways. With `first`, the first page's `count` is checked against `maxPages`.
 *
 * The wire is never idle while the client works: as soon as page k's body is in and `next` is
 * read, the request for page k+1 goes out, and page k is decoded while the server prepares k+1.
 * The producer hands each page over with a signal that the following request is on its way; the
 * decoder waits for it, so decoding never delays the next request.
 */
const followNext = <A, E, R>(
  listing: Listing<A, E, R>,
  start: Link,
  progress: Progress,
  first: boolean
): Stream.Stream<Balance.Page<A>, E | PagingError, R> =>
  Stream.unwrap(
    Effect.map(Deferred.make<void>(), (firstSent) => {
      interface State {
        readonly link: Link
        /**
         * Completed when this request is handed to the HTTP client, or starts waiting for the
         * client's limits (or never will be sent): from then on, decoding the previous page cannot
         * delay it.
         */
        readonly sent: Deferred.Deferred<void>
      }
      let isFirst = first
      const step = ({ link, sent }: State) =>
        Effect.gen(function* () {
          yield* admit(progress, link.href)
          const answer = yield* listing.fetch(link.request, Deferred.succeed(sent, undefined))
          const page = yield* Effect.fromResult(pendingPage(answer, listing.decode))
          if (isFirst) {
            isFirst = false
            bound(progress, yield* countedPages(listing, page.count, link.href))
          }
          const nextSent = yield* Deferred.make<void>()
          const handed = [[link.href, page, nextSent] as const]
          if (page.next === null) {
            yield* Deferred.succeed(nextSent, undefined)
            return [handed, Option.none<State>()] as const
          }
          const next = yield* Effect.fromResult(checkNext(listing.baseUrl, page.next))
          return [handed, Option.some({ link: next, sent: nextSent })] as const
        }).pipe(Effect.ensuring(Deferred.succeed(sent, undefined)))
      return Stream.paginate({ link: start, sent: firstSent }, step).pipe(
        Stream.buffer({ capacity: 1 }),
        Stream.mapEffect(([href, page, nextSent]) =>
          Deferred.await(nextSent).pipe(
            Effect.andThen(yieldToEventLoop),
            // Lazily: decoding when the effect is built would run before the wait above.
            Effect.andThen(Effect.suspend(() => Effect.fromResult(decodePending(page, listing.decode)))),
            Effect.flatMap((decoded) => emit(listing, href, decoded))
          )
        )
      )
    })
  )

/** A page past the ones that exist: the fetch's 404 for a page number `count` promised. */
interface Missing<E> {
  readonly missing: E
}

const isNotFound = (error: unknown): boolean => Predicate.isTagged(error, "NotFound")

/**
 * Concurrency n: page 1 gives `count`; the remaining page numbers are fetched n at a time and
 * emitted in order, until a page says it is the last. If the last page `count` implies still links
 * to another, the rest is followed one `next` at a time. Every page, the first included, waits as
 * the text it came in and is parsed and decoded in page order just before its items are emitted,
 * so at most one decoded page is alive at a time.
 *
 * The first page is not kept decoded while the rest stream by: V8 watches how many fresh objects
 * survive a young-generation collection, and a whole page held for the length of the stream made
 * it allocate every later balance straight into the old generation (measured: 2.7x the promoted
 * bytes, the heap growing to several times its live size).
 */
const concurrentPages = <A, E, R>(
  listing: Listing<A, E, R>,
  concurrency: number,
  first: Link,
  progress: Progress
) =>
  Effect.gen(function* () {
    yield* admit(progress, first.href)
    const firstAnswer = yield* listing.fetch(first.request)
    const head = yield* Effect.fromResult(pendingPage(firstAnswer, listing.decode))
    if (head.next !== null) yield* Effect.fromResult(checkNext(listing.baseUrl, head.next))
    const counted = yield* countedPages(listing, head.count, first.href)
    bound(progress, counted)
    const lastPage = listing.firstPage + Math.max(counted, 1) - 1
    // The `next` of the last page emitted: where the count-derived pages leave off, if anywhere.
    let after: string | null = null
    const decodeInOrder = (item: PendingPage<A> | Missing<E>, href: string) =>
      // Inside the effect, not while building it: `Stream.mapEffect` keeps the effect it built
      // until the next page arrives.
      Effect.suspend((): Effect.Effect<Balance.Page<A>, E | PagingError> => {
        // The page before linked to this one: its absence is the server's error, in order.
        if ("missing" in item) return Effect.fail(item.missing)
        return Effect.flatMap(Effect.fromResult(decodePending(item, listing.decode)), (decoded) => {
          after = decoded.next
          return emit(listing, href, decoded)
        })
      })
    const count = head.count
    // The first page, already here: emitted before any other page is asked for, so a consumer
    // that stops within it (`Stream.take(10)`) sends one request; let go of it once handed on.
    let pending: PendingPage<A> | undefined = head
    const firstPage$ = Stream.fromEffect(
      Effect.suspend(() => {
        const taken = pending as PendingPage<A>
        pending = undefined
        return decodeInOrder(taken, first.href)
      })
    )
    const rest$ = Stream.range(listing.firstPage + 1, lastPage).pipe(
      Stream.mapEffect(
        (page) => {
          const request = HttpClientRequest.setUrlParam(listing.request, "page", String(page))
          const href = hrefOf(listing.baseUrl, request)
          return admit(progress, href).pipe(
            Effect.andThen(listing.fetch(request)),
            Effect.map((answer): PendingPage<A> => ({ count, next: null, answer, fromHead: false })),
            // A page `count` promised but the server no longer has: an error only if the page
            // before it says there is more, which is known once the pages are back in order.
            Effect.catchIf(
              (error: E | BelvoError.PaginationError): error is E => isNotFound(error),
              (missing) => Effect.succeed<Missing<E>>({ missing })
            ),
            Effect.map((item) => [href, item] as const)
          )
        },
        { concurrency }
      ),
      Stream.mapEffect(([href, item]) => decodeInOrder(item, href)),
      Stream.takeUntil((page) => page.next === null)
    )
    // After the pages `count` implies: whatever `next` still links to, one page at a time.
    const tail$ = Stream.suspend((): Stream.Stream<Balance.Page<A>, E | PagingError, R> => {
      if (after === null) return Stream.empty
      const next = checkNext(listing.baseUrl, after)
      return Result.isFailure(next)
        ? Stream.fail(next.failure)
        : followNext(listing, next.success, progress, false)
    })
    return firstPage$.pipe(
      Stream.concat(Stream.suspend(() => (after === null ? Stream.empty : Stream.concat(rest$, tail$))))
    )
  })
