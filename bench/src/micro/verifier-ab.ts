// authenticate() of this checkout against another build of Latchkey, round by round (A B A B …, each
// round a fresh process per build, the order alternating), so that a change on the hot path is judged
// against its baseline on the same machine at the same time:
//   git worktree add /tmp/base <commit> && (cd /tmp/base && sh scripts/setup.sh)
//   pnpm build && pnpm --filter @latchkey/bench micro:ab /tmp/base
// It prints, per case, each build's median time per call over the rounds and the median of the
// rounds' ratios new/base. A process per case, build and round: a process holding both builds, or
// running one case after another, measured a cached Bearer call at about 1 or 2 µs depending on what
// ran before it, whichever build it was.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

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
    createApiKey(options: {
      accountId: string
      scopes: string[]
      rateLimits?: { count: number; window: number }[]
    }): Promise<{ id: string; secret: string }>
  }
}

const issuer = 'https://api.bench.example'
const rounds = Number(process.env.AB_ROUNDS ?? 7)
/** Milliseconds of calls per case, build and round, after as many of warm-up. */
const window = Number(process.env.AB_WINDOW_MS ?? 300)

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
  // Counted in memory and never reached: what counting and the RateLimit fields cost (a build
  // without usage limits ignores the option, and measures Basic).
  const limited = await manager.createApiKey({
    accountId: account.id,
    scopes: ['read'],
    rateLimits: [{ count: 1_000_000_000, window: 1 }],
  })
  const verifier = core.createVerifier({ store, issuer })
  const basicOf = (credentials: { id: string; secret: string }) =>
    `Basic ${Buffer.from(`${credentials.id}:${credentials.secret}`).toString('base64')}`
  const basic = basicOf(key)
  const wrong = basicOf({ id: key.id, secret: `lksecret_${'A'.repeat(43)}` })
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
      ['authenticate() Basic, key rate limit (in memory)', authenticate(basicOf(limited))],
      ['authenticate() Bearer, cached', authenticate(`Bearer ${token}`)],
      ['authenticate() Basic, wrong secret', authenticate(wrong)],
      ['authenticate() Bearer, forged signature', authenticate(`Bearer ${forged}`)],
    ]),
  }
}

/** Nanoseconds per call of `fn`, awaited one after another, over `window` ms after a warm-up as long. */
async function nanosecondsPerCall(fn: () => unknown): Promise<number> {
  for (const measured of [false, true]) {
    const start = performance.now()
    let calls = 0
    while (performance.now() - start < window) {
      for (let index = 0; index < 64; index++) await fn()
      calls += 64
    }
    if (measured) return ((performance.now() - start) * 1e6) / calls
  }
  return Number.NaN
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

/** One case of one build, in a process of its own: prints its nanoseconds per call. */
async function child(name: string, root: string, label: string): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'latchkey-ab-'))
  try {
    const fn = (await load(name, root, directory)).cases.get(label)
    if (!fn) throw new Error(`No case ${label}.`)
    console.log(String(await nanosecondsPerCall(fn)))
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}

const labels = [
  'authenticate() Basic',
  'authenticate() Basic, key rate limit (in memory)',
  'authenticate() Bearer, cached',
  'authenticate() Basic, wrong secret',
  'authenticate() Bearer, forged signature',
]

const self = fileURLToPath(import.meta.url)
if (process.argv[2] === '--child') {
  await child(process.argv[3] ?? '', process.argv[4] ?? '', process.argv[5] ?? '')
} else {
  const baseRoot = process.argv[2]
  if (!baseRoot) throw new Error('Usage: micro:ab <checkout of the baseline, built>')
  const roots = { base: resolve(baseRoot), new: resolve(import.meta.dirname, '../../..') }
  const runs: Record<'base' | 'new', Record<string, number>[]> = { base: [], new: [] }
  for (let round = 0; round < rounds; round++) {
    const results = { base: {} as Record<string, number>, new: {} as Record<string, number> }
    for (const label of labels) {
      // Which build goes first alternates, so neither always runs on a warmer machine.
      for (const name of round % 2 === 0 ? (['base', 'new'] as const) : (['new', 'base'] as const)) {
        const args = ['--import', 'tsx', self, '--child', name, roots[name], label]
        const output = execFileSync(process.execPath, args, { encoding: 'utf8' })
        results[name][label] = Number(output.trim().split('\n').at(-1))
      }
    }
    runs.base.push(results.base)
    runs.new.push(results.new)
  }
  console.log(`${rounds} rounds, ${window} ms of calls per case, build and round`)
  console.log('| case | base (µs) | new (µs) | new / base (median of rounds) |\n| --- | ---: | ---: | ---: |')
  for (const label of Object.keys(runs.base[0] ?? {})) {
    const base = runs.base.map((run) => run[label] ?? Number.NaN)
    const next = runs.new.map((run) => run[label] ?? Number.NaN)
    const ratios = next.map((value, index) => value / (base[index] ?? Number.NaN))
    const cells = [median(base) / 1000, median(next) / 1000].map((value) => value.toFixed(2))
    console.log(`| ${label} | ${cells.join(' | ')} | ${median(ratios).toFixed(3)} |`)
  }
}
