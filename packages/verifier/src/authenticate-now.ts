import type { AuthenticationInput, AuthenticationResult, ConnectionInfo, Verifier } from './create-verifier.js'

type AuthenticateAtOnce = (
  input: AuthenticationInput,
  connection?: ConnectionInfo,
) => AuthenticationResult | Promise<AuthenticationResult>

/**
 * Where a verifier made by `createVerifier` keeps its authentication that answers at once when it
 * can. A registered symbol, because each CommonJS adapter bundle has its own copy of this module;
 * non-enumerable, so a verifier copied with a spread and given another `authenticate` is not bypassed.
 */
const atOnce = Symbol.for('latchkey.authenticateAtOnce')

/** Gives `verifier` its `authenticateNow` implementation. Internal. */
export function withAuthenticateNow<V extends Verifier>(verifier: V, authenticate: AuthenticateAtOnce): V {
  Object.defineProperty(verifier, atOnce, { value: authenticate, enumerable: false })
  return verifier
}

/**
 * `verifier.authenticate(input, connection)`, but its result as it is when the verifier knows it at
 * once (a repeated correct secret or token of a usable key, answered from memory), so an adapter can
 * go on in the same turn with no promise; otherwise, and for any other {@link Verifier}
 * implementation, the promise. Internal to the adapters.
 */
export function authenticateNow(
  verifier: Verifier,
  input: AuthenticationInput,
  connection?: ConnectionInfo,
): AuthenticationResult | Promise<AuthenticationResult> {
  const own = (verifier as { [atOnce]?: AuthenticateAtOnce })[atOnce]
  return own ? own(input, connection) : verifier.authenticate(input, connection)
}
