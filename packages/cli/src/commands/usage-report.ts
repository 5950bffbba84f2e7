import { hourOf, type UsageOutcome, type UsageRow } from '@latchkey/verifier'
import type { KeyManager } from '@latchkey/verifier/manage'
import type { CliIo } from '../cli-io.js'
import { parseDuration } from '../duration.js'
import { formatDate, formatJson, formatTable } from '../format.js'
import type { ParseArgsOptionsConfig } from '../parse-args-error.js'
import { withKeyManager } from '../with-key-manager.js'

/** The options of `keys usage` and `accounts usage`. */
export const usageReportOptions = {
  since: { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies ParseArgsOptionsConfig

/** Their help lines, and what the report shows. */
export const USAGE_REPORT_HELP = `Counts are per UTC hour, from the start of the hour DURATION ago to now, by outcome: SERVED
(let through), RATE LIMITED (429 for a key or account rate limit), CREDITS EXHAUSTED (429 for lack
of credits) and REFUSED (the key's credentials were refused: wrong secret, disabled, revoked or
expired). Servers write them in batches: the last minute (their flush interval) may be missing.
Hours without requests are left out.

Options:
  --since DURATION   How far back: 90m, 24h, 7d...; default: 24h
  --json             Print a JSON array, one object per hour (hour as an ISO 8601 string)`

const outcomes: readonly UsageOutcome[] = ['served', 'rate_limited', 'credits_exhausted', 'refused']

/** One hour of a report: the requests of every key it covers, by outcome. */
export type UsageHour = { readonly hour: Date } & Record<UsageOutcome, number>

/** `rows` summed per hour (over keys), oldest hour first. */
export function usageByHour(rows: readonly UsageRow[]): UsageHour[] {
  const hours = new Map<number, Record<UsageOutcome, number>>()
  for (const row of rows) {
    const time = row.hour.getTime()
    const counts = hours.get(time) ?? { served: 0, rate_limited: 0, credits_exhausted: 0, refused: 0 }
    counts[row.outcome] += row.count
    hours.set(time, counts)
  }
  return [...hours].sort(([a], [b]) => a - b).map(([time, counts]) => ({ hour: new Date(time), ...counts }))
}

/** The table of a report, with a TOTAL row; one line saying so when there is nothing since `since`. */
export function formatUsageTable(hours: readonly UsageHour[], since: Date): string {
  if (hours.length === 0) return `No usage recorded since ${formatDate(since)}.\n`
  const total = Object.fromEntries(
    outcomes.map((outcome) => [outcome, hours.reduce((sum, hour) => sum + hour[outcome], 0)]),
  ) as Record<UsageOutcome, number>
  return formatTable(
    ['HOUR', 'SERVED', 'RATE LIMITED', 'CREDITS EXHAUSTED', 'REFUSED'],
    [
      ...hours.map((hour) => [formatDate(hour.hour), ...outcomes.map((outcome) => String(hour[outcome]))]),
      ['TOTAL', ...outcomes.map((outcome) => String(total[outcome]))],
    ],
  )
}

/** What `keys usage` and `accounts usage` run with. */
export interface UsageReportInput {
  readonly path: string
  readonly values: { readonly since?: string | undefined; readonly json?: boolean | undefined }
  readonly databaseUrl: string
  readonly io: CliIo
  /** Reads the rows of the key or account, from `since`. */
  read(manager: KeyManager, since: Date): Promise<UsageRow[]>
}

/** Prints the usage report of a key or an account: a table by hour and outcome, or JSON. */
export async function printUsageReport({ path, values, databaseUrl, io, read }: UsageReportInput): Promise<void> {
  const period = parseDuration(values.since ?? '24h', '--since', { command: path, maxDays: 3650 })
  // From the start of the hour DURATION ago: that hour's count is part of the period asked for.
  const since = hourOf(Date.now() - period)
  const hours = usageByHour(await withKeyManager(databaseUrl, io, (manager) => read(manager, since)))
  io.stdout.write(values.json ? formatJson(hours) : formatUsageTable(hours, since))
}
