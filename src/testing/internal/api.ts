/**
 * The sandbox's API, transport-free: a plain request in, a plain response out. `SandboxHttp`
 * (in-process client, platform HttpApp) and `SandboxServer` (Node loopback server) adapt it.
 *
 * An independent reading of the spec (`br-balances.openapi.json`, `list-balances.md`,
 * `get-balance.md`, `retrieve-balances.md`, the legacy PATCH resume body): bodies are built here by
 * hand, not with the client's schemas.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Balance from "../../Balance.js"
import * as Sandbox from "../Sandbox.js"
import * as SandboxFault from "../SandboxFault.js"
import * as SandboxModel from "../SandboxModel.js"
import { everything, type Interval, intersect, type Lookup, lookupInterval, parseSpan } from "./time.js"

export interface Incoming {
  readonly method: string
  /** Absolute: its origin is the one `next`/`previous` links use. */
  readonly url: URL
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export interface Outgoing {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** A transport-level fault the adapter must enact. */
  readonly transport?: "drop" | "truncate" | undefined
}

export const COLLECTION = "/api/br/balances/"
const DETAIL = /^\/api\/br\/balances\/([^/]+)\/$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const SESSION = /^[a-f0-9]{32}$/
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?$/
const JSON_TYPE = { "content-type": "application/json" }

interface ErrorItem {
  readonly code: string
  readonly message: string
  readonly field?: string | undefined
  readonly [extra: string]: unknown
}

const json = (status: number, body: string, headers: Record<string, string> = {}): Outgoing => ({
  status,
  headers: { ...JSON_TYPE, ...headers },
  body
})

/** Belvo's error shape: always an array, every item with the request's 32-hex `request_id`. */
const errors = (
  sandbox: Sandbox.Service,
  status: number,
  items: ReadonlyArray<ErrorItem>,
  headers?: Record<string, string>,
  asObject = false
): Outgoing => {
  const requestId = sandbox.model.hex32()
  const shaped = items.map(({ code, message, field, ...extra }) => ({
    code,
    message,
    request_id: requestId,
    ...(field === undefined ? {} : { field }),
    ...extra
  }))
  // Belvo sends arrays; `asObject` (faults only) sends the first item alone, as some servers do.
  return json(status, JSON.stringify(asObject ? shaped[0] : shaped), headers)
}

const documented = (sandbox: Sandbox.Service, code: SandboxFault.ErrorCode, extra: Partial<ErrorItem> = {}) =>
  errors(sandbox, SandboxFault.errorCodes[code].status, [
    { code, message: SandboxFault.errorCodes[code].message, ...extra }
  ])

// ---------------------------------------------------------------------------------------------
// Serialization: amounts are decimal strings in the model and JSON number literals on the wire
// (`1000.10` keeps its decimals, as Python's Decimal renders it).

const isAmount = (key: string) => key === "available" || key === "blocked" || key === "automatically_invested"

const serializeBalance = (
  balance: SandboxModel.WireBalance,
  keys: ReadonlyArray<Balance.Field>,
  quoteAmounts: boolean
): string => {
  let out = "{"
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!
    const value = balance[key]
    const text =
      isAmount(key) && typeof value === "string" && !quoteAmounts && JSON_NUMBER.test(value)
        ? value
        : isAmount(key) && typeof value === "number" && quoteAmounts
          ? JSON.stringify(String(value))
          : JSON.stringify(value)
    out += `${k === 0 ? "" : ","}"${key}":${text}`
  }
  return `${out}}`
}

const csv = (value: string | undefined): Array<string> =>
  value === undefined
    ? []
    : value
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0)

/** `fields` keeps the named first-level fields, then `omit` drops some; unknown names are ignored. */
const projection = (query: URLSearchParams): ReadonlyArray<Balance.Field> => {
  const fields = csv(last(query, "fields"))
  const omit = new Set(csv(last(query, "omit")))
  return Balance.fieldNames.filter(
    (name) => (fields.length === 0 || fields.includes(name)) && !omit.has(name)
  )
}

