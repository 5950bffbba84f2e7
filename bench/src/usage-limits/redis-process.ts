import { pin } from '../cpu-pinning.js'
import { freeLoopbackPort } from '../forward-auth/nginx-process.js'
import { spawnUntilReady } from '../forward-auth/spawned-process.js'

/** A throwaway redis-server on loopback. */
export interface RedisProcess {
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string
  readonly pid: number | undefined
  stop(): Promise<void>
}

/** A server that keeps nothing on disk (no RDB snapshots, no append-only file), on loopback only. */
export function redisArgs(port: number): string[] {
  return ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1']
}

/**
 * Starts `redis-server` (from `PATH`) on a free loopback port, pinned to `cpu` when given, and resolves
 * once it accepts connections. Rejects when the binary is missing or it does not start within 10 s.
 */
export async function startRedis(cpu: number | undefined): Promise<RedisProcess> {
  const port = await freeLoopbackPort()
  const redis = await spawnUntilReady('redis-server', redisArgs(port), {
    env: process.env,
    ready: (line) => line.includes('Ready to accept connections'),
    timeout: 10_000,
  })
  pin(redis.child.pid, cpu)
  return { url: `redis://127.0.0.1:${port}`, pid: redis.child.pid, stop: () => redis.stop() }
}
