// authenticate() of this checkout against another build of Latchkey, in one process, round by round
// (A B A B …), so that a change on the hot path is judged against its baseline under the same load:
//   git worktree add /tmp/base <commit> && (cd /tmp/base && sh scripts/setup.sh)
//   pnpm build && pnpm --filter @latchkey/bench micro:ab /tmp/base
// It prints, per case, each build's median time per call over the rounds and the ratio new/base.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { measure } from 'mitata'

/** The parts of a Latchkey build a round needs, whichever version of the API it has. */
interface Build {
  readonly name: string
  readonly cases: ReadonlyMap<string, () => unknown>
}

interface VerifierModule {
  createVerifier(options: { store: unknown; issuer: string; verifiedTokenCacheSize?: number }): {
    authenticate(input: { authorization: string[] }): Promise<unknown>
    jwks(): Promise<{ keys: unknown[] }>
  } & Record<string, (...args: never[]) => Promise<unknown>>
  createKeyManager?: ManageModule['createKeyManager']
  toResponse?: (answer: unknown) => Response
}

interface ManageModule {
  createKeyManager(store: unknown): {
    createAccount(options: { name: string }): Promise<{ id: string }>
    createApiKey(options: { accountId: string; scopes: string[] }): Promise<{ id: string; secret: string }>
  }
}

const issuer = 'https://api.bench.example'
const rounds = Number(process.env.AB_ROUNDS ?? 7)
const minCpuTime = Number(process.env.AB_MIN_CPU_MS ?? 300) * 1e6

async function load(name: string, root: string, directory: string): Promise<Build> {
  const module = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(root, path)).href)) as T
  const core = await module<VerifierModule>('packages/verifier/dist/index.js')
  const sqlite = await module<{ openSqliteKeyStore(path: string): unknown }>('packages/store-sqlite/dist/index.js')
  // The management functions moved to their own entry; a baseline may still have them in the main one.
  const createKeyManager =
    core.createKeyManager ?? (await module<ManageModule>('packages/verifier/dist/manage/index.js')).createKeyManager
  const store = sqlite.openSqliteKeyStore(join(directory, `${name}.db`))
  const manager = createKeyManager(store)
  const account = await manager.createAccount({ name })
  const key = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
  const verifier = core.createVerifier({ store, issuer })
  const basic = `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}`
  const wrong = `Basic ${Buffer.from(`${key.id}:lksecret_${'A'.repeat(43)}`).toString('base64')}`
  const request = new Request(`${issuer}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  })
  const response = verifier.handleTokenRequest
    ? ((await verifier.handleTokenRequest(request as never)) as Response)
    : (core.toResponse?.(await verifier.answer?.(request as never)) as Response)
  const { access_token: token } = (await response.json()) as { access_token: string }
  const dot = token.lastIndexOf('.')
  const forged = `${token.slice(0, dot + 1)}${token[dot + 1] === 'A' ? 'B' : 'A'}${token.slice(dot + 2)}`
  const authenticate = (authorization: string) => () => verifier.authenticate({ authorization: [authorization] })
  return {
    name,
    cases: new Map([
      ['authenticate() Basic', authenticate(basic)],
      ['authenticate() Bearer, cached', authenticate(`Bearer ${token}`)],
      ['authenticate() Basic, wrong secret', authenticate(wrong)],
      ['authenticate() Bearer, forged signature', authenticate(`Bearer ${forged}`)],
    ]),
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

const baseRoot = process.argv[2]
if (!baseRoot) throw new Error('Usage: micro:ab <checkout of the baseline, built>')
const directory = mkdtempSync(join(tmpdir(), 'latchkey-ab-'))
try {
  const builds = [
    await load('base', resolve(baseRoot), directory),
    await load('new', resolve(import.meta.dirname, '../../..'), directory),
  ] as const
  console.log(`${rounds} rounds, ${minCpuTime / 1e6} ms of CPU per case, build and round`)
  console.log('| case | base (µs) | new (µs) | new / base |\n| --- | ---: | ---: | ---: |')
  for (const name of builds[0].cases.keys()) {
    const times: [number[], number[]] = [[], []]
    for (let round = 0; round < rounds; round++) {
      // Which build goes first alternates too, so neither always runs on a warmer machine.
      const order = round % 2 === 0 ? [0, 1] : [1, 0]
      for (const index of order) {
        const fn = builds[index as 0 | 1].cases.get(name)
        if (!fn) throw new Error(`${builds[index as 0 | 1].name} has no case ${name}`)
        times[index as 0 | 1].push((await measure(fn, { min_cpu_time: minCpuTime })).avg)
      }
    }
    const [base, next] = times.map((values) => median(values) / 1000) as [number, number]
    console.log(`| ${name} | ${base.toFixed(2)} | ${next.toFixed(2)} | ${(next / base).toFixed(3)} |`)
  }
} finally {
  rmSync(directory, { recursive: true, force: true })
}
