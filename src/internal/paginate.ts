/**
 * Pagination: every page of a listing as one stream of decoded pages, in order, each exactly once.
 *
 * - Concurrency 1 follows the server's `next` links, one request at a time, and reads ahead: as
 *   soon as a page's head (`count`, `next`) is read, the next request goes out, and the page is
 *   decoded while the server works on the next one.
 * - Concurrency n reads `count` from the first page and fetches the remaining page numbers n at a
 *   time, decoding each in page order just before it is emitted.
 *
 * Guards: a `next` URL off the configured base URL is refused (credentials never leave it), and a
 * repeated page or more pages than `count` allows stops the stream with a `PaginationError`.
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as UrlParams from "effect/http/UrlParams"
import * as Option from "effect/Option"
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
  readonly decode: Answer.Decoder<Balance.Page<A>>
  /** Sends one page request; `onSend` as `Attempt.Spec`'s. */
  readonly fetch: (
    request: HttpClientRequest.HttpClientRequest,
    onSend?: Effect.Effect<void>
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
    request: HttpClientRequest.get(url.pathname.slice(baseUrl.pathname.length), { urlParams: url.searchParams })
  })
}

/** The absolute URL a request relative to the base URL goes to. */
const hrefOf = (baseUrl: URL, request: HttpClientRequest.HttpClientRequest): string => {
  const url = new URL(request.url, baseUrl)
  url.search = UrlParams.toString(request.urlParams)
  return url.href
}

/** Most pages a listing of `count` items can have, plus one for a server that shifts under us. */
const pageBound = (count: number, pageSize: number, firstPage: number) =>
  Math.ceil(count / pageSize) - firstPage + 2

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
  const head = parseHead(answer.text, "results")
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
): Stream.Stream<Balance.Page<A>, E | PagingError, R> =>
  concurrency === 1 ? followNext(listing) : Stream.unwrap(concurrentPages(listing, concurrency))

/**
 * Concurrency 1: follow the server's `next` links, refusing foreign origins, repeats and runaways.
 *
 * One request at a time, and the wire is never idle while the client works: as soon as page k's
 * body is in and `next` is read, the request for page k+1 goes out, and page k is decoded while the
 * server prepares k+1. The producer hands each page over with a signal that the following request
 * is on its way; the decoder waits for it, so decoding never delays the next request.
 */
const followNext = <A, E, R>(listing: Listing<A, E, R>): Stream.Stream<Balance.Page<A>, E | PagingError, R> =>
  Stream.unwrap(
    Effect.map(Deferred.make<void>(), (firstSent) => {
      const seen = new Set<string>()
      let fetched = 0
      let bound = Number.POSITIVE_INFINITY
      interface State {
        readonly link: Link
        /**
         * Completed when this request is handed to the HTTP client, or starts waiting for the
         * client's limits (or never will be sent): from then on, decoding the previous page cannot
         * delay it.
         */
        readonly sent: Deferred.Deferred<void>
      }
      const step = ({ link, sent }: State) =>
        Effect.gen(function* () {
          seen.add(link.href)
          fetched += 1
          if (fetched > bound) return yield* endless(link.href, `more pages than count allows (${fetched - 1})`)
          const answer = yield* listing.fetch(link.request, Deferred.succeed(sent, undefined))
          const page = yield* Effect.fromResult(pendingPage(answer, listing.decode))
          if (fetched === 1) bound = pageBound(page.count, listing.pageSize, listing.firstPage)
          const nextSent = yield* Deferred.make<void>()
          if (page.next === null) {
            yield* Deferred.succeed(nextSent, undefined)
            return [[[page, nextSent] as const], Option.none<State>()] as const
          }
          const next = yield* Effect.fromResult(checkNext(listing.baseUrl, page.next))
          if (seen.has(next.href)) return yield* endless(next.href, "the server repeated a page")
          return [[[page, nextSent] as const], Option.some({ link: next, sent: nextSent })] as const
        }).pipe(Effect.ensuring(Deferred.succeed(sent, undefined)))
      const first: Link = { href: hrefOf(listing.baseUrl, listing.request), request: listing.request }
      return Stream.paginate({ link: first, sent: firstSent }, step).pipe(
        Stream.buffer({ capacity: 1 }),
        Stream.mapEffect(([page, nextSent]) =>
          Deferred.await(nextSent).pipe(
            Effect.andThen(yieldToEventLoop),
            // Lazily: decoding when the effect is built would run before the wait above.
            Effect.andThen(Effect.suspend(() => Effect.fromResult(decodePending(page, listing.decode))))
          )
        )
      )
    })
  )

/**
 * Concurrency n: page 1 gives `count`; the remaining page numbers are fetched n at a time and
 * emitted in order. Every page, the first included, waits as the text it came in and is parsed
 * and decoded in page order just before its items are emitted, so at most one decoded page is
 * alive at a time.
 *
 * The first page is not kept decoded while the rest stream by: V8 watches how many fresh objects
 * survive a young-generation collection, and a whole page held for the length of the stream made
 * it allocate every later balance straight into the old generation (measured: 2.7x the promoted
 * bytes, the heap growing to several times its live size).
 */
const concurrentPages = <A, E, R>(listing: Listing<A, E, R>, concurrency: number) =>
  Effect.gen(function* () {
    const firstAnswer = yield* listing.fetch(listing.request)
    const first = yield* Effect.fromResult(pendingPage(firstAnswer, listing.decode))
    if (first.next !== null) yield* Effect.fromResult(checkNext(listing.baseUrl, first.next))
    const count = first.count
    const lastPage = Math.ceil(count / listing.pageSize)
    const decodeInOrder = (page: PendingPage<A>) =>
      // Inside the effect, not while building it: `Stream.mapEffect` keeps the effect it built
      // until the next page arrives.
      Effect.suspend(() =>
        Effect.flatMap(Effect.fromResult(decodePending(page, listing.decode)), (decoded) =>
          decoded.next === null
            ? Effect.succeed(decoded)
            : Effect.as(Effect.fromResult(checkNext(listing.baseUrl, decoded.next)), decoded)
        )
      )
    if (first.next === null || lastPage <= listing.firstPage) {
      return Stream.fromEffect(decodeInOrder(first))
    }
    let pending: PendingPage<A> | undefined = first
    return Stream.range(listing.firstPage, lastPage).pipe(
      Stream.mapEffect(
        (page) => {
          if (pending !== undefined) {
            // The first page, already here; let go of it once handed on.
            const taken = pending
            pending = undefined
            return Effect.succeed(taken)
          }
          return Effect.map(
            listing.fetch(HttpClientRequest.setUrlParam(listing.request, "page", String(page))),
            (answer): PendingPage<A> => ({ count, next: null, answer, fromHead: false })
          )
        },
        { concurrency }
      ),
      Stream.mapEffect(decodeInOrder)
    )
  })
