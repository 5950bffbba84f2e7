import { UsageError } from './usage-error.js'

const day = 86_400_000
const unitMs: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: day }

/** Options of {@link parseDuration}. */
export interface ParseDurationOptions {
  /** The command whose `--help` the error points to, as `latchkey keys rotate`. */
  readonly command: string
  /** Accept `0s`, `0m`…, for an option where none is meaningful (`--overlap`). Default: `false`. */
  readonly allowZero?: boolean | undefined
  /** The longest duration accepted, in days. Default: 36,500 (100 years). */
  readonly maxDays?: number | undefined
}

/**
 * A duration as the CLI takes it, in ms: a positive whole number and a unit, `s`, `m`, `h` or `d`
 * (`90s`, `15m`, `24h`, `30d`). Anything else is a {@link UsageError} naming `flag`.
 */
export function parseDuration(value: string, flag: string, options: ParseDurationOptions): number {
  const pattern = options.allowZero ? /^(0|[1-9]\d{0,8})([smhd])$/ : /^([1-9]\d{0,8})([smhd])$/
  const match = pattern.exec(value)
  const unit = unitMs[match?.[2] ?? '']
  if (!match || unit === undefined) {
    const zero = options.allowZero ? ', or 0s for none' : ''
    throw new UsageError(
      `${flag}: ${shown(value)} is not a duration; use e.g. 90s, 15m, 24h or 30d${zero}.`,
      options.command,
    )
  }
  const maxDays = options.maxDays ?? 36_500
  const ms = Number(match[1]) * unit
  if (ms > maxDays * day)
    throw new UsageError(`${flag}: ${shown(value)} is too long; at most ${maxDays}d.`, options.command)
  return ms
}

/** A value for a message: quoted when short and printable, else not repeated (it may be a secret pasted by mistake). */
export function shown(value: string): string {
  return /^[\x20-\x7E]{0,40}$/.test(value) ? JSON.stringify(value) : 'the value given'
}
