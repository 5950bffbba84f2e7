/** Statistics for the timing-uniformity test (dudect-style: crop the slow tail, then Welch's t). */

/** The samples below the `keep` quantile: the slow tail is scheduler noise, not the code under test. */
export function crop(samples: readonly number[], keep = 0.95): number[] {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted.slice(0, Math.max(1, Math.floor(sorted.length * keep)))
}

export function mean(samples: readonly number[]): number {
  return samples.reduce((sum, value) => sum + value, 0) / samples.length
}

export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

function variance(samples: readonly number[]): number {
  const average = mean(samples)
  return samples.reduce((sum, value) => sum + (value - average) ** 2, 0) / (samples.length - 1)
}

/** Welch's t statistic for two samples of possibly different variances. */
export function welchT(a: readonly number[], b: readonly number[]): number {
  const standardError = Math.sqrt(variance(a) / a.length + variance(b) / b.length)
  return standardError === 0 ? 0 : (mean(a) - mean(b)) / standardError
}
