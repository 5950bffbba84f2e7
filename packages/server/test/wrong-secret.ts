/** `secret` with its last character changed: a wrong secret for the same key id. */
export function wrongSecret(secret: string): string {
  return `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`
}
