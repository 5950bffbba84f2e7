/**
 * The two Cloudflare Workers types this example uses, declared here instead of adding
 * `@cloudflare/workers-types`: everything else a Worker touches (`Request`, `Response`, `fetch`,
 * `crypto.subtle`) is the Web platform, typed by TypeScript's DOM library.
 */

/** The third argument of a Worker's handlers. */
export interface ExecutionContext {
  /** Keeps the Worker alive until `promise` settles, after the response is sent. */
  waitUntil(promise: Promise<unknown>): void
}

/** A module Worker's default export, as far as this example uses it: a `fetch` handler. */
export interface ExportedHandler<Env> {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response>
}