const serializeMany = (
  sandbox: Sandbox.Service,
  balances: ReadonlyArray<SandboxModel.WireBalance>,
  keys: ReadonlyArray<Balance.Field>
): string => {
  const parts = new Array<string>(balances.length)
  for (let i = 0; i < balances.length; i++) {
    parts[i] = serializeBalance(balances[i]!, keys, sandbox.settings.quoteAmounts)
  }
  return `[${parts.join(",")}]`
}

/** Django's QueryDict.get: the last value of a repeated parameter. */
const last = (query: URLSearchParams, key: string): string | undefined => {
  const all = query.getAll(key)
  return all.length === 0 ? undefined : all[all.length - 1]
}

// ---------------------------------------------------------------------------------------------
// Authentication: HTTP basic with the secret id and password.

const authenticate = (sandbox: Sandbox.Service, header: string | undefined): string | undefined => {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "")
  if (match === null) return undefined
  let decoded: string
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(match[1]!), (c) => c.charCodeAt(0))
    )
  } catch {
    return undefined
  }
  const colon = decoded.indexOf(":")
  if (colon < 0) return undefined
  const id = decoded.slice(0, colon)
  return sandbox.model.authenticate(id, decoded.slice(colon + 1)) ? id : undefined
}

// ---------------------------------------------------------------------------------------------
// GET /api/br/balances/ (list)

const LOOKUPS: ReadonlyArray<Lookup> = ["exact", "gt", "gte", "lt", "lte"]

interface ListQuery {
  readonly link: string
  readonly filter: SandboxModel.Filter
  readonly pageSize: number
  readonly page: string | undefined
}

const parseList = (query: URLSearchParams): ListQuery | Array<ErrorItem> => {
  const problems: Array<ErrorItem> = []
  const invalid = (field: string, message: string) => problems.push({ code: "invalid", message, field })
  const uuid = (field: string): string | undefined => {
    const value = last(query, field)
    if (value === undefined || value === "") return undefined
    if (!UUID.test(value)) invalid(field, "Enter a valid UUID.")
    return value.toLowerCase()
  }
  const uuids = (field: string): Set<string> | undefined => {
    const value = last(query, field)
    if (value === undefined || value === "") return undefined
    const items = csv(value)
    if (items.some((item) => !UUID.test(item))) invalid(field, "Enter a valid UUID.")
    return new Set(items.map((item) => item.toLowerCase()))
  }
  const both = (one: string | undefined, many: Set<string> | undefined): Set<string> | undefined =>
    one === undefined ? many : new Set(many === undefined || many.has(one) ? [one] : [])

  const rawLink = last(query, "link")
  if (rawLink === undefined || rawLink === "") {
    problems.push({ code: "required", message: "This field is required.", field: "link" })
  }
  const link = uuid("link") ?? ""
  const accounts = both(uuid("account"), uuids("account__in"))
  let ids = both(uuid("id"), uuids("id__in"))
  const links = uuids("link__in")
  if (links !== undefined && !links.has(link)) ids = new Set()

  const interval = (base: string): Interval => {
    let result = everything
    for (const lookup of LOOKUPS) {
      const field = lookup === "exact" ? base : `${base}__${lookup}`
      const value = last(query, field)
      if (value === undefined || value === "") continue
      const span = parseSpan(value.trim())
      if (span === undefined) invalid(field, "Enter a valid date.")
      else result = intersect(result, lookupInterval(lookup, span))
    }
    const range = last(query, `${base}__range`)
    if (range !== undefined && range !== "") {
      const bounds = range.split(",").map((s) => s.trim())
      const from = bounds.length === 2 ? parseSpan(bounds[0]!) : undefined
      const to = bounds.length === 2 ? parseSpan(bounds[1]!) : undefined
      if (bounds.length !== 2) invalid(`${base}__range`, "Range query expects two values.")
      else if (from === undefined || to === undefined) invalid(`${base}__range`, "Enter a valid date.")
      else result = intersect(result, { lo: from.start, hi: to.end })
    }
    return result
  }
  const collected = interval("collected_at")
  const created = interval("created_at")

  let pageSize = 100
  const rawSize = last(query, "page_size")
  if (rawSize !== undefined && rawSize !== "") {
    if (!/^\+?\d+$/.test(rawSize.trim())) invalid("page_size", "A valid integer is required.")
    else if (Number(rawSize) < 1) invalid("page_size", "Ensure this value is greater than or equal to 1.")
    else pageSize = Math.min(1000, Number(rawSize))
  }
  if (problems.length > 0) return problems
  return { link, filter: { accounts, ids, collected, created }, pageSize, page: last(query, "page") }
}

