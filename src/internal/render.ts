/**
 * A value as the person who wrote it would recognise it, for error messages: strings quoted, dates
 * in ISO, arrays and objects as JSON; never longer than a line or two, whatever was passed (a
 * million-character id, a deeply nested object, a cycle).
 *
 * @internal
 */
import * as DateTime from "effect/DateTime"
import { excerpt } from "./json.js"

const MAX = 200

const renderUnbounded = (value: unknown, depth: number): string => {
  if (DateTime.isDateTime(value)) return `DateTime(${DateTime.formatIso(value)})`
  if (Array.isArray(value)) {
    if (depth > 3) return "[…]"
    const shown = value.slice(0, 10).map((item) => renderUnbounded(item, depth + 1))
    return `[${shown.join(", ")}${value.length > 10 ? `, … (${value.length} items)` : ""}]`
  }
  if (typeof value === "string") return JSON.stringify(excerpt(value, MAX))
  if (value !== null && typeof value === "object") {
    try {
      return JSON.stringify(value) ?? String(value)
    } catch {
      return String(value)
    }
  }
  return String(value)
}

/** The value rendered for a message, at most about 200 characters. */
export const render = (value: unknown): string => excerpt(renderUnbounded(value, 0), MAX)
