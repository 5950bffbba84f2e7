import { pin } from '../cpu-pinning.js'
import type { Fixture } from '../fixture.js'
import { type RunningServer, type ServerProcess, startServer } from '../server-process.js'
import { sameIdentity } from './floor-answer.js'
import { issueGatewayToken, startGateway } from './gateway-process.js'
import { stackHttpBlock } from './nginx-config.js'
import { freeLoopbackPort, type Nginx, type NginxProcess, startNginx } from './nginx-process.js'
import type { ForwardAuthStack } from './stack-names.js'

/** What {@link startForwardAuthStacks} needs. */
export interface ForwardAuthStacksOptions {
  readonly stacks: readonly ForwardAuthStack[]
  readonly nginx: Nginx
  readonly fixture: Fixture
  /** The fixture file, for the Node servers (`BENCH_FIXTURE`). */
  readonly fixturePath: string
  /** The CPU every process of every stack is pinned to, the one the other servers run on; none to leave placement to the scheduler. */
  readonly cpu?: number | undefined
}

/**
 * Starts `stacks`, one nginx each, all in front of one shared `node:http` backend (the no-auth
 * listener of `servers/node-http-baseline.ts`), so that the rows differ only in the `auth_request`
 * step. Each stack's `pids` are its nginx master and worker, its decision endpoint's process and the
 * backend: everything a request of its rows runs through. The Latchkey stack's `issuedToken` comes from
 * the gateway's own token endpoint, through nginx. The backend stops with the last stack.
 */
export async function startForwardAuthStacks(
  options: ForwardAuthStacksOptions,
): Promise<Map<ForwardAuthStack, RunningServer>> {
  const { fixturePath, cpu } = options
  const started = new Map<ForwardAuthStack, RunningServer>()
  const backend = await startServer('node-http-baseline', fixturePath, [], cpu)
  let running = options.stacks.length
  const release = async (): Promise<void> => {
    running -= 1
    if (running === 0) await backend.stop()
  }
  try {
    for (const stack of options.stacks) started.set(stack, await startStack(stack, backend, options, release))
    return started
  } catch (error) {
    await Promise.all([...started.values()].map((server) => server.stop()))
    await backend.stop()
    throw error
  }
}

async function startStack(
  stack: ForwardAuthStack,
  backend: ServerProcess,
  { nginx, fixture, fixturePath, cpu }: ForwardAuthStacksOptions,
  release: () => Promise<void>,
): Promise<RunningServer> {
  // The port comes first: the gateway's issuer is the URL clients reach nginx at.
  const port = await freeLoopbackPort()
  const url = `http://127.0.0.1:${port}`
  const auth = await startDecisionEndpoint(stack, url, fixture, fixturePath, cpu)
  let proxy: NginxProcess | undefined
  const stop = async (): Promise<void> => {
    // nginx first, so nothing more reaches the processes behind it.
    await proxy?.stop()
    await auth?.stop()
    await release()
  }
  try {
    const targets = { backend: `127.0.0.1:${backend.port}`, ...(auth ? { auth: auth.address } : {}) }
    proxy = await startNginx(nginx, port, stackHttpBlock(stack, port, targets))
    for (const pid of proxy.pids) pin(pid, cpu)
    const issuedToken =
      stack === 'nginx-latchkey' ? await issueGatewayToken(url, fixture.keyId, fixture.secret) : undefined
    return {
      port,
      pids: [...proxy.pids, ...(auth?.pids ?? []), ...backend.pids],
      ...(issuedToken ? { issuedToken } : {}),
      stop,
    }
  } catch (error) {
    await stop()
    throw new Error(`The ${stack} stack did not start.`, { cause: error })
  }
}

/** The process nginx's `auth_request` asks, running and pinned to `cpu`. */
interface DecisionEndpoint {
  /** As `host:port`. */
  readonly address: string
  readonly pids: readonly number[]
  stop(): Promise<void>
}

/** `latchkey serve` for the Latchkey stack, the always-200 server for the floor, nothing for no auth. */
async function startDecisionEndpoint(
  stack: ForwardAuthStack,
  issuer: string,
  fixture: Fixture,
  fixturePath: string,
  cpu: number | undefined,
): Promise<DecisionEndpoint | undefined> {
  if (stack === 'nginx-no-auth') return undefined
  if (stack === 'nginx-auth-floor') {
    const floor = await startServer('always-200-auth', fixturePath, [], cpu)
    return { address: `127.0.0.1:${floor.port}`, pids: floor.pids, stop: () => floor.stop() }
  }
  const gateway = await startGateway({ databasePath: fixture.databasePath, issuer })
  pin(gateway.pid, cpu)
  await sameIdentity(gateway.address, fixture).catch(async (error: unknown) => {
    await gateway.stop()
    throw error
  })
  return { address: gateway.address, pids: [gateway.pid], stop: () => gateway.stop() }
}
