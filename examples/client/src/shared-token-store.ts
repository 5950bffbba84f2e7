import { MemoryTokenStore, type StoredToken } from '@latchkey/client'

/**
 * A token store that several clients share, as instances share Redis, and into which a test can
 * write what another instance would.
 */
export class SharedTokenStore extends MemoryTokenStore {
  readonly #keys = new Set<string>()

  override set(key: string, token: StoredToken): void {
    this.#keys.add(key)
    super.set(key, token)
  }

  /** Puts `accessToken` in every entry, times unchanged: as another instance storing its own token would. */
  replaceAccessTokens(accessToken: string): void {
    for (const key of this.#keys) {
      const token = this.get(key)
      if (token) super.set(key, { ...token, accessToken })
    }
  }
}
