import { LatchkeyClientError } from './errors.js'

/** Refuses a call once the client's `close()` aborted `closed`. */
export function assertOpen(closed: AbortSignal): void {
  if (closed.aborted) {
    throw new LatchkeyClientError('ERR_CLOSED', 'The client was closed; create a new one to make more calls.')
  }
}
