/**
 * The scale of property-based tests: `LATCHKEY_FUZZ_SCALE` (a positive number, default 1) multiplies
 * every property's number of runs. The long run, on demand (see docs/security.md):
 *
 *     LATCHKEY_FUZZ_SCALE=100 npx vitest run --testTimeout=0 packages/verifier/src packages/client/src
 *
 * A failure prints fast-check's seed and path; replay it with `{ seed, path }` in the property's options.
 */
const scale = readScale(process.env.LATCHKEY_FUZZ_SCALE)

/** `base` runs at scale 1, `base × LATCHKEY_FUZZ_SCALE` in a long run. */
export function fuzzRuns(base: number): number {
  return Math.max(1, Math.round(base * scale))
}

function readScale(value: string | undefined): number {
  if (value === undefined || value === '') return 1
  const parsed = Number(value)
  if (!Number.isFinite(parsed) || parsed <= 0) {
    throw new RangeError(`LATCHKEY_FUZZ_SCALE must be a positive number such as 100, not ${JSON.stringify(value)}.`)
  }
  return parsed
}