/** The request's own URL with `page` replaced (or removed for page 1, as DRF does). */
const pageUrl = (url: URL, page: number): string => {
  const next = new URL(url.href)
  next.hash = ""
  if (page === 1) next.searchParams.delete("page")
  else next.searchParams.set("page", String(page))
  return next.href
}

const list = (sandbox: Sandbox.Service, secret: string, request: Incoming): Effect.Effect<Outgoing> =>
  Effect.gen(function* () {
    if (Duration.greaterThan(sandbox.settings.pageLatency, Duration.zero)) {
      yield* Effect.sleep(sandbox.settings.pageLatency)
    }
    const query = request.url.searchParams
    const parsed = parseList(query)
    if (Array.isArray(parsed)) return errors(sandbox, 400, parsed)
    const link = sandbox.model.link(parsed.link)
    if (link !== undefined && link.owner !== secret) return documented(sandbox, "access_to_resource_denied")
    // A link nobody has is a filter matching nothing: an empty page.
    const selection =
      link === undefined ? { count: 0, slice: () => [] } : sandbox.model.select(link.id, parsed.filter)
    const pages = Math.max(1, Math.ceil(selection.count / parsed.pageSize))
    const raw = parsed.page?.trim()
    const page =
      raw === undefined || raw === "" ? 1 : raw === "last" ? pages : /^\d+$/.test(raw) ? Number(raw) : 0
    // DRF answers an invalid or out-of-range page with 404.
    if (page < 1 || page > pages) return documented(sandbox, "not_found")
    const results = selection.slice((page - 1) * parsed.pageSize, page * parsed.pageSize)
    const next = page < pages ? JSON.stringify(pageUrl(request.url, page + 1)) : "null"
    const previous = page > 1 ? JSON.stringify(pageUrl(request.url, page - 1)) : "null"
    return json(
      200,
      `{"count":${selection.count},"next":${next},"previous":${previous},"results":${serializeMany(sandbox, results, projection(query))}}`
    )
  })

// ---------------------------------------------------------------------------------------------
// GET /api/br/balances/{id}/ (detail)

const detail = (sandbox: Sandbox.Service, secret: string, request: Incoming, id: string): Outgoing => {
  const balance = UUID.test(id) ? sandbox.model.balance(id.toLowerCase()) : undefined
  if (balance === undefined) return documented(sandbox, "not_found")
  if (sandbox.model.link(balance.link)?.owner !== secret)
    return documented(sandbox, "access_to_resource_denied")
  return json(
    200,
    serializeBalance(balance, projection(request.url.searchParams), sandbox.settings.quoteAmounts)
  )
}

// ---------------------------------------------------------------------------------------------
// POST (retrieve) and PATCH (resume MFA) on /api/br/balances/

type Body = Record<string, unknown>

