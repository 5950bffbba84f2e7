import type { StoredToken, TokenStore } from '@latchkey/client'

/**
 * A {@link TokenStore} that several clients share, as instances share Redis, and into which a test
 * can write what another instance would.
 */
export class SharedTokenStore implements TokenStore {
  readonly #tokens = new Map<string, StoredToken>()

  get(key: string): StoredToken | undefined {
    return this.#tokens.get(key)
  }

  set(key: string, token: StoredToken): void {
    this.#tokens.set(key, token)
  }

  delete(key: string): void {
    this.#tokens.delete(key)
  }

  /** Puts `accessToken` in every entry, times unchanged: as another instance storing its own token would. */
  replaceAccessTokens(accessToken: string): void {
    for (const [key, token] of this.#tokens) this.#tokens.set(key, { ...token, accessToken })
  }
}
