/**
 * Everything a log backend or a tracing backend would be shown, recorded for a test: every log line
 * (at Debug level, with its annotations and cause), every span (name, kind, parent, attributes,
 * events) and how each span ended (`Cause.pretty` of a failure). `text()` is all of it as one
 * string, to search for what must never appear.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as References from "effect/References"
import * as Tracer from "effect/Tracer"

export interface Recorder {
  readonly logs: Array<string>
  readonly spans: Array<Tracer.NativeSpan>
  /** Log lines, span names, attributes, events and span exits, as one text to search. */
  readonly text: () => string
  /** Provides the recording logger (at Debug level) and tracer to `effect`. */
  readonly record: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

const show = (value: unknown): string => {
  if (typeof value === "string") return value
  try {
    return `${String(value)} ${JSON.stringify(value, (_, v) => (typeof v === "bigint" ? String(v) : v))}`
  } catch {
    return String(value)
  }
}

export const makeRecorder = (): Recorder => {
  const logs: Array<string> = []
  const spans: Array<Tracer.NativeSpan> = []
  const logger = Logger.make((options) => {
    logs.push(Logger.formatLogFmt.log(options))
    logs.push(show(options.message))
    if (options.cause.reasons.length > 0) logs.push(Cause.pretty(options.cause))
  })
  const tracer = Tracer.make({
    span(options) {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  return {
    logs,
    spans,
    text: () =>
      [
        ...logs,
        ...spans.flatMap((span) => [
          span.name,
          ...Array.from(span.attributes, ([key, value]) => `${key}=${show(value)}`),
          ...span.events.map(([name, , attributes]) => `${name} ${show(attributes)}`),
          span.status._tag === "Ended" && Exit.isFailure(span.status.exit)
            ? Cause.pretty(span.status.exit.cause)
            : ""
        ])
      ].join("\n"),
    record: (effect) =>
      effect.pipe(
        Effect.provide(Logger.layer([logger])),
        Effect.provideService(References.MinimumLogLevel, "Debug"),
        Effect.provideService(Tracer.Tracer, tracer)
      )
  }
}

/** A span's attributes as a plain object. */
export const attributesOf = (span: Tracer.Span | undefined): Record<string, unknown> =>
  span === undefined ? {} : Object.fromEntries(span.attributes)

/** The span's parent span, when it is one of `spans`. */
export const parentOf = (span: Tracer.Span, spans: ReadonlyArray<Tracer.Span>): Tracer.Span | undefined => {
  const parent = span.parent
  if (parent._tag === "None") return undefined
  return spans.find((candidate) => candidate.spanId === parent.value.spanId)
}
