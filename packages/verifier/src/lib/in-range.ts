/** `value` when it is a finite number from `min` to `max`; else a `RangeError` naming the option. */
export function inRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${name} must be between ${min} and ${max}, not ${value}.`)
  }
  return value
}
