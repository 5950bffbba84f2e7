import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateApiKeySecret, hashSecret, verifySecret } from '@latchkey/verifier/manage'
import { describe, expect, it } from 'vitest'
import { inProcessCli, type KeyJson } from './in-process.js'

const { ok, fails, withStore, transcript, workDir } = inProcessCli('latchkey-import-')

// Stormpath-shaped: a 25-character [0-9A-Z] id and a 43-character base64 secret with + and /.
const stormpathId = '3XKPZ8QH2M7VJ4N6R1T9Y5W0B'
const stormpathSecret = 'k3P+9xQ/vR2mZ8wL5nT1bY7cF4hJ6dS0aG+eU/iO3qE'
/** Every secret these tests import: none may ever show up in an output. */
const imported = [stormpathSecret, 'Zm9vYmFy+/otherSecret==', 'hash/only+secret']

async function createAccount(): Promise<string> {
  return (await ok(['accounts', 'create', '--name', 'Legacy'])).trim()
}

function storedHash(id: string): string | undefined {
  return withStore((store) => store.getApiKey(id)?.secretHash)
}

async function show(id: string): Promise<KeyJson> {
  return JSON.parse(await ok(['keys', 'show', id, '--json'])) as KeyJson
}

describe('keys import', () => {
  it('--from reads a Stormpath apiKey.properties file; its secret then verifies against the stored hash', async () => {
    const account = await createAccount()
    const file = join(workDir(), 'apiKey.properties')
    writeFileSync(file, `# Stormpath\napiKey.id = ${stormpathId}\napiKey.secret = ${stormpathSecret}\n`)
    const args = ['--name', 'legacy', '--scope', 'read', '--meta', 'origin=stormpath', '--expires-in', '90d']
    expect(await ok(['keys', 'import', '--account', account, '--from', 'apiKey.properties', ...args])).toBe(
      `${stormpathId}\n`,
    )
    expect(verifySecret(stormpathSecret, storedHash(stormpathId))).toBe(true)
    expect(await show(stormpathId)).toMatchObject({
      id: stormpathId,
      accountId: account,
      name: 'legacy',
      scopes: ['read'],
      metadata: { origin: 'stormpath' },
      state: 'enabled',
      replaces: null,
    })
  })

  it('--from reads escapes, continuation lines and other separators as the client does', async () => {
    const account = await createAccount()
    const file = join(workDir(), 'tricky.properties')
    // \u0033 is "3"; the secret is continued over two lines; `:` separates the second pair.
    writeFileSync(
      file,
      `\uFEFF! exported\r\napiKey.id=\\u0033XKPZ8QH2M7VJ4N6R1T9Y5W0B\r\napiKey.secret : k3P+9xQ/vR2mZ8wL\\\r\n   5nT1bY7cF4hJ6dS0aG+eU/iO3qE  \r\n`,
    )
    expect(await ok(['keys', 'import', '--account', account, '--from', file])).toBe(`${stormpathId}\n`)
    expect(verifySecret(stormpathSecret, storedHash(stormpathId))).toBe(true)
  })

  it('--id with --secret-stdin reads one line and strips its CRLF', async () => {
    const account = await createAccount()
    const secret = imported[1] ?? ''
    expect(
      await ok(['keys', 'import', '--account', account, '--id', 'legacy-1', '--secret-stdin'], {
        stdin: `${secret}\r\n`,
      }),
    ).toBe('legacy-1\n')
    expect(verifySecret(secret, storedHash('legacy-1'))).toBe(true)
    await ok(['keys', 'import', '--account', account, '--id', 'legacy-2', '--secret-stdin'], {
      stdin: Buffer.from(secret),
    })
    expect(verifySecret(secret, storedHash('legacy-2'))).toBe(true)
  })

  it('--id with --secret-hash keeps the hash; the secret it hashes verifies', async () => {
    const account = await createAccount()
    const secret = imported[2] ?? ''
    expect(
      await ok(['keys', 'import', '--account', account, '--id', 'hashed', '--secret-hash', hashSecret(secret)]),
    ).toBe('hashed\n')
    expect(storedHash('hashed')).toBe(hashSecret(secret))
    expect(verifySecret(secret, storedHash('hashed'))).toBe(true)
  })

  it('refuses an id the store holds, and an unknown account, with exit 1', async () => {
    const account = await createAccount()
    const file = join(workDir(), 'apiKey.properties')
    writeFileSync(file, `apiKey.id = ${stormpathId}\napiKey.secret = ${stormpathSecret}\n`)
    await ok(['keys', 'import', '--account', account, '--from', file])
    expect(await fails(['keys', 'import', '--account', account, '--from', file], 1)).toContain(
      `An API key with the id "${stormpathId}" exists already`,
    )
    expect(await fails(['keys', 'import', '--account', 'acct_missing', '--from', file], 1)).toContain('acct_missing')
  })

  it('refuses a forged Latchkey secret, a bad id or hash given on the command line as usage errors (exit 2)', async () => {
    const account = await createAccount()
    const forged = `lksecret_${'A'.repeat(49)}`
    const error = await fails(['keys', 'import', '--account', account, '--id', 'k1', '--secret-stdin'], 2, {
      stdin: forged,
    })
    expect(error).toContain('not one Latchkey issued')
    expect(error).toContain('Run "latchkey keys import --help" for usage.')
    await ok(['keys', 'import', '--account', account, '--id', 'k2', '--secret-stdin'], {
      stdin: generateApiKeySecret(),
    })
    expect(
      await fails(['keys', 'import', '--account', account, '--id', 'a:b', '--secret-hash', hashSecret('x')], 2),
    ).toContain('The id given cannot be imported')
    expect(
      await fails(['keys', 'import', '--account', account, '--id', 'k3', '--secret-hash', 'sha256:nope'], 2),
    ).toContain('secretHash must be')
    expect((JSON.parse(await ok(['keys', 'list', '--json'])) as KeyJson[]).map((key) => key.id)).toEqual(['k2'])
  })

  it("refuses a forged Latchkey secret in a --from file as the file's fault (exit 1)", async () => {
    const account = await createAccount()
    const file = join(workDir(), 'apiKey.properties')
    writeFileSync(file, `apiKey.id = k1\napiKey.secret = lksecret_${'A'.repeat(49)}\n`)
    expect(await fails(['keys', 'import', '--account', account, '--from', file], 1)).toContain(
      'not one Latchkey issued',
    )
  })

  it('reports an unreadable, incomplete or malformed --from file without its content, with exit 1', async () => {
    const account = await createAccount()
    const file = join(workDir(), 'broken.properties')
    expect(await fails(['keys', 'import', '--account', account, '--from', file], 1)).toContain('(ENOENT)')
    writeFileSync(file, `apiKey.secret = ${stormpathSecret}\n`)
    expect(await fails(['keys', 'import', '--account', account, '--from', file], 1)).toContain('has no apiKey.id')
    writeFileSync(file, `apiKey.id = x\napiKey.secret = ${stormpathSecret}\\uZZ\n`)
    expect(await fails(['keys', 'import', '--account', account, '--from', file], 1)).toContain('Line 2 of')
  })
})

describe('imported secrets', () => {
  // Runs last in this file: it reads what every test before it printed.
  it('never show up in any output', () => {
    expect(transcript.length).toBeGreaterThan(10)
    for (const { stdout, stderr } of transcript) {
      for (const secret of imported) {
        expect(stdout).not.toContain(secret)
        expect(stderr).not.toContain(secret)
      }
      expect(stderr).not.toMatch(/lksecret_[A-Za-z0-9]/)
    }
  })
})
