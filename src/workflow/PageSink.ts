/**
 * Where a sync delivers the stored balances it lists, page by page. Each page comes with a key
 * unique to that sync and page (`<executionId>/page-<n>`): a page is delivered again only if its
 * process stopped between delivering it and the engine recording it, and then with the same key, so
 * a sink that ignores a key it has seen gets every page exactly once.
 *
 * @since 1.0.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Balance from "../Balance.js"
import type { SinkFailed } from "./SyncError.js"

/**
 * One page handed to the sink.
 *
 * @example
 * ```ts
 * import type { PageSink } from "effect-belvo/workflow"
 *
 * const describe = (delivery: PageSink.Delivery): string => `${delivery.key}: ${delivery.balances.length} balances of ${delivery.link}`
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export interface Delivery {
  /** Unique to the sync and the page: `<executionId>/page-<n>`. The same page always has the same key. */
  readonly key: string
  readonly executionId: string
  readonly link: string
  readonly run: string
  /** The page number, from 1. */
  readonly page: number
  readonly balances: ReadonlyArray<Balance.Balance>
}

/**
 * The sink's one operation.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { PageSink } from "effect-belvo/workflow"
 *
 * const logging: PageSink.Service = { deliver: (delivery) => Effect.log(delivery.key, delivery.balances.length) }
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export interface Service {
  readonly deliver: (delivery: Delivery) => Effect.Effect<void, SinkFailed>
}

/**
 * The sink service.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { PageSink } from "effect-belvo/workflow"
 *
 * const Discard = Layer.succeed(PageSink.PageSink, PageSink.make(() => Effect.void))
 * ```
 *
 * @since 1.0.0
 * @category tags
 */
export class PageSink extends Context.Service<PageSink, Service>()("effect-belvo/workflow/PageSink") {}

/**
 * A sink from a function.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { PageSink } from "effect-belvo/workflow"
 *
 * const seen = new Set<string>()
 * const sink = PageSink.make((delivery) =>
 *   Effect.sync(() => {
 *     if (seen.has(delivery.key)) return // delivered before a restart: already written
 *     seen.add(delivery.key)
 *     // write delivery.balances somewhere
 *   })
 * )
 * ```
 *
 * @since 1.0.0
 * @category constructors
 */
export const make = (deliver: (delivery: Delivery) => Effect.Effect<void, SinkFailed>): Service =>
  PageSink.of({ deliver })

/**
 * A sink layer from a function.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Balance } from "effect-belvo"
 * import { PageSink } from "effect-belvo/workflow"
 *
 * // One NDJSON line per balance, to the console.
 * const ToConsole = PageSink.layer((delivery) =>
 *   Effect.forEach(delivery.balances, (balance) => Effect.log(JSON.stringify(Balance.toJson(balance))), { discard: true })
 * )
 * ```
 *
 * @since 1.0.0
 * @category layers
 */
export const layer = (
  deliver: (delivery: Delivery) => Effect.Effect<void, SinkFailed>
): Layer.Layer<PageSink> => Layer.succeed(PageSink, make(deliver))

/**
 * A sink that keeps nothing: for syncs that do not list.
 *
 * @example
 * ```ts
 * import { PageSink } from "effect-belvo/workflow"
 *
 * const NoPages = PageSink.layerDiscard
 * ```
 *
 * @since 1.0.0
 * @category layers
 */
export const layerDiscard: Layer.Layer<PageSink> = layer(() => Effect.void)

/**
 * A sink that keeps each page once, by key, in memory: for tests and demos. `deliveries` is every
 * page it took, in order; `repeated` counts the deliveries it ignored as already taken.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { PageSink } from "effect-belvo/workflow"
 *
 * const program = Effect.gen(function* () {
 *   const memory = yield* PageSink.makeMemory
 *   // provide memory.sink as the PageSink, run syncs, then:
 *   return memory.deliveries().length
 * })
 * ```
 *
 * @since 1.0.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<{
  readonly sink: Service
  readonly deliveries: () => ReadonlyArray<Delivery>
  readonly repeated: () => number
}> = Effect.sync(() => {
  const byKey = new Map<string, Delivery>()
  let repeated = 0
  return {
    sink: make((delivery) =>
      Effect.sync(() => {
        if (byKey.has(delivery.key)) repeated += 1
        else byKey.set(delivery.key, delivery)
      })
    ),
    deliveries: () => Array.from(byKey.values()),
    repeated: () => repeated
  }
})
