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

/** What two timing samples show: Welch's t, the distance of their medians in µs, and the verdict. */
export interface TimingComparison {
  readonly t: number
  readonly deltaMedian: number
  /** True only when the medians are `atLeast` µs apart and |t| says the gap is not noise. */
  readonly differs: boolean
}

/**
 * Compares two cropped samples. A leak worth catching (an extra store query, a slow hash on one path)
 * moves the whole distribution, so both its median and its mean: the medians then differ by `atLeast`
 * µs and |t| is far above `tBound`. A busy machine can give samples with two modes in different
 * proportions, whose medians lie 100 µs apart while their means agree (t near 0); that is noise.
 */
export function compareTimings(
  a: readonly number[],
  b: readonly number[],
  atLeast = 100,
  tBound = 4.5,
): TimingComparison {
  const t = welchT(a, b)
  const deltaMedian = Math.abs(median(a) - median(b))
  return { t, deltaMedian, differs: deltaMedian >= atLeast && Math.abs(t) >= tBound }
}
