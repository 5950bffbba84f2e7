import type { Clock } from '../src/index.js'

/** A {@link Clock} that only moves when told to; `sleep` advances it at once and records the wait. */
export class FakeClock implements Clock {
  monotonic = 10_000
  readonly epoch = Date.UTC(2030, 0, 1)
  readonly sleeps: number[] = []

  now(): number {
    return this.monotonic
  }

  wallTime(): number {
    return this.epoch + this.monotonic
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason
    this.sleeps.push(ms)
    this.monotonic += ms
  }

  advance(ms: number): void {
    this.monotonic += ms
  }
}
