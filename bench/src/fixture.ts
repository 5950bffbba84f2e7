import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteKeyStore } from '@latchkey/store-sqlite'
import { createVerifier, type HttpAnswer, type JSONWebKeySet, toResponse, type Verifier } from '@latchkey/verifier'
import { createKeyManager } from '@latchkey/verifier/manage'
import type { LoadRequest } from './scenario.js'
import type { LimitStoreUrls } from './usage-limits/limit-store-urls.js'
import { createLimitedKeys, type LimitedKeys } from './usage-limits/limited-keys.js'

/** Everything the servers and the load generator share: one SQLite store, one key, tokens it issued. */
export interface Fixture {
  readonly directory: string
  readonly databasePath: string
  readonly issuer: string
  readonly keyId: string
  /** The key's account: the always-200 floor answers with the identity headers the gateway sends for the key. */
  readonly accountId: string
  readonly secret: string
  /** Well formed, so the refusal costs a lookup and a hash compare: what an attacker makes a server do. */
  readonly wrongSecret: string
  /** One token, reused by every request of the "reused token" scenarios. */
  readonly token: string
  /** One token per line, all distinct and valid, more than the verified-token cache holds. */
  readonly tokensFile: string
  /** A valid token with its signature altered. */
  readonly forgedToken: string
  /** The tokens of `tokensFile`, each with its signature altered: a flood of distinct forgeries. */
  readonly forgedTokensFile: string
  /** The public keys of the store, for the anchors that verify Latchkey's tokens themselves. */
  readonly jwks: JSONWebKeySet
  /** An opaque token, for @node-oauth/oauth2-server's Map. */
  readonly opaqueToken: string
  /** Keys with a rate limit and with credits, of a second account, in the same SQLite store. */
  readonly limitedKeys: LimitedKeys
  /** Where the Postgres and Redis of `bench:limits` listen; absent in the default run. */
  readonly limitStores?: LimitStoreUrls
}

export const fixtureEnv = 'BENCH_FIXTURE'
export const issuer = 'https://api.bench.example'

/**
 * Creates the store, an account and a key (and the limited keys of a second account), and issues
 * `tokenCount` tokens through the token endpoint, exactly as clients would get them. Returns the fixture and where it was written.
 */
export async function createFixture(tokenCount: number): Promise<{ fixture: Fixture; path: string }> {
  const directory = mkdtempSync(join(tmpdir(), 'latchkey-bench-'))
  const databasePath = join(directory, 'keys.db')
  const store = openSqliteKeyStore(databasePath)
  try {
    const manager = createKeyManager(store)
    const account = await manager.createAccount({ name: 'Bench' })
    const key = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
    const limitedKeys = await createLimitedKeys(manager)
    const verifier = createVerifier({ store, issuer })
    const basic = `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}`
    const tokens: string[] = []
    for (let i = 0; i < tokenCount; i++) tokens.push(await issueToken(tokenHandler(verifier), basic))
    const tokensFile = join(directory, 'tokens.txt')
    writeFileSync(tokensFile, tokens.join('\n'))
    const forgedTokensFile = join(directory, 'forged-tokens.txt')
    writeFileSync(forgedTokensFile, tokens.map(forge).join('\n'))
    const token = tokens[0] ?? (await issueToken(tokenHandler(verifier), basic))
    const fixture: Fixture = {
      directory,
      databasePath,
      issuer,
      keyId: key.id,
      accountId: account.id,
      secret: key.secret,
      wrongSecret: `lksecret_${'A'.repeat(43)}`,
      token,
      tokensFile,
      forgedTokensFile,
      forgedToken: forge(token),
      jwks: await verifier.jwks(),
      opaqueToken: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex'),
      limitedKeys,
    }
    const path = join(directory, 'fixture.json')
    writeFixture(path, fixture)
    return { fixture, path }
  } finally {
    store.close()
  }
}

/** Writes `fixture` where the server processes read it (again, once `bench:limits` has started its stores). */
export function writeFixture(path: string, fixture: Fixture): void {
  writeFileSync(path, JSON.stringify(fixture))
}

/** The fixture a parent process created, read from the path in `BENCH_FIXTURE`. */
export function readFixture(): Fixture {
  const path = process.env[fixtureEnv]
  if (!path) throw new Error(`Set ${fixtureEnv} to the fixture file that run.ts wrote.`)
  return JSON.parse(readFileSync(path, 'utf8')) as Fixture
}

/** The tokens file a scenario's request rotates through, if it does. */
export function tokensFileOf(fixture: Fixture, request: LoadRequest): string | undefined {
  if (!request.rotateTokens) return undefined
  return request.rotateTokens === 'forged' ? fixture.forgedTokensFile : fixture.tokensFile
}

/** The distinct tokens of the fixture. */
export function readTokens(fixture: Fixture): string[] {
  return readFileSync(fixture.tokensFile, 'utf8').split('\n')
}

/** The verifier's token endpoint as a Fetch handler. */
function tokenHandler(verifier: Verifier): (request: Request) => Promise<Response> {
  return async (request) => toResponse((await verifier.answer(request)) as HttpAnswer)
}

async function issueToken(handle: (request: Request) => Promise<Response>, basic: string): Promise<string> {
  const response = await handle(
    new Request(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    }),
  )
  const body = (await response.json()) as { access_token?: string }
  if (!body.access_token) throw new Error(`The token endpoint answered ${response.status}: ${JSON.stringify(body)}`)
  return body.access_token
}

/** Flips the first signature character to another valid base64url character: well formed, wrong signature. */
export function forge(token: string): string {
  const dot = token.lastIndexOf('.')
  const first = token[dot + 1]
  return `${token.slice(0, dot + 1)}${first === 'A' ? 'B' : 'A'}${token.slice(dot + 2)}`
}
