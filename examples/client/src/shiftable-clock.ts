import { type Clock, systemClock } from '@latchkey/client'

/**
 * The system clock, which {@link ShiftableClock.advanceTo} moves ahead: the client then sees its
 * cached token age an hour in an instant, while the API, on the real clock, still accepts it. So the
 * refresh decisions run against a real token endpoint without waiting for a token to expire.
 */
export class ShiftableClock implements Clock {
  #offset = 0

  now(): number {
    return systemClock.now() + this.#offset
  }

  wallTime(): number {
    return systemClock.wallTime() + this.#offset
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms, signal)
  }

  /** Moves the clock ahead to `time` (ms on the {@link ShiftableClock.now} scale); never back. */
  advanceTo(time: number): void {
    this.#offset += Math.max(0, time - this.now())
  }
}
