/**
 * The progress of a listing on stderr: balances, pages and rate on one line, redrawn at most ten
 * times a second, then one last line when the listing ends or is interrupted. It is drawn only
 * when stderr is a terminal and the data goes somewhere else (a file or a pipe): never on stdout,
 * never mixed into rows on the same screen.
 *
 * @since 1.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

/**
 * Counts pages as they are written and draws the line.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Progress from "../src/cli/progress.js"
 *
 * const program = Effect.gen(function* () {
 *   const progress = yield* Progress.make((text) => Effect.sync(() => process.stderr.write(text)))
 *   yield* progress.page(1000)
 *   yield* progress.end("done")
 * })
 * ```
 *
 * @since 1.1.0
 * @category models
 */
export interface Progress {
  /** A page of `items` balances was written. */
  readonly page: (items: number) => Effect.Effect<void>
  /** The listing ended: the last line says how, `failed` only clears the line (the error follows). */
  readonly end: (how: "done" | "interrupted" | "failed") => Effect.Effect<void>
}

/**
 * A progress that draws nothing.
 *
 * @example
 * ```ts
 * import * as Progress from "../src/cli/progress.js"
 *
 * const quiet: Progress.Progress = Progress.none
 * ```
 *
 * @since 1.1.0
 * @category constructors
 */
export const none: Progress = { page: () => Effect.void, end: () => Effect.void }

const count = (n: number, one: string, many: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`

const seconds = (millis: number) => `${(millis / 1000).toFixed(1)} s`

const rate = (items: number, millis: number) =>
  millis <= 0 ? "" : `, ${Math.round((items * 1000) / millis).toLocaleString("en-US")} a second`

// Carriage return and "erase line": the progress line is redrawn in place.
const CLEAR = "\r\x1b[2K"

/**
 * A progress drawing with `draw` (stderr's writer), timed by `Clock`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Progress from "../src/cli/progress.js"
 *
 * const lines: Array<string> = []
 * const program = Effect.gen(function* () {
 *   const progress = yield* Progress.make((text) => Effect.sync(() => void lines.push(text)))
 *   yield* progress.page(2)
 *   yield* progress.end("done") // lines ends with "\r\x1b[2KListed 2 balances in 1 page in 0.0 s\n"
 * })
 * ```
 *
 * @since 1.1.0
 * @category constructors
 */
export const make = (draw: (text: string) => Effect.Effect<void>): Effect.Effect<Progress> =>
  Effect.gen(function* () {
    const started = yield* Clock.currentTimeMillis
    let items = 0
    let pages = 0
    let drawn = Number.NEGATIVE_INFINITY
    const progress: Progress = {
      page: (n) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          items += n
          pages += 1
          if (now - drawn < 100) return Effect.void
          drawn = now
          const line = `Listing: ${count(items, "balance", "balances")}, ${count(pages, "page", "pages")}${rate(items, now - started)}`
          return draw(CLEAR + line)
        }),
      end: (how) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const took = now - started
          const what = `${count(items, "balance", "balances")} in ${count(pages, "page", "pages")}`
          switch (how) {
            case "done":
              return draw(`${CLEAR}Listed ${what} in ${seconds(took)}${rate(items, took)}\n`)
            case "interrupted":
              return draw(`${CLEAR}Interrupted after ${what} (${seconds(took)})\n`)
            case "failed":
              return draw(CLEAR)
          }
        })
    }
    return progress
  })