const parseBody = (
  sandbox: Sandbox.Service,
  request: Incoming
): { readonly ok: true; readonly body: Body } | { readonly ok: false; readonly out: Outgoing } => {
  const type = request.headers["content-type"] ?? ""
  if (!/^application\/json\b/i.test(type.trim())) {
    const message = `Unsupported media type "${type}" in request.`
    return { ok: false, out: documented(sandbox, "unsupported_media_type", { message }) }
  }
  let body: unknown
  try {
    body = JSON.parse(request.body)
  } catch (cause) {
    return {
      ok: false,
      out: documented(sandbox, "invalid", { message: `JSON parse error - ${(cause as Error).message}` })
    }
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    const got = Array.isArray(body) ? "list" : body === null ? "null" : typeof body
    const message = `Invalid data. Expected a dictionary, but got ${got}.`
    return { ok: false, out: documented(sandbox, "invalid", { message, field: "non_field_errors" }) }
  }
  return { ok: true, body: body as Body }
}

/** DRF field validation: missing → required, null → null, "" → blank, else the field's own check. */
const checkField = (
  body: Body,
  field: string,
  required: boolean,
  valid: (value: unknown) => boolean,
  message: string,
  problems: Array<ErrorItem>
): void => {
  if (!(field in body)) {
    if (required) problems.push({ code: "required", message: "This field is required.", field })
    return
  }
  const value = body[field]
  if (value === null) problems.push({ code: "null", message: "This field may not be null.", field })
  else if (value === "") problems.push({ code: "blank", message: "This field may not be blank.", field })
  else if (!valid(value)) problems.push({ code: "invalid", message, field })
}

const isUuid = (value: unknown) => typeof value === "string" && UUID.test(value)

const challenge = (
  sandbox: Sandbox.Service,
  session: Sandbox.MfaSession | undefined,
  link: string | null,
  message: string = SandboxFault.errorCodes.token_required.message,
  status = 428
) =>
  errors(sandbox, status, [
    {
      code: "token_required",
      message,
      session: session?.session ?? sandbox.model.hex32(),
      expiry: sandbox.settings.mfaExpirySeconds,
      link,
      token_generation_data: {
        instructions: "Use this code to generate the token",
        type: "numeric",
        value: session?.value ?? sandbox.model.challengeValue(),
        expects_user_input: true
      }
    }
  ])

const openSession = Sandbox.openSession

/** The retrieval itself: fresh current balances, stored when `save_data` (201) or not (200). */
const complete = (
  sandbox: Sandbox.Service,
  request: Incoming,
  link: string,
  accountId: string | undefined,
  saveData: boolean
): Effect.Effect<Outgoing> =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    const current = sandbox.model.current(link, accountId, now)
    if (saveData) sandbox.model.addBalances(current, now)
    return json(saveData ? 201 : 200, serializeMany(sandbox, current, projection(request.url.searchParams)))
  })

const linkChecks = (sandbox: Sandbox.Service, secret: string, link: string): Outgoing | undefined => {
  const found = sandbox.model.link(link.toLowerCase())
  if (found === undefined) {
    return documented(sandbox, "does_not_exist", {
      message: `Object with id=${link} does not exist.`,
      field: "link"
    })
  }
  return found.owner === secret ? undefined : documented(sandbox, "access_to_resource_denied")
}

const retrieve = (
  sandbox: Sandbox.Service,
  secret: string,
  request: Incoming
): Effect.Effect<Outgoing, never, Sandbox.Sandbox> =>
  Effect.gen(function* () {
    const parsed = parseBody(sandbox, request)
    if (!parsed.ok) return parsed.out
    const body = parsed.body
    const problems: Array<ErrorItem> = []
    checkField(body, "link", true, isUuid, "Must be a valid UUID.", problems)
    checkField(body, "account_id", false, isUuid, "Must be a valid UUID.", problems)
    checkField(body, "save_data", false, (v) => typeof v === "boolean", "Must be a valid boolean.", problems)
    if (problems.length > 0) return errors(sandbox, 400, problems)
    const link = (body.link as string).toLowerCase()
    const refused = linkChecks(sandbox, secret, link)
    if (refused !== undefined) return refused
    const accountId = typeof body.account_id === "string" ? body.account_id.toLowerCase() : undefined
    const found = sandbox.model.link(link)!
    if (accountId !== undefined && !found.accounts.some((a) => a.id === accountId)) {
      return documented(sandbox, "does_not_exist", {
        message: `Object with id=${accountId} does not exist.`,
        field: "account_id"
      })
    }
    if (found.mfa) return challenge(sandbox, yield* openSession(link, accountId), link)
    return yield* complete(sandbox, request, link, accountId, body.save_data !== false)
  })

