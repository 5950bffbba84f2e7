/** The middle of `values` (the mean of the two middle ones for an even count); `NaN` when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const upper = sorted[middle] ?? Number.NaN
  if (sorted.length % 2 === 1) return upper
  return ((sorted[middle - 1] ?? Number.NaN) + upper) / 2
}

/** Median, minimum and maximum of a sample. */
export interface Spread {
  readonly median: number
  readonly min: number
  readonly max: number
}

/** The median and range of `values`; every field `NaN` when empty. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN }
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) }
}

/**
 * Each round's value divided by the reference measured in the same round, so that machine noise
 * that moves a whole round moves both sides of the ratio. Rounds missing either side are skipped.
 */
export function pairedRatios(values: readonly number[], references: readonly number[]): number[] {
  const ratios: number[] = []
  for (const [round, value] of values.entries()) {
    const reference = references[round]
    if (reference !== undefined && reference > 0 && Number.isFinite(value)) ratios.push(value / reference)
  }
  return ratios
}
