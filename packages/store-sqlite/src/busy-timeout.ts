import type { Database } from 'better-sqlite3'

/**
 * Runs `run` with the connection's busy timeout set to `timeout` ms, then restores it. better-sqlite3
 * waits synchronously, so the batched writes verifiers make off the request path (uses, usage counts)
 * wait this little for another process's write lock and then throw, to be retried with the next
 * batch, rather than stall every request for the full busy timeout.
 */
export function withBusyTimeout<T>(db: Database, timeout: number, run: () => T): T {
  const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number
  db.pragma(`busy_timeout = ${timeout}`)
  try {
    return run()
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`)
  }
}