const resume = (
  sandbox: Sandbox.Service,
  secret: string,
  request: Incoming
): Effect.Effect<Outgoing, never, Sandbox.Sandbox> =>
  Effect.gen(function* () {
    const parsed = parseBody(sandbox, request)
    if (!parsed.ok) return parsed.out
    const body = parsed.body
    const problems: Array<ErrorItem> = []
    checkField(
      body,
      "session",
      true,
      (v) => typeof v === "string" && SESSION.test(v),
      "Invalid session.",
      problems
    )
    checkField(body, "link", true, isUuid, "Must be a valid UUID.", problems)
    if ("token" in body && body.token !== null && typeof body.token !== "string") {
      problems.push({ code: "invalid", message: "Not a valid string.", field: "token" })
    }
    checkField(body, "save_data", false, (v) => typeof v === "boolean", "Must be a valid boolean.", problems)
    if (problems.length > 0) return errors(sandbox, 400, problems)
    const link = (body.link as string).toLowerCase()
    const refused = linkChecks(sandbox, secret, link)
    if (refused !== undefined) return refused
    // Sessions are single use: whatever happens next, this one is gone.
    const session = sandbox.sessions.get(body.session as string)
    sandbox.sessions.delete(body.session as string)
    const now = yield* Clock.currentTimeMillis
    if (
      session === undefined ||
      session.owner !== secret ||
      session.link !== link ||
      now >= session.expiresAt
    ) {
      return documented(sandbox, "session_expired")
    }
    if (body.token !== SandboxModel.tokenFor(session.value)) {
      // A wrong token: a fresh challenge on a fresh session, as if the institution asked again.
      return challenge(sandbox, yield* openSession(link, session.accountId), link)
    }
    return yield* complete(sandbox, request, link, session.accountId, body.save_data !== false)
  })

// ---------------------------------------------------------------------------------------------
// Routing, authentication, faults, log and counters.

const route = (
  sandbox: Sandbox.Service,
  request: Incoming
): Effect.Effect<Outgoing, never, Sandbox.Sandbox> => {
  const path = request.url.pathname
  const id = DETAIL.exec(path)?.[1]
  if (path !== COLLECTION && id === undefined) return Effect.succeed(documented(sandbox, "not_found"))
  const secret = authenticate(sandbox, request.headers.authorization)
  if (secret === undefined) {
    return Effect.succeed({
      ...documented(sandbox, "authentication_failed"),
      headers: { ...JSON_TYPE, "www-authenticate": 'Basic realm="api"' }
    })
  }
  const method = request.method.toUpperCase()
  if (id !== undefined) {
    if (method === "GET") return Effect.succeed(detail(sandbox, secret, request, decodeURIComponent(id)))
    return Effect.succeed(methodNotAllowed(sandbox, method, "GET"))
  }
  switch (method) {
    case "GET":
      return list(sandbox, secret, request)
    case "POST":
      return retrieve(sandbox, secret, request)
    case "PATCH":
      return resume(sandbox, secret, request)
    default:
      return Effect.succeed(methodNotAllowed(sandbox, method, "GET, POST, PATCH"))
  }
}

const methodNotAllowed = (sandbox: Sandbox.Service, method: string, allow: string): Outgoing => {
  const out = documented(sandbox, "method_not_allowed", { message: `Method "${method}" not allowed.` })
  return { ...out, headers: { ...out.headers, allow } }
}

