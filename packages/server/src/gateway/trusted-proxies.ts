/**
 * The proxies whose `X-Forwarded-For` a gateway believes unless told otherwise: loopback, where the
 * documented configs run the proxy beside `latchkey serve`. Behind a proxy every request comes from
 * the proxy's address, so without this one client's failures would throttle everyone behind it.
 */
export const DEFAULT_TRUSTED_PROXIES: readonly string[] = Object.freeze(['127.0.0.0/8', '::1'])
