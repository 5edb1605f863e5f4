/**
 * fast-check properties whose body is an Effect. Generation, shrinking and the counterexample
 * report are fast-check's; a failed assertion, a defect or a typed failure falsifies the property.
 * (`it.effect.prop` in @effect/vitest 4 takes Effect's own `Schema`/`Arbitrary` inputs, not
 * fast-check arbitraries.) `property` gives each run its own `TestClock` (and scope), so a run that
 * moves time forward or leaves a fiber sleeping cannot affect the next; `propertyInContext` runs
 * each case in the calling test's context (its sandbox, its server).
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { TestClock, TestConsole } from "effect/testing"
import * as fc from "fast-check"

const TestEnv = Layer.mergeAll(TestConsole.layer, TestClock.layer())

/** Checks `body` for values drawn from `arbitraries`; 100 runs unless `parameters` say otherwise. */
export const property = <Ts extends [unknown, ...Array<unknown>], E>(
  arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  body: (...values: Ts) => Effect.Effect<void, E, Scope.Scope>,
  parameters: fc.Parameters<Ts> = {}
): Effect.Effect<void> =>
  Effect.promise(() =>
    fc.assert(
      fc.asyncProperty<Ts>(...arbitraries, (...values: Ts) =>
        Effect.runPromise(body(...values).pipe(Effect.scoped, Effect.provide(TestEnv)))
      ),
      parameters
    )
  )

/** Checks `body` for values drawn from `arbitrary`, each run with the calling test's services. */
export const propertyInContext = <T, E, R>(
  arbitrary: fc.Arbitrary<T>,
  body: (value: T) => Effect.Effect<void, E, R>,
  parameters: fc.Parameters<[T]> = {}
): Effect.Effect<void, never, R> =>
  Effect.flatMap(Effect.context<R>(), (context: Context.Context<R>) =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(arbitrary, (value) => Effect.runPromiseWith(context)(body(value))),
        parameters
      )
    )
  )
