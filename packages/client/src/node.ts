/**
 * The Node entry: everything in `@latchkey/client`, plus credentials from `apiKey.properties` and
 * the environment. `createClient` here accepts `apiKeyFile` and finds the key when `apiKey` is absent.
 */
import type { Client } from './client.js'
import type { ClientOptions } from './client-options.js'
import { createClient as createCoreClient } from './create-client.js'
import {
  type CredentialSource,
  describeCredentialSource,
  type ResolveCredentialsOptions,
  resolveCredentials,
} from './credentials.js'

export type {
  CredentialSource,
  CredentialWarning,
  ResolveCredentialsOptions,
  ResolvedCredentials,
} from './credentials.js'
export { describeCredentialSource, resolveCredentials } from './credentials.js'
export * from './index.js'

/** Options of the Node {@link createClient}: the core options, with the key found as {@link resolveCredentials} does. */
export interface NodeClientOptions
  extends Omit<ClientOptions, 'apiKey'>,
    Omit<ResolveCredentialsOptions, 'apiKey' | 'apiKeyFile'> {
  /** Explicit credentials. Default: found by {@link resolveCredentials}. */
  readonly apiKey?: ClientOptions['apiKey']
  /** An `apiKey.properties` path or `file://` URL; it must exist. Default: see {@link resolveCredentials}. */
  readonly apiKeyFile?: string | URL
  /** Told where the key came from, once, at creation. Default: none. */
  readonly onCredentialSource?: (event: { readonly source: CredentialSource; readonly description: string }) => void
}

/** A {@link Client} that knows where its key came from. */
export interface NodeClient extends Client {
  /** Where the API key came from (never the secret). */
  readonly credentialSource: CredentialSource
}

/**
 * {@link createCoreClient | createClient}, with the API key from `apiKey`, `apiKeyFile`, the
 * environment or `apiKey.properties` (see {@link resolveCredentials}). Throws at once when no key is found.
 */
export function createClient(options: NodeClientOptions = {}): NodeClient {
  const { apiKey, apiKeyFile, env, cwd, homeDir, onWarning, onCredentialSource, ...clientOptions } = options
  const resolved = resolveCredentials({
    apiKey,
    apiKeyFile,
    ...(env === undefined ? {} : { env }),
    ...(cwd === undefined ? {} : { cwd }),
    ...(homeDir === undefined ? {} : { homeDir }),
    ...(onWarning === undefined ? {} : { onWarning }),
  })
  try {
    onCredentialSource?.({ source: resolved.source, description: describeCredentialSource(resolved.source) })
  } catch {
    // A broken hook must not break authentication.
  }
  const client = createCoreClient({ ...clientOptions, apiKey: resolved.apiKey })
  return Object.assign(client, { credentialSource: resolved.source })
}
