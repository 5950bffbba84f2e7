import { LatchkeyClientError } from './errors.js'
import { parseProperties } from './properties.js'

/** An API key: the id (the OAuth `client_id`) and its secret (the `client_secret`). */
export interface ApiKey {
  readonly id: string
  readonly secret: string
}

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

/**
 * An {@link ApiKey} whose secret stays out of `JSON.stringify`, `util.inspect`, `console.log` and
 * object spreads: `secret` is a non-enumerable property, and both serialisations show `'[redacted]'`.
 */
export function redactedApiKey(key: ApiKey): ApiKey {
  const { id, secret } = key
  const shown = { id, secret: '[redacted]' }
  const result = { id }
  Object.defineProperties(result, {
    secret: { value: secret, enumerable: false },
    toJSON: { value: () => shown, enumerable: false },
    [inspectSymbol]: { value: () => shown, enumerable: false },
  })
  return Object.freeze(result) as ApiKey
}

/**
 * Reads the API key of an `apiKey.properties` text (keys `apiKey.id` and `apiKey.secret`, values
 * trimmed). Returns `undefined` when the text holds no property at all (an empty file is ignored, as
 * Stormpath did); throws `ERR_CREDENTIALS_MISSING` naming the missing key when only one is there.
 *
 * @param text The file content.
 * @param source What to call the text in error messages (a path). Default: `'the apiKey.properties text'`.
 */
export function parseApiKeyProperties(text: string, source = 'the apiKey.properties text'): ApiKey | undefined {
  const properties = parseProperties(text, source)
  if (properties.size === 0) return undefined
  const id = properties.get('apiKey.id')?.trim() ?? ''
  const secret = properties.get('apiKey.secret')?.trim() ?? ''
  for (const [name, value] of [
    ['apiKey.id', id],
    ['apiKey.secret', secret],
  ] as const) {
    if (value === '') {
      throw new LatchkeyClientError(
        'ERR_CREDENTIALS_MISSING',
        `${source} has no ${name}: add a line "${name} = …" (the CLI writes both with "latchkey keys create --out").`,
      )
    }
  }
  return redactedApiKey({ id, secret })
}
