// `pnpm --filter @latchkey/bench memory`: sends 1,000,000 distinct valid tokens, each twice (and Basic requests
// over thousands of distinct keys) through verifier.authenticate() in-process and prints resident
// memory as it goes. Once the verified-token cache is full (verifiedTokenCacheSize, default 10,000)
// memory must stay flat: nothing else grows with the number of tokens or keys seen. One distinct
// forged token per ten valid ones fills the memory of refused tokens (1,000) the same way.
//
// Options: --tokens=N (default 1,000,000), --keys=N (default 10,000), --concurrency=N (default 16),
// --minutes=N (stop early after this long, default 10).
import { createPrivateKey, sign } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteKeyStore } from '@latchkey/store-sqlite'
import { createVerifier } from '@latchkey/verifier'
import { createKeyManager } from '@latchkey/verifier/manage'
import { forge } from './fixture.js'

const option = (name: string, fallback: number): number => {
  const raw = process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1]
  const value = raw === undefined ? fallback : Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`--${name} must be a positive number.`)
  return value
}
const tokenCount = option('tokens', 1_000_000)
const keyCount = option('keys', 10_000)
const concurrency = option('concurrency', 16)
const timeLimit = option('minutes', 10) * 60_000
const sampleEvery = Math.max(1000, Math.floor(tokenCount / 20))
const issuer = 'https://api.bench.example'

const directory = mkdtempSync(join(tmpdir(), 'latchkey-memory-'))
const store = openSqliteKeyStore(join(directory, 'keys.db'))
try {
  const started = performance.now()
  const manager = createKeyManager(store)
  const account = await manager.createAccount({ name: 'Memory' })
  const keys: { id: string; basic: string }[] = []
  for (let i = 0; i < keyCount; i++) {
    const key = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
    keys.push({ id: key.id, basic: `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}` })
  }
  const verifier = createVerifier({ store, issuer })
  await verifier.jwks() // generates and stores the signing key
  const record = (await store.listSigningKeys())[0]
  if (!record) throw new Error('The verifier stored no signing key.')
  const privateKey = createPrivateKey({ key: record.privateJwk as import('node:crypto').JsonWebKey, format: 'jwk' })
  const header = Buffer.from(JSON.stringify({ alg: record.alg, kid: record.kid, typ: 'at+jwt' })).toString('base64url')
  console.log(
    `${keyCount} keys in ${seconds(started)} s; sending ${tokenCount} distinct tokens, ${concurrency} at a time`,
  )

  /** Token `i`, signed here with the store's key (node:crypto is ~10× faster than a round trip to the token endpoint). */
  function token(i: number): string {
    const key = keys[i % keyCount]
    if (!key) throw new Error('unreachable')
    const iat = Math.floor(Date.now() / 1000)
    const claims = {
      iss: issuer,
      sub: key.id,
      aud: issuer,
      client_id: key.id,
      iat,
      exp: iat + 3600,
      jti: `memory-${i}`,
      scope: 'read',
    }
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`
    return `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`
  }

  console.log('requests      elapsed   rss MB   heap used MB (after GC)   external MB   refused')
  const gc = (globalThis as { gc?: () => void }).gc
  let next = 0
  let refused = 0
  let nextSample = 0
  const deadline = performance.now() + timeLimit
  function sample(): void {
    gc?.()
    const { rss, heapUsed, external } = process.memoryUsage()
    const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1).padStart(8)
    console.log(
      `${String(next).padStart(9)} ${seconds(started).padStart(9)} s ${mb(rss)} ${mb(heapUsed)}                ${mb(external)}      ${refused}`,
    )
  }
  async function worker(): Promise<void> {
    while (next < tokenCount && performance.now() < deadline) {
      const i = next++
      if (i >= nextSample) {
        nextSample += sampleEvery
        sample()
      }
      // Each token twice: the verified-token cache remembers a token from its second verification on.
      await verifier.authenticate({ authorization: [`Bearer ${token(i)}`] })
      const bearer = await verifier.authenticate({ authorization: [`Bearer ${token(i)}`] })
      // One Basic request per ten tokens, round-robin over every key.
      const basic =
        i % 10 === 0 ? await verifier.authenticate({ authorization: [keys[(i / 10) % keyCount]?.basic ?? ''] }) : bearer
      if (!bearer.ok || !basic.ok) refused++
      // And one distinct forgery per ten tokens, which the memory of refused tokens keeps (bounded).
      if (i % 10 === 5 && (await verifier.authenticate({ authorization: [`Bearer ${forge(token(i))}`] })).ok) {
        throw new Error('A forged token was accepted.')
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  sample()
  if (next < tokenCount)
    console.log(`Stopped after ${option('minutes', 10)} minutes, at ${next} of ${tokenCount} tokens.`)
  if (refused > 0) throw new Error(`${refused} valid requests were refused.`)
} finally {
  store.close()
  rmSync(directory, { recursive: true, force: true })
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1)
}
