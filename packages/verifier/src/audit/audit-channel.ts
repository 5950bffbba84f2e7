import type { AuthEvent } from './events.js'

/**
 * The name of the Node `diagnostics_channel` every {@link AuthEvent} is published on. Subscribe with
 * `diagnostics_channel.subscribe('latchkey:auth', (event) => …)`; the message is the event object.
 */
export const AUTH_EVENT_CHANNEL = 'latchkey:auth'

/** The part of a `diagnostics_channel` Channel the verifier uses. */
export interface AuthEventChannel {
  readonly hasSubscribers: boolean
  publish(message: AuthEvent): void
}

interface NodeProcess {
  getBuiltinModule?(id: string): unknown
}

interface DiagnosticsChannelModule {
  channel(name: string): AuthEventChannel
}

/**
 * The {@link AUTH_EVENT_CHANNEL} channel on Node, or `undefined` on runtimes without
 * `process.getBuiltinModule` (Deno, Bun without it, workers, browsers, Node < 20.16). The module
 * is looked up at run time rather than imported, so the core keeps no `node:` import and still
 * bundles for a neutral platform.
 */
export function nodeAuthEventChannel(): AuthEventChannel | undefined {
  const process = (globalThis as { process?: NodeProcess }).process
  if (typeof process?.getBuiltinModule !== 'function') return undefined
  try {
    const module = process.getBuiltinModule('node:diagnostics_channel') as DiagnosticsChannelModule | undefined
    return typeof module?.channel === 'function' ? module.channel(AUTH_EVENT_CHANNEL) : undefined
  } catch {
    // A runtime that imitates `process` but refuses the module: no channel, no failure.
    return undefined
  }
}
