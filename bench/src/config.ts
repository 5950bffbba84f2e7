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
}

/** Reads `--quick` (or `BENCH_QUICK=1`), `--rounds=N`, `--duration=S`, `--settle=S`, `--no-micro`, `--no-pin`, `--limits` and `--only=a,b`. */
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
    ...(only === undefined ? {} : { only: only.split(',') }),
  }
}
