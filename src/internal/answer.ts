/**
 * A 2xx answer as received, and its decoding: the body parsed with amounts kept exact, then
 * decoded; anything that does not match the API is a `DecodeError` naming the request, the status
 * and the request id. Kept as bytes until decoded, so a page waiting for its turn holds one flat
 * buffer outside the JavaScript heap rather than a string or a thousand objects.
 *
 * @internal
 */
import * as Result from "effect/Result"
import * as BelvoError from "../BelvoError.js"
import type { Body } from "./body.js"
import type { Route } from "./errors.js"
import { excerpt, parseLossless } from "./json.js"

/** A 2xx answer, body unparsed. */
export interface Answer {
  readonly route: Route
  readonly status: number
  readonly requestId: string | null
  readonly body: Body
}

/** Decodes a parsed body, or says why it does not match. */
export type Decoder<A> = (body: unknown) => Result.Result<A, string>

/** The first lines of a reason, at most 300 characters: a message stays readable whatever the body. */
const firstLines = (text: string): string => {
  const lines = excerpt(text, 300).split("\n", 4)
  return lines.length <= 3 ? lines.join(" ") : `${lines.slice(0, 3).join(" ")} …`
}

/** The `DecodeError` for an answer whose body does not match the API. */
export const decodeFailure = (answer: Answer, reason: string): BelvoError.DecodeError => {
  const { route } = answer
  return new BelvoError.DecodeError({
    message: `${route.method} ${route.path} -> ${answer.status}: the response body does not match the API (request_id ${answer.requestId ?? "none"}): ${firstLines(reason)}`,
    status: answer.status,
    method: route.method,
    path: route.path,
    request_id: answer.requestId,
    // Schema's reason quotes the offending value, which the server chose: bounded like the body.
    reason: excerpt(reason, 1000),
    body: excerpt(answer.body.text())
  })
}

/** Parses the body (amounts exact) and decodes it. */
export const decode = <A>(answer: Answer, decoder: Decoder<A>): Result.Result<A, BelvoError.DecodeError> => {
  let json: unknown
  try {
    json = parseLossless(answer.body.text())
  } catch (error) {
    return Result.fail(decodeFailure(answer, `malformed JSON: ${(error as Error).message}`))
  }
  return Result.mapError(decoder(json), (reason) => decodeFailure(answer, reason))
}
