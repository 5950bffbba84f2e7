import { LatchkeyError } from '../errors.js'
import type { Awaitable } from './key-store.js'

/**
 * Runs a store operation so that any failure, or no answer within `timeout` ms, becomes
 * `ERR_STORE_UNAVAILABLE`: the verifier fails closed with 503, never open and never with 401.
 */
export async function callStore<T>(timeout: number, operation: () => Awaitable<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const result = operation()
    if (!(result instanceof Promise)) return result
    return await Promise.race([
      result,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`The key store did not answer within ${timeout} ms.`)), timeout)
      }),
    ])
  } catch (cause) {
    if (cause instanceof LatchkeyError) throw cause
    throw new LatchkeyError('ERR_STORE_UNAVAILABLE', 'The key store is unavailable.', { cause })
  } finally {
    clearTimeout(timer)
  }
}
