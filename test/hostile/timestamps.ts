/**
 * Decodes timestamp strings with `Balance.Timestamp` and prints, as one JSON array, each one's
 * epoch milliseconds or "error". Run by hostile-decode.test.ts under several `TZ` values: the
 * output must not depend on the process time zone.
 *
 * Usage: tsx test/hostile/timestamps.ts '["2024-05-21T08:32:00Z", ...]'
 */
import * as DateTime from "effect/DateTime"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { Balance } from "../../src/index.js"

const inputs: ReadonlyArray<string> = JSON.parse(process.argv[2] ?? "[]")
const decode = Schema.decodeUnknownResult(Balance.Timestamp)
const outputs = inputs.map((input) => {
  const decoded = decode(input)
  return Result.isSuccess(decoded) ? DateTime.toEpochMillis(decoded.success) : "error"
})
process.stdout.write(`${JSON.stringify({ tz: Intl.DateTimeFormat().resolvedOptions().timeZone, outputs })}\n`)
