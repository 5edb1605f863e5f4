/** @internal */
export const version = "1.0.0"

/** The `@effect/platform-node` versions the sandbox's loopback server supports (package.json's peer range). @internal */
export const platformNodeRange = "~4.1.0"
