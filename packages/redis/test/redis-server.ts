import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'

/** The Debian `redis-server` binary (.ci/run installs it when missing). */
export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server'

/** Whether {@link REDIS_SERVER} is there; the tests skip, saying so, when it is not. */
export const hasRedisServer = existsSync(REDIS_SERVER)

/** A throwaway redis-server on a loopback port, for tests: no persistence, nothing left behind. */
export interface RedisServer {
  readonly port: number
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string
  /** Stops the server (its counts are gone: nothing is saved). */
  stop(): Promise<void>
  /** Starts a fresh server on the same port. */
  start(): Promise<void>
  /** Freezes the process (SIGSTOP): connections stay open and nothing answers, as a hung server. */
  pause(): void
  /** Thaws a paused process (SIGCONT). */
  resume(): void
}

/** A port that was free a moment ago on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('No port was assigned.')
  return address.port
}

/** Runs redis-server on `port` until it says it accepts connections. */
function launch(port: number): Promise<ChildProcess> {
  const child = spawn(
    REDIS_SERVER,
    ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1', '--loglevel', 'notice'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => fail(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000)
    const fail = (error: Error) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(error)
    }
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve(child)
      }
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('error', fail)
    child.once('exit', (code) => fail(new Error(`redis-server exited (${code}) before it was ready:\n${output}`)))
  })
}

/** Starts a {@link RedisServer}; call `stop()` after the tests. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort()
  let child: ChildProcess | undefined = await launch(port)
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      const running = child
      child = undefined
      if (!running || running.exitCode !== null) return
      running.kill('SIGCONT')
      const exited = new Promise((resolve) => running.once('exit', resolve))
      running.kill('SIGTERM')
      await exited
    },
    async start() {
      if (child) throw new Error('redis-server is already running.')
      child = await launch(port)
    },
    pause() {
      child?.kill('SIGSTOP')
    },
    resume() {
      child?.kill('SIGCONT')
    },
  }
}
