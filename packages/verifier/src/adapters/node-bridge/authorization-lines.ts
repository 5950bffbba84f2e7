import type { IncomingMessage } from 'node:http'

/**
 * Every `Authorization` line of `req`, as `AuthenticationInput.authorization` takes them: for a server
 * that calls `verifier.authenticate` itself. `req.headers` keeps only the first of repeated lines, and
 * the verifier must see them all to refuse duplicates. Read from `rawHeaders`: building
 * `headersDistinct` for every request would cost more than the rest of the adapter.
 */
export function authorizationOf(req: IncomingMessage): readonly string[] {
  const raw = req.rawHeaders
  let values: string[] | undefined
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index]
    const value = raw[index + 1]
    if (name?.length === 13 && value !== undefined && name.toLowerCase() === 'authorization') {
      values ??= []
      values.push(value)
    }
  }
  return values ?? noValues
}

const noValues: readonly string[] = Object.freeze([])
