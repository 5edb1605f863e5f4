/**
 * Which clients may hold a request back before it is sent (a rate limit or an in-flight cap).
 * `BelvoClient.make` registers them; `Http.call` reads it to know when a request will go out at
 * once. A service built any other way counts as never holding requests back.
 *
 * @internal
 */
export const throttledClients = new WeakSet<object>()
