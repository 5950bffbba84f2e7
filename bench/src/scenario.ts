// The shape of a load scenario, apart from the list of them (scenarios.ts), so that the forward-auth
// scenarios (forward-auth/forward-auth-scenarios.ts) can be typed without importing that list.
import type { ForwardAuthStack } from './forward-auth/stack-names.js'
import type { LimitedKeys } from './usage-limits/limited-keys.js'

/** The server processes, one file each in `servers/`. */
export type ServerName =
  | 'baseline'
  | 'noop-middleware'
  | 'node-http-baseline'
  | 'latchkey-express'
  | 'latchkey-express-defaults'
  | 'latchkey-fetch'
  | 'express-basic-auth'
  | 'passport-http'
  | 'oauth2-jwt-bearer'
  | 'jose-jwt-verify'
  | 'node-oauth2-server'
  | 'oidc-provider'
  | 'always-200-auth'
  | 'latchkey-express-postgres'
  | 'latchkey-express-redis'
  | 'fastify-baseline'
  | 'fastify-basic-auth'
  | 'fastify-jwt'
  | 'fastify-latchkey'
  | 'node-latchkey'
  | 'fast-jwt-verify'
  | 'hono-baseline'
  | 'hono-peers'
  | 'hono-latchkey'

/** A server's twin in A/B mode (`--ab`): the same `servers/` file, its `@latchkey/*` imports from the baseline build. */
export type BaseTwinServer = `${ServerName}@base`

/** What each request of a scenario carries. */
export interface LoadRequest {
  readonly method: 'GET' | 'POST'
  readonly path: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
  /**
   * Sends the fixture's tokens in turn as `Authorization: Bearer`, one distinct token per request:
   * the valid ones, or the same tokens each with its signature altered.
   */
  readonly rotateTokens?: 'valid' | 'forged'
  /**
   * Sends `Authorization: Bearer` with the token the server's own token endpoint issued when it started,
   * the same for every request: `latchkey serve`'s, whose issuer is the URL of the nginx in front of it.
   */
  readonly issuedToken?: boolean
}

/** A target from the issue: this scenario's rate at least `atLeast` × the rate of `against`. */
export interface RateTarget {
  readonly against: string
  readonly atLeast: number
}

/**
 * A target where the load generator bounds req/s (issue #22): the server CPU per request this scenario
 * adds over its own process's no-auth route at most `addedCpuAtMost` × what `against` adds over its own.
 */
export interface CpuTarget {
  readonly against: string
  readonly addedCpuAtMost: number
}

/** A target of either kind: on req/s, or on the server CPU added per request. */
export type Target = RateTarget | CpuTarget

export interface Scenario {
  readonly id: string
  readonly label: string
  /** The process that answers, the forward-auth stack (nginx and the processes behind it), or a server's A/B twin. */
  readonly server: ServerName | ForwardAuthStack | BaseTwinServer
  readonly request: LoadRequest
  readonly expectedStatus: number
  /**
   * What the first request answers, when it differs from `expectedStatus`: an attack on the default
   * throttle gets 401 until it crosses a limit, then 429. The warm-up takes it past the limit.
   */
  readonly firstStatus?: number
  /**
   * A header the first answer must carry, lower case: `ratelimit` on the rate-limited rows, which
   * shows that the request was counted against the key's limit.
   */
  readonly answerHeader?: string
  /** The scenario this one's ratio is against, measured in the same round. */
  readonly baseline: string
  /**
   * The same no-auth request as `baseline`, answered by this scenario's own server process and measured
   * in the same round (see `withSameProcessBaselines`); the ratios that judge targets are against it.
   */
  readonly sameProcess?: string
  /** A no-auth route measured only to divide by, not a row of the table. */
  readonly reference?: boolean
  readonly targets?: readonly Target[]
  /**
   * Printed in the forward-auth table, whose ratios are against nginx without authentication
   * (`baseline`) and against the always-200 floor (`sameProcess`), both measured in the same round; or
   * in the frameworks table (`bench:frameworks`), whose judged figure is the server CPU added over the
   * scenario's own no-auth route.
   */
  readonly table?: 'forward-auth' | 'frameworks'
}

/** The fixture values the scenarios' requests are built from. */
export interface Credentials {
  readonly keyId: string
  readonly secret: string
  readonly wrongSecret: string
  readonly token: string
  readonly forgedToken: string
  readonly opaqueToken: string
  readonly limitedKeys: LimitedKeys
}
