/**
 * A table for people: a header row, then one row per item, columns aligned with two spaces.
 * Control characters in cells become `?`, so a stored name cannot move the cursor or recolour the terminal.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [headers, ...rows].map((row) => row.map(printable))
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column]?.length ?? 0)))
  return cells
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('')
}

/** JSON for programs: pretty-printed, dates as ISO 8601 strings (`Date#toJSON`), ending in a newline. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

/** A date for a table: ISO 8601 in UTC to the second, as `2025-01-31T09:05:00Z`. */
export function formatDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** `text` with its control characters shown as `?`, so it stays on its line and cannot move the cursor. */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
}

/** A duration for a table, in its two largest units: `45s`, `12m 5s`, `3h 20m`, `14d 2h`. */
export function formatAge(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000))
  const units: [string, number][] = [
    ['d', Math.floor(seconds / 86_400)],
    ['h', Math.floor(seconds / 3600) % 24],
    ['m', Math.floor(seconds / 60) % 60],
    ['s', seconds % 60],
  ]
  const first = units.findIndex(([, value]) => value > 0)
  if (first === -1) return '0s'
  return units
    .slice(first, first + 2)
    .filter(([, value]) => value > 0)
    .map(([unit, value]) => `${value}${unit}`)
    .join(' ')
}

/**
 * One item for people: a label and a value to a line, values aligned. Control characters in values
 * become `?`, as in {@link formatTable}.
 */
export function formatFields(fields: readonly (readonly [label: string, value: string])[]): string {
  const width = Math.max(...fields.map(([label]) => label.length))
  return fields
    .map(([label, value]) => `${label.padEnd(width)}  ${printable(value)}`.trimEnd())
    .map((line) => `${line}\n`)
    .join('')
}
