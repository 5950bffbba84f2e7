/** How long and how hard one `pnpm bench` run measures. */
export interface BenchConfig {
  readonly quick: boolean
  /** Rounds over every scenario, interleaved (A B C … A B C …). */
  readonly rounds: number
  /** Seconds of load per scenario per round. */
  readonly duration: number
  /** Seconds of load per scenario before the first round, not recorded (JIT, caches, connection pools). */
  readonly warmup: number
  /** Seconds of unrecorded load on a server process before its first scenario of each round. */
  readonly settle: number
  /** Concurrent connections of the load generator. */
  readonly connections: number
  /** Distinct tokens for "every token new": more than the verified-token cache holds, so each one misses. */
  readonly tokenCount: number
  /** Whether the in-process micro-benchmarks run after the load scenarios. */
  readonly micro: boolean
  /** Whether servers and the load generator are pinned to separate CPUs, where possible (`--no-pin` turns it off). */
  readonly pin: boolean
  /**
   * Whether the rows of the stores several instances share run too (`--limits`, `bench:limits`):
   * Postgres credits and windows, Redis windows, on a throwaway Postgres and redis-server.
   */
  readonly limits: boolean
  /**
   * Whether the run measures the frameworks table's rows (`--frameworks`, `bench:frameworks`) instead of
   * the others: Fastify, node:http and Hono, with their peers and Latchkey (issue #22).
   */
  readonly frameworks: boolean
  /**
   * A/B mode (`--ab=<dir>`): the baseline checkout, built, whose Latchkey every scenario of a Latchkey
   * server is measured against in the same rounds (see `ab/base-twin-scenarios.ts`); absent otherwise.
   */
  readonly ab?: string
}

/**
 * Reads `--quick` (or `BENCH_QUICK=1`), `--rounds=N`, `--duration=S`, `--settle=S`, `--no-micro`, `--no-pin`,
 * `--limits`, `--frameworks`, `--only=a,b` and `--ab=<dir>`.
 *
 * `--frameworks` runs the frameworks table's rows alone (and the rows their baselines and targets are
 * measured against): Fastify, node:http and Hono, each with its no-auth baselines, its do-nothing
 * middleware, its peers and Latchkey, judged on the server CPU each adds over its own process's no-auth
 * route. `pnpm bench` leaves them out, so each run stays under 10 minutes; `--only` names rows of either.
 *
 * `--ab=<dir>` is A/B mode: `<dir>` is a second checkout of Latchkey, built (`git worktree add /tmp/base
 * <commit> && (cd /tmp/base && sh scripts/setup.sh && pnpm build)`). Every selected scenario whose server
 * imports `@latchkey/*` gets a twin `<id>@base`, measured in the same rounds right after it (before it in
 * odd rounds) by a second process of the same `servers/` file whose `@latchkey/*` imports resolve to
 * `<dir>`'s packages. The report adds an A/B table (server CPU per request of each build, and new ÷ base
 * per round) and judges no targets. Forward-auth stacks get no twin.
 */
export function readConfig(argv: readonly string[], env: NodeJS.ProcessEnv): BenchConfig & { only?: string[] } {
  const flag = (name: string): string | undefined =>
    argv.find((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`))?.split('=')[1] ?? undefined
  const has = (name: string): boolean => argv.some((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`))
  const quick = has('quick') || env.BENCH_QUICK === '1'
  const number = (name: string, fallback: number, { zero = false } = {}): number => {
    const value = Number(flag(name) ?? fallback)
    if (!Number.isFinite(value) || value < 0 || (value === 0 && !zero)) {
      throw new RangeError(`--${name} must be a ${zero ? 'non-negative' : 'positive'} number.`)
    }
    return value
  }
  const only = flag('only')
  const ab = flag('ab')
  if (has('ab') && !ab) throw new RangeError('--ab needs the baseline checkout: --ab=<dir>.')
  return {
    quick,
    rounds: number('rounds', 3),
    duration: number('duration', quick ? 1 : 3),
    warmup: number('warmup', quick ? 1 : 2),
    settle: number('settle', 1, { zero: true }),
    connections: number('connections', 10),
    tokenCount: number('tokens', quick ? 12_000 : 20_000),
    micro: !has('no-micro'),
    pin: !has('no-pin'),
    limits: has('limits'),
    frameworks: has('frameworks'),
    ...(only === undefined ? {} : { only: only.split(',') }),
    ...(ab ? { ab } : {}),
  }
}
