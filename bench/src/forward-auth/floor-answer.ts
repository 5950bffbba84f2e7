import type { Fixture } from '../fixture.js'

/**
 * The headers of the always-200 floor's answer: `latchkey serve`'s allow for the fixture's key (scope
 * `read`, no name, no metadata), so that nginx copies and the backend reads the same identity headers in
 * the floor's row as in Latchkey's. {@link sameIdentity} checks, as each run starts, that they still match.
 */
export function floorAnswer(fixture: Fixture): Record<string, string> {
  return {
    'Content-Length': '0',
    'Cache-Control': 'no-store',
    'X-Latchkey-Key-Id': fixture.keyId,
    'X-Latchkey-Account-Id': fixture.accountId,
    'X-Latchkey-Scopes': 'read',
    'X-Latchkey-Metadata': 'e30',
    'X-Latchkey-Auth-Method': 'basic',
  }
}

/**
 * Throws unless the gateway at `address` allows the fixture's key (Basic) with exactly the floor's
 * identity headers: a floor that copied fewer headers than the gateway sends would flatter nothing, but
 * one that copied more would hide the gateway's cost.
 */
export async function sameIdentity(address: string, fixture: Fixture): Promise<void> {
  const basic = `Basic ${Buffer.from(`${fixture.keyId}:${fixture.secret}`).toString('base64')}`
  const response = await fetch(`http://${address}/auth/nginx`, {
    headers: { authorization: basic, 'x-original-method': 'GET', 'x-original-uri': '/' },
  })
  const identity = (headers: Iterable<[string, string]>): string =>
    JSON.stringify(
      [...headers]
        .filter(([name]) => name.toLowerCase().startsWith('x-latchkey-'))
        .map(([n, v]) => [n.toLowerCase(), v])
        .sort(),
    )
  const gateway = identity(response.headers)
  const floor = identity(Object.entries(floorAnswer(fixture)))
  if (response.status !== 200 || gateway !== floor) {
    throw new Error(
      `The always-200 floor no longer answers as the gateway does: ${response.status} ${gateway} against ${floor}.`,
    )
  }
}
