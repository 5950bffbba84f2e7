import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { verifySecret } from '@latchkey/verifier/manage'
import { describe, expect, it } from 'vitest'
import { inProcessCli, type KeyJson } from './in-process.js'

const { ok, fails, latchkey, withStore, transcript, workDir } = inProcessCli('latchkey-lifecycle-')

const hour = 3_600_000
const day = 24 * hour
const secretPattern = /lksecret_[A-Za-z0-9]{49}/
const propertiesPattern = /^apiKey\.id = (lk_[A-Za-z0-9]{24})\napiKey\.secret = (lksecret_[A-Za-z0-9]{49})\n$/

async function createAccount(...args: string[]): Promise<string> {
  return (await ok(['accounts', 'create', '--name', 'Acme', ...args])).trim()
}

async function createKey(account: string, ...args: string[]): Promise<{ id: string; secret: string }> {
  const match = propertiesPattern.exec(await ok(['keys', 'create', '--account', account, ...args]))
  if (!match?.[1] || !match[2]) throw new Error('keys create printed no key')
  return { id: match[1], secret: match[2] }
}

async function show(id: string): Promise<KeyJson> {
  return JSON.parse(await ok(['keys', 'show', id, '--json'])) as KeyJson
}

async function list(...args: string[]): Promise<KeyJson[]> {
  return JSON.parse(await ok(['keys', 'list', '--json', ...args])) as KeyJson[]
}

function near(iso: string | null, expected: number): void {
  expect(Math.abs(Date.parse(iso ?? '') - expected)).toBeLessThan(60_000)
}

describe('keys create', () => {
  it('stores name, description, scopes, expiry and metadata, as show prints them', async () => {
    const account = await createAccount()
    const { id } = await createKey(
      account,
      ...['--name', 'staging', '--description', 'CI deploys', '--scope', 'read write'],
      ...['--expires-in', '30d', '--meta', 'plan=pro', '--meta', 'tier=a=b', '--meta', 'plan=team'],
    )
    const key = await show(id)
    expect(key).toEqual({
      id,
      name: 'staging',
      description: 'CI deploys',
      accountId: account,
      status: 'enabled',
      state: 'enabled',
      accountStatus: 'enabled',
      scopes: ['read', 'write'],
      metadata: { plan: 'team', tier: 'a=b' },
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
      lastUsedAt: null,
      replaces: null,
      replacedBy: null,
      rateLimits: [],
      credits: null,
    })
    near(key.expiresAt, Date.now() + 30 * day)
  })

  it('takes --expires-at as an ISO 8601 date or instant with a zone', async () => {
    const account = await createAccount()
    const date = await createKey(account, '--expires-at', '2099-01-31')
    expect((await show(date.id)).expiresAt).toBe('2099-01-31T00:00:00.000Z')
    const instant = await createKey(account, '--expires-at', '2099-01-31T09:00:00+02:00')
    expect((await show(instant.id)).expiresAt).toBe('2099-01-31T07:00:00.000Z')
  })

  it('with --out prints only the id and writes the key, mode 0600', async () => {
    const account = await createAccount()
    const out = join(workDir(), 'apiKey.properties')
    const id = (await ok(['keys', 'create', '--account', account, '--name', 'ci', '--out', out])).trim()
    expect(propertiesPattern.exec(readFileSync(out, 'utf8'))?.[1]).toBe(id)
    expect(statSync(out).mode & 0o777).toBe(0o600)
  })
})

describe('keys update', () => {
  it('changes only what is given; --meta and --unset-meta merge into the metadata', async () => {
    const account = await createAccount()
    const { id } = await createKey(account, '--name', 'old', '--scope', 'read', '--meta', 'a=1', '--meta', 'b=2')
    expect(await ok(['keys', 'update', id, '--name', 'new', '--meta', 'c=3', '--unset-meta', 'a'])).toBe(
      `${id} updated\n`,
    )
    expect(await show(id)).toMatchObject({ name: 'new', scopes: ['read'], metadata: { b: '2', c: '3' } })

    await ok(['keys', 'update', id, '--scope', 'write admin', '--description', 'rotated monthly', '--expires-in', '2h'])
    const changed = await show(id)
    expect(changed).toMatchObject({ name: 'new', description: 'rotated monthly', scopes: ['write', 'admin'] })
    near(changed.expiresAt, Date.now() + 2 * hour)

    await ok(['keys', 'update', id, '--no-expiry', '--name', '', '--description', '', '--scope', ''])
    expect(await show(id)).toMatchObject({ name: null, description: null, scopes: [], expiresAt: null })
    await ok(['keys', 'update', id, '--unset-meta', 'nothing-there'])
    expect((await show(id)).metadata).toEqual({ b: '2', c: '3' })
  })

  it('refuses a revoked key and an unknown one, with exit 1', async () => {
    const account = await createAccount()
    const { id } = await createKey(account)
    await ok(['keys', 'revoke', id])
    expect(await fails(['keys', 'update', id, '--name', 'x'], 1)).toContain('is revoked')
    expect(await fails(['keys', 'update', 'lk_missing', '--meta', 'a=1'], 1)).toContain(
      'No API key has the id "lk_missing"',
    )
  })

  it('refuses a name over 100 characters as a usage error (exit 2), before opening the store', async () => {
    const account = await createAccount()
    const { id } = await createKey(account)
    expect(await fails(['keys', 'update', id, '--name', 'x'.repeat(101)], 2)).toContain('at most 100')
    expect(await show(id)).toMatchObject({ name: null })
  })
})

