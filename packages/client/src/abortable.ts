import { LatchkeyClientError } from './errors.js'

/**
 * `promise`, or a rejection as soon as `signal` aborts. Only this caller stops waiting: the work
 * behind `promise` (a shared token refresh) goes on for the others.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | null | undefined): Promise<T> {
  if (!signal) return promise
  if (signal.aborted) return Promise.reject(abortedError(signal))
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(signal))
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

/** The error of a call its caller's `signal` aborted: `ERR_ABORTED`, with the signal's reason as `cause`. */
export function abortedError(signal: AbortSignal): LatchkeyClientError {
  return new LatchkeyClientError('ERR_ABORTED', 'The call was aborted by its AbortSignal.', { cause: signal.reason })
}
