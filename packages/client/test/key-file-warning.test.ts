import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createClient } from '../src/node.js'

let dir: string
let warnings: string[]

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-client-warning-'))
  warnings = []
  // The default handler is the one under test, so its call to process.emitWarning is what is counted.
  vi.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error) => {
    warnings.push(String(warning))
  })
})

afterEach(() => {
  vi.restoreAllMocks()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** A real key file with `mode`. */
function keyFile(name: string, mode: number): string {
  const file = path.join(dir, name)
  fs.writeFileSync(file, `apiKey.id = lk_${name}\napiKey.secret = lksecret_${name}\n`)
  fs.chmodSync(file, mode)
  return file
}

/** createClient with the key found the way a script finds it: `./apiKey.properties` or an explicit file. */
async function create(options: { apiKeyFile?: string } = {}): Promise<void> {
  const client = createClient({ baseUrl: 'http://127.0.0.1:1', env: {}, cwd: dir, homeDir: '', ...options })
  await client.close()
}

describe.skipIf(process.platform === 'win32')('the key-file permission warning', () => {
  it('is printed once when one script creates two clients from the same readable file', async () => {
    const file = keyFile('apiKey.properties', 0o644)
    await create()
    await create()
    await create({ apiKeyFile: file })
    expect(warnings).toEqual([`${file} is readable by group or others (mode 644); run chmod 600 on it.`])
  })

  it('is printed again for a second, different file', async () => {
    const first = keyFile('first.properties', 0o644)
    const second = keyFile('second.properties', 0o640)
    await create({ apiKeyFile: first })
    await create({ apiKeyFile: second })
    await create({ apiKeyFile: first })
    expect(warnings).toEqual([
      expect.stringContaining(`${first} is readable`),
      expect.stringContaining(`${second} is readable`),
    ])
  })

  it('is not printed for a file only its owner can read', async () => {
    await create({ apiKeyFile: keyFile('private.properties', 0o600) })
    expect(warnings).toEqual([])
  })

  it('reaches an onWarning handler at every resolution, for it to filter as it likes', async () => {
    const file = keyFile('apiKey.properties', 0o644)
    const seen: string[] = []
    for (let index = 0; index < 2; index++) {
      const client = createClient({
        baseUrl: 'http://127.0.0.1:1',
        apiKeyFile: file,
        env: {},
        homeDir: '',
        onWarning: ({ path }) => seen.push(path),
      })
      await client.close()
    }
    expect(seen).toEqual([file, file])
    expect(warnings).toEqual([])
  })
})