describe('keys rotate', () => {
  it('prints the new key, copies its fields, links both keys, and notes when the old one stops', async () => {
    const account = await createAccount()
    const old = await createKey(account, '--name', 'prod', '--scope', 'read', '--meta', 'plan=pro')
    const result = await latchkey(['keys', 'rotate', old.id])
    expect(result.status).toBe(0)
    const [, newId = '', newSecret = ''] = propertiesPattern.exec(result.stdout) ?? []
    expect(newId).not.toBe(old.id)
    expect(result.stderr).toMatch(
      new RegExp(
        `^latchkey: ${old.id} stops working at \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z \\(in 1d\\); ${newId} replaces it\\.\n$`,
      ),
    )
    const previous = await show(old.id)
    expect(previous).toMatchObject({ state: 'enabled', replacedBy: newId, replaces: null })
    near(previous.expiresAt, Date.now() + day)
    expect(await show(newId)).toMatchObject({
      name: 'prod',
      scopes: ['read'],
      metadata: { plan: 'pro' },
      accountId: account,
      replaces: old.id,
      replacedBy: null,
      expiresAt: null,
    })
    expect(
      verifySecret(
        newSecret,
        withStore((store) => store.getApiKey(newId)?.secretHash),
      ),
    ).toBe(true)
  })

  it('with --out writes the new key and prints only its id', async () => {
    const account = await createAccount()
    const old = await createKey(account)
    const out = join(workDir(), 'new.properties')
    const result = await latchkey(['keys', 'rotate', old.id, '--overlap', '90s', '--out', out])
    expect(result.status).toBe(0)
    const newId = result.stdout.trim()
    expect(result.stdout).toMatch(/^lk_[A-Za-z0-9]{24}\n$/)
    expect(propertiesPattern.exec(readFileSync(out, 'utf8'))?.[1]).toBe(newId)
    near((await show(old.id)).expiresAt, Date.now() + 90_000)
  })

  it('with --out FILE --force replaces the old key’s file with the new key', async () => {
    const account = await createAccount()
    const file = join(workDir(), 'apiKey.properties')
    const oldId = (await ok(['keys', 'create', '--account', account, '--out', file])).trim()
    const result = await latchkey(['keys', 'rotate', oldId, '--out', file, '--force'])
    expect(result.status).toBe(0)
    const [, id, secret = ''] = propertiesPattern.exec(readFileSync(file, 'utf8')) ?? []
    expect(id).toBe(result.stdout.trim())
    expect(
      verifySecret(
        secret,
        withStore((store) => store.getApiKey(id ?? '')?.secretHash),
      ),
    ).toBe(true)
    // A refused rotation leaves the file as it was, --force or not.
    expect(await fails(['keys', 'rotate', oldId, '--out', file, '--force'], 1)).toContain('already replaced')
    expect(readFileSync(file, 'utf8')).toContain(`apiKey.id = ${id}\n`)
  })

  it('with --overlap 0s stops the old key now: it lists as expired, rotated', async () => {
    const account = await createAccount()
    const old = await createKey(account)
    const result = await latchkey(['keys', 'rotate', old.id, '--overlap', '0s', '--out', join(workDir(), 'k')])
    expect(result.stderr).toMatch(new RegExp(`^latchkey: ${old.id} stops working now; lk_\\w+ replaces it\\.\n$`))
    const [previous, replacement] = await list()
    expect(previous).toMatchObject({ id: old.id, status: 'enabled', state: 'expired', replacedBy: replacement?.id })
    const row = (await ok(['keys', 'list'])).split('\n').find((line) => line.startsWith(old.id))
    expect(row).toMatch(new RegExp(` expired .* ${replacement?.id}$`))
  })

  it('refuses a key rotated already, naming the key to rotate instead, and revoked or unknown keys', async () => {
    const account = await createAccount()
    const old = await createKey(account)
    const newId = (await latchkey(['keys', 'rotate', old.id, '--out', join(workDir(), 'k')])).stdout.trim()
    expect(await fails(['keys', 'rotate', old.id], 1)).toContain(
      `was already replaced by "${newId}"; rotate that key instead.`,
    )
    await ok(['keys', 'revoke', newId])
    expect(await fails(['keys', 'rotate', newId], 1)).toContain('is revoked')
    expect(await fails(['keys', 'rotate', 'lk_missing'], 1)).toContain('No API key has the id "lk_missing"')
  })

  it('refuses a disabled key and a key of a disabled account', async () => {
    const account = await createAccount()
    const key = await createKey(account)
    await ok(['keys', 'disable', key.id])
    expect(await fails(['keys', 'rotate', key.id], 1)).toContain('is disabled; enable it before rotating it')
    await ok(['keys', 'enable', key.id])
    await ok(['accounts', 'disable', account])
    expect(await fails(['keys', 'rotate', key.id], 1)).toContain(`Account "${account}" is disabled`)
  })
})

