import { shown } from './duration.js'
import { UsageError } from './usage-error.js'

// RFC 3339's profile of ISO 8601: a date (midnight UTC), or a date and time with a zone, `Z` or an offset.
// A time without a zone is refused: it would be read in the machine's zone, which differs between hosts.
const instantPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/

/**
 * An instant from an ISO 8601 option value: `2030-01-31` (midnight UTC), `2030-01-31T09:00Z`,
 * `2030-01-31T09:00:00.000+02:00`. Every field is range-checked (`Date` would read 2030-02-30 as
 * March 2). Anything else is a {@link UsageError} naming `flag`.
 */
export function parseInstant(value: string, flag: string, command: string): Date {
  const match = instantPattern.exec(value)
  const [, year, month, day, hour = '0', minute = '0', second = '0', offsetHour = '0', offsetMinute = '0'] = match ?? []
  const date = match ? new Date(value.length === 10 ? `${value}T00:00:00Z` : value) : new Date(Number.NaN)
  const fieldsInRange =
    Number(month) >= 1 &&
    Number(month) <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= daysInMonth(Number(year), Number(month)) &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59 &&
    Number(offsetHour) <= 23 &&
    Number(offsetMinute) <= 59
  if (!match || !fieldsInRange || Number.isNaN(date.getTime())) {
    throw new UsageError(
      `${flag}: ${shown(value)} is not an ISO 8601 instant; use e.g. 2030-01-31 (midnight UTC) or 2030-01-31T09:00:00Z.`,
      command,
    )
  }
  return date
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}
