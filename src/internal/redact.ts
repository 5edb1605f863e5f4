/**
 * The redactor: removes a client's own credentials (the secret id, the password, and their base64
 * as sent in `Authorization`) from a text the server chose, so a server or proxy that echoes them
 * back cannot plant them in an error, a log line or a span.
 *
 * @internal
 */
import * as Base64 from "effect/encoding/Base64"

// A secret this short would match ordinary text everywhere; Belvo's secrets are far longer.
const MIN_REDACTED_LENGTH = 6

/** Replaces every occurrence of the credentials, raw or as the `Authorization` header's base64. */
export const redactor = (secretId: string, secretPassword: string): ((text: string) => string) => {
  const secrets = [Base64.encode(`${secretId}:${secretPassword}`), secretPassword, secretId].filter(
    (secret) => secret.length >= MIN_REDACTED_LENGTH
  )
  return (text) => {
    let out = text
    for (const secret of secrets) if (out.includes(secret)) out = out.replaceAll(secret, "<redacted>")
    return out
  }
}
