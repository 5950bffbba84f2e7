import { isPrintableKeyId } from '../basic/api-key.js'

/**
 * An id for a message: quoted when it looks like one, else the word `given` (as in "No API key has
 * the id given."), so a secret pasted where an id belongs is never repeated.
 */
export function quoteId(id: string): string {
  return typeof id === 'string' && isPrintableKeyId(id) ? JSON.stringify(id) : 'given'
}
