// authenticate() and the token endpoint in-process, plus the parts they are made of, so the load
// scenarios' costs can be attributed without a profiler.
import { join } from 'node:path'
import { openSqliteKeyStore } from '@latchkey/store-sqlite'
import { createVerifier, type HttpAnswer, toResponse } from '@latchkey/verifier'
import { createKeyManager, hashSecret } from '@latchkey/verifier/manage'
import { importJWK, jwtVerify } from 'jose'
// An internal part, timed from the source: it is not public API.
import { parseAuthorization } from '../../../packages/verifier/src/request/authorization-header.js'
import type { MicroResult } from '../report.js'
import { time } from './measure.js'

const issuer = 'https://api.bench.example'

/** The verifier micro-benchmarks, on a SQLite store in `directory`. */
export async function verifierBenchmarks(directory: string): Promise<MicroResult[]> {
  const store = openSqliteKeyStore(join(directory, 'micro.db'))
  const manager = createKeyManager(store)
  const account = await manager.createAccount({ name: 'Micro' })
  const key = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
  const verifier = createVerifier({ store, issuer })
  const cold = createVerifier({ store, issuer, verifiedTokenCacheSize: 0 })
  const basic = `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}`
  const wrong = `Basic ${Buffer.from(`${key.id}:lksecret_${'A'.repeat(43)}`).toString('base64')}`
  const tokenRequest = (): Request =>
    new Request(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    })
  const issued = (await toResponse((await verifier.answer(tokenRequest())) as HttpAnswer).json()) as {
    access_token: string
  }
  const token = issued.access_token
  const dot = token.lastIndexOf('.')
  const forged = `${token.slice(0, dot + 1)}${token[dot + 1] === 'A' ? 'B' : 'A'}${token.slice(dot + 2)}`
  const jwk = (await verifier.jwks()).keys[0]
  if (!jwk) throw new Error('No signing key.')
  const publicKey = await importJWK(jwk, 'EdDSA')

  const authenticate = (authorization: string) => () => verifier.authenticate({ authorization: [authorization] })
  const results: MicroResult[] = []
  const group = 'verifier'
  results.push(await time(group, 'authenticate() Basic', authenticate(basic)))
  results.push(await time(group, 'authenticate() Bearer, cached', authenticate(`Bearer ${token}`)))
  results.push(
    await time(group, 'authenticate() Bearer, cold (cache size 0)', () =>
      cold.authenticate({ authorization: [`Bearer ${token}`] }),
    ),
  )
  results.push(await time(group, 'authenticate() Basic, wrong secret', authenticate(wrong)))
  results.push(await time(group, 'authenticate() Bearer, forged signature', authenticate(`Bearer ${forged}`)))
  results.push(await time(group, 'answer() a token request (issue a token)', () => verifier.answer(tokenRequest())))

  const parts = 'parts'
  results.push(await time(parts, 'parseAuthorization() Basic', () => parseAuthorization(basic)))
  results.push(await time(parts, 'hashSecret() (@noble/hashes SHA-256)', () => hashSecret(key.secret)))
  results.push(await time(parts, 'SQLite findApiKey()', () => store.findApiKey(key.id)))
  results.push(
    await time(parts, 'jose jwtVerify() EdDSA', () =>
      jwtVerify(token, publicKey, { issuer, audience: issuer, algorithms: ['EdDSA'], typ: 'at+jwt' }),
    ),
  )
  results.push(await time(parts, 'new Request() for the token endpoint', tokenRequest))
  store.close()
  return results
}
