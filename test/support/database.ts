/**
 * One PostgreSQL for a test file (test/support/servers.ts): started before its first test, stopped
 * and deleted after its last; each test takes a fresh database of its own from it.
 */
import { afterAll, beforeAll } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { type Postgres, startPostgres } from "./servers.js"

/** Call at the top of a test file: the function it returns creates a database and gives its URL. */
export const postgresForFile = (): ((name: string) => Effect.Effect<string>) => {
  let server: Postgres | undefined
  beforeAll(async () => {
    server = await startPostgres()
  }, 60_000)
  afterAll(() => server?.stop())
  return (name) =>
    Effect.promise(() =>
      server === undefined
        ? Promise.reject(new Error("PostgreSQL did not start"))
        : server.createDatabase(name)
    )
}