/** The link a request is about (POST/PATCH body, else the `link` query parameter), if any. */
const requestLink = (request: Incoming): string | undefined => {
  try {
    const body = JSON.parse(request.body) as unknown
    if (typeof body === "object" && body !== null && typeof (body as Body).link === "string") {
      return (body as Body).link as string
    }
  } catch {
    // not JSON: fall back to the query
  }
  return request.url.searchParams.get("link") ?? undefined
}

const faulty = (
  sandbox: Sandbox.Service,
  request: Incoming,
  fault: SandboxFault.Fault
): Effect.Effect<Outgoing, never, Sandbox.Sandbox> =>
  Effect.gen(function* () {
    if (fault.delay !== undefined) yield* Effect.sleep(fault.delay)
    const response = fault.response
    let out: Outgoing
    switch (response._tag) {
      case "Error": {
        if (response.code === "token_required") {
          const link = requestLink(request)
          const known = link !== undefined && sandbox.model.link(link.toLowerCase()) !== undefined
          const session = known ? yield* openSession(link.toLowerCase(), undefined) : undefined
          out = challenge(sandbox, session, link ?? null, response.message, response.status)
        } else {
          const item = { code: response.code, message: response.message, field: response.field }
          out = errors(sandbox, response.status, [item], undefined, response.asObject === true)
        }
        break
      }
      case "Raw":
        out = {
          status: response.status,
          headers: { "content-type": response.contentType },
          body: response.body
        }
        break
      case "MalformedJson":
        out = json(response.status, '[{"code": "unexpected_error", "message": "Belvo is unable to proc')
        break
      case "Drop":
        return { status: 0, headers: {}, body: "", transport: "drop" }
      case "Truncated":
        out = { ...(yield* route(sandbox, request)), transport: "truncate" }
        break
      case "ForeignNext": {
        out = yield* route(sandbox, request)
        const origin = JSON.stringify(`${request.url.origin}/`).slice(0, -1)
        const foreign = JSON.stringify(`${response.origin.replace(/\/+$/, "")}/`).slice(0, -1)
        out = { ...out, body: out.body.replace(`"next":${origin}`, `"next":${foreign}`) }
        break
      }
      case "Pass":
        out = yield* route(sandbox, request)
        break
    }
    const extra: Record<string, string> = { ...fault.headers }
    if (fault.retryAfter !== undefined) {
      extra["retry-after"] =
        typeof fault.retryAfter === "number"
          ? String(Math.max(0, Math.round(fault.retryAfter)))
          : fault.retryAfter.toUTCString()
    }
    return { ...out, headers: { ...out.headers, ...extra } }
  })

/** Answers one request: logs it, counts it, applies latency and the fault plan, then the API. */
export const respond = (request: Incoming): Effect.Effect<Outgoing, never, Sandbox.Sandbox> =>
  Effect.gen(function* () {
    const sandbox = yield* Sandbox.Sandbox
    const entry: Sandbox.LoggedRequest = {
      method: request.method.toUpperCase(),
      url: request.url.href,
      headers: { ...request.headers },
      body: request.body,
      receivedAt: yield* Clock.currentTimeMillis,
      status: undefined
    }
    sandbox.log.push(entry)
    const stats = sandbox.stats
    stats.requests++
    stats.inFlight++
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
    return yield* Effect.gen(function* () {
      if (Duration.greaterThan(sandbox.settings.latency, Duration.zero))
        yield* Effect.sleep(sandbox.settings.latency)
      let chosen: SandboxFault.Fault | undefined
      for (const planned of sandbox.faults) {
        if (!SandboxFault.inScope(planned.fault, entry.method, request.url.pathname)) continue
        planned.seen++
        if (chosen === undefined && SandboxFault.appliesTo(planned.fault, planned.seen))
          chosen = planned.fault
      }
      const out =
        chosen === undefined ? yield* route(sandbox, request) : yield* faulty(sandbox, request, chosen)
      if (out.transport !== "drop") entry.status = out.status
      return out
    }).pipe(
      Effect.ensuring(
        Effect.sync(() => {
          stats.inFlight--
        })
      )
    )
  })
