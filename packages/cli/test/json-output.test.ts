import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateApiKeySecret, verifySecret } from '@latchkey/verifier/manage'
import { describe, expect, it } from 'vitest'
import { inProcessCli, type KeyJson } from './in-process.js'

const { ok, latchkey, workDir, withStore, transcript } = inProcessCli('latchkey-json-')

const secretPattern = /^lksecret_[A-Za-z0-9]{49}$/

async function createAccount(): Promise<string> {
  return (await ok(['accounts', 'create', '--name', 'Acme'])).trim()
}

async function show(id: string): Promise<KeyJson> {
  return JSON.parse(await ok(['keys', 'show', id, '--json'])) as KeyJson
}

describe('--json on the commands that create', () => {
  it('accounts create prints the account as accounts list --json does', async () => {
    const account = JSON.parse(
      await ok(['accounts', 'create', '--name', 'Acme', '--email', 'ops@acme.test', '--meta', 'plan=pro', '--json']),
    ) as Record<string, unknown>
    expect(account).toEqual({
      id: expect.stringMatching(/^acct_[A-Za-z0-9]{20}$/),
      name: 'Acme',
      email: 'ops@acme.test',
      status: 'enabled',
      createdAt: expect.any(String),
      metadata: { plan: 'pro' },
      rateLimits: [],
    })
    expect(JSON.parse(await ok(['accounts', 'list', '--json']))).toEqual([account])
  })

  it('keys create without --out prints the key as keys show --json does, and its secret, never its hash', async () => {
    const account = await createAccount()
    const printed = JSON.parse(
      await ok(['keys', 'create', '--account', account, '--name', 'ci', '--scope', 'read', '--json']),
    ) as KeyJson & { secret: string }
    const { secret, ...key } = printed
    expect(Object.keys(printed)).toEqual([...Object.keys(await show(key.id)), 'secret'])
    expect(key).toEqual(await show(key.id))
    expect(key).toMatchObject({ name: 'ci', scopes: ['read'], status: 'enabled', accountStatus: 'enabled' })
    expect(secret).toMatch(secretPattern)
    withStore((store) => expect(verifySecret(secret, store.getApiKey(key.id)?.secretHash ?? '')).toBe(true))
    expect(JSON.stringify(printed)).not.toMatch(/hash|sha256/i)
  })

  it('keys create --out FILE prints the key without its secret, which goes to FILE only', async () => {
    const account = await createAccount()
    const printed = JSON.parse(
      await ok(['keys', 'create', '--account', account, '--out', 'apiKey.properties', '--json']),
    ) as KeyJson
    expect(printed).toEqual(await show(printed.id))
    expect(readFileSync(join(workDir(), 'apiKey.properties'), 'utf8')).toContain(`apiKey.id = ${printed.id}\n`)
    expect(JSON.stringify(printed)).not.toMatch(/lksecret_|secret|hash/i)
  })

  it('keys rotate prints the new key, naming the one it replaces, with its secret unless --out', async () => {
    const account = await createAccount()
    const old = (await ok(['keys', 'create', '--account', account, '--out', 'old.properties'])).trim()
    const result = await latchkey(['keys', 'rotate', old, '--overlap', '1h', '--json'])
    expect(result.status).toBe(0)
    // The line about the old key stays on stderr, for people; stdout is the JSON alone.
    expect(result.stderr).toMatch(new RegExp(`^latchkey: ${old} stops working at .+\\n$`))
    const { secret, ...key } = JSON.parse(result.stdout) as KeyJson & { secret: string }
    expect(secret).toMatch(secretPattern)
    expect(key).toEqual(await show(key.id))
    expect(key.replaces).toBe(old)

    const next = await latchkey(['keys', 'rotate', key.id, '--out', 'next.properties', '--json'])
    const rotated = JSON.parse(next.stdout) as KeyJson
    expect(rotated).toEqual(await show(rotated.id))
    expect(next.stdout).not.toMatch(/lksecret_|"secret"/)
  })

  it('keys import prints the imported key, never its secret', async () => {
    const account = await createAccount()
    const secret = generateApiKeySecret()
    const printed = await ok(['keys', 'import', '--account', account, '--id', 'legacy-1', '--secret-stdin', '--json'], {
      stdin: `${secret}\n`,
    })
    expect(JSON.parse(printed)).toEqual(await show('legacy-1'))
    expect(printed).not.toContain(secret)
    expect(printed).not.toMatch(/"secret"|hash/i)
  })

  it('leaves the output without --json as it was', async () => {
    const account = await createAccount()
    expect(account).toMatch(/^acct_[A-Za-z0-9]{20}$/)
    expect(await ok(['keys', 'create', '--account', account])).toMatch(
      /^apiKey\.id = lk_\w+\napiKey\.secret = lksecret_\w+\n$/,
    )
    expect(await ok(['keys', 'create', '--account', account, '--out', 'k.properties'])).toMatch(/^lk_\w+\n$/)
  })
})

describe('secrets', () => {
  // Runs last: it reads what every test before it printed.
  it('show up only in the "secret" field of the JSON, or the apiKey.properties text, they are handed out in', () => {
    const anySecret = /lksecret_[A-Za-z0-9]{49}/
    expect(transcript.some(({ stdout }) => stdout.includes('"secret": "lksecret_'))).toBe(true)
    for (const { stdout, stderr } of transcript) {
      expect(stderr).not.toMatch(anySecret)
      if (stdout.startsWith('apiKey.id = ')) continue
      expect(stdout.replace(/"secret": "lksecret_\w+"/, '')).not.toMatch(anySecret)
    }
  })
})