describe('keys list and show', () => {
  it('show an expired key as expired, with its expiry, in the table and as JSON', async () => {
    const account = await createAccount()
    const expired = await createKey(account, '--name', 'old-ci')
    withStore((store) => store.updateApiKey(expired.id, { expiresAt: new Date('2025-03-04T05:06:07.000Z') }))
    const lines = (await ok(['keys', 'list'])).trimEnd().split('\n')
    expect(lines[0]).toMatch(/^ID +NAME +ACCOUNT +STATUS +SCOPES +LIMITS +CREATED +EXPIRES +LAST USED +REPLACED BY$/)
    expect(lines[1]).toMatch(
      new RegExp(`^${expired.id} +old-ci +${account} +expired +\\d{4}-[\\d-]+T[\\d:]+Z +2025-03-04T05:06:07Z +never$`),
    )
    expect(lines[1]?.indexOf(account)).toBe(lines[0]?.indexOf('ACCOUNT'))
    expect(await show(expired.id)).toMatchObject({ status: 'enabled', state: 'expired' })
    expect(await fails(['keys', 'rotate', expired.id], 1)).toContain('expired at 2025-03-04T05:06:07.000Z')
  })

  it('--expiring-within lists only working keys that expire within the window', async () => {
    const account = await createAccount()
    const soon = await createKey(account, '--expires-in', '2h')
    await createKey(account, '--expires-in', '30d')
    await createKey(account)
    const gone = await createKey(account, '--expires-in', '1h')
    await ok(['keys', 'revoke', gone.id])
    expect((await list('--expiring-within', '1d')).map((key) => key.id)).toEqual([soon.id])
    expect(await ok(['keys', 'list', '--expiring-within', '90s'])).toBe('No working API key expires within 90s.\n')
  })

  it('show prints every field but the secret, and "(account disabled)" for a shut-out key', async () => {
    const account = await createAccount()
    const { id, secret } = await createKey(account, '--name', 'prod', '--description', 'the main key')
    await ok(['keys', 'update', id, '--meta', 'plan=pro'])
    await ok(['accounts', 'disable', account])
    const text = await ok(['keys', 'show', id])
    expect(text.split('\n').map((line) => line.split(/ {2,}/)[0])).toEqual([
      'ID',
      'NAME',
      'DESCRIPTION',
      'ACCOUNT',
      'STATUS',
      'SCOPES',
      'METADATA',
      'CREATED',
      'EXPIRES',
      'LAST USED',
      'REPLACES',
      'REPLACED BY',
      'RATE LIMITS',
      'CREDITS',
      'REFILL',
      '',
    ])
    expect(text).toMatch(/^ID +lk_\w+\nNAME +prod\nDESCRIPTION +the main key\nACCOUNT +acct_\w+ \(Acme\)\n/)
    expect(text).toContain('STATUS       enabled (account disabled)\n')
    expect(text).toContain('METADATA     {"plan":"pro"}\n')
    expect(text).toContain('EXPIRES      never\n')
    for (const output of [text, await ok(['keys', 'show', id, '--json']), await ok(['keys', 'list', '--json'])]) {
      expect(output).not.toContain(secret)
      expect(output).not.toMatch(/secret|hash|sha256/i)
    }
    expect(await fails(['keys', 'show', 'lk_missing'], 1)).toContain('lk_missing')
  })
})

describe('accounts', () => {
  it('create takes --meta; update changes name, email and metadata', async () => {
    const id = await createAccount('--email', 'ops@acme.test', '--meta', 'plan=pro', '--meta', 'region=eu')
    const listed = async () => (JSON.parse(await ok(['accounts', 'list', '--json'])) as Record<string, unknown>[])[0]
    expect(await listed()).toMatchObject({ id, email: 'ops@acme.test', metadata: { plan: 'pro', region: 'eu' } })
    expect(
      await ok(['accounts', 'update', id, '--name', 'Acme Corp', '--meta', 'plan=team', '--unset-meta', 'region']),
    ).toBe(`${id} updated\n`)
    expect(await listed()).toMatchObject({ name: 'Acme Corp', email: 'ops@acme.test', metadata: { plan: 'team' } })
    await ok(['accounts', 'update', id, '--email', ''])
    expect(await listed()).toMatchObject({ email: null })
    expect(await fails(['accounts', 'update', 'acct_missing', '--name', 'X'], 1)).toContain('acct_missing')
  })
})

describe('secrets', () => {
  // Runs last in this file: it reads what every test before it printed.
  it('show up only in the apiKey.properties text that hands them out', () => {
    expect(transcript.some(({ stdout }) => secretPattern.test(stdout))).toBe(true)
    for (const { stdout, stderr } of transcript) {
      expect(stderr).not.toMatch(/lksecret_/)
      if (!stdout.startsWith('apiKey.id = ')) expect(stdout).not.toMatch(/lksecret_/)
    }
  })
})
