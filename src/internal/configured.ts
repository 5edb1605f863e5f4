/**
 * The configured `HttpClient`: requests relative to the base URL, HTTP basic auth from `Redacted`
 * secrets on the configured origin only, `Accept: application/json` and the user agent; redirects
 * never followed; client spans named by route; no trace headers sent to Belvo.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"

const UUID_SEGMENT = /\/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?=\/|$)/g

/** The path of a request's URL (the URL itself when it does not parse). */
export const pathOf = (url: string): string => {
  try {
    return new URL(url).pathname
  } catch {
    return url
  }
}

/** A path as a template: ids replaced by `{id}`, so span names and metric attributes stay few. */
export const template = (path: string): string => path.replace(UUID_SEGMENT, "/{id}")

/** A request's route: method and path template. */
export const routeName = (request: HttpClientRequest.HttpClientRequest): string =>
  `${request.method} ${template(pathOf(request.url))}`

const ABSOLUTE = /^[a-zA-Z][a-zA-Z0-9+.-]*:/

const sameOrigin = (url: string, origin: string): boolean => {
  try {
    return new URL(url).origin === origin
  } catch {
    return false
  }
}

/** `client` decorated for Belvo at `baseUrl`. */
export const configure = (
  client: HttpClient.HttpClient,
  options: {
    readonly baseUrl: URL
    readonly secretId: Redacted.Redacted<string>
    readonly secretPassword: Redacted.Redacted<string>
    readonly userAgent: string
  }
): HttpClient.HttpClient => {
  const { baseUrl, secretId, secretPassword, userAgent } = options
  const origin = baseUrl.origin
  return client.pipe(
    HttpClient.mapRequest((request) => {
      // A path is relative to the base URL; an absolute URL is kept as it is (and gets no
      // credentials unless it is on the configured origin).
      const located = ABSOLUTE.test(request.url)
        ? request
        : HttpClientRequest.prependUrl(request, baseUrl.href)
      const onBase = located.pipe(
        HttpClientRequest.acceptJson,
        HttpClientRequest.setHeader("User-Agent", userAgent)
      )
      // Credentials go to the configured origin only, whatever URL a caller supplies.
      return sameOrigin(onBase.url, origin)
        ? HttpClientRequest.basicAuth(onBase, secretId, secretPassword)
        : onBase
    }),
    HttpClient.transformResponse((response) =>
      Effect.flatMap(Effect.serviceOption(FetchHttpClient.RequestInit), (init) =>
        response.pipe(
          // Belvo does not redirect; fetch would follow one by itself, so it must not.
          Effect.provideService(FetchHttpClient.RequestInit, {
            ...Option.getOrElse(init, () => ({})),
            redirect: "manual"
          }),
          Effect.provideService(HttpClient.SpanNameGenerator, routeName),
          // A third-party API: no trace headers leave the process.
          Effect.provideService(HttpClient.TracerPropagationEnabled, false)
        )
      )
    )
  )
}
