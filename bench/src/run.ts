// `pnpm bench`: starts every server in its own process (and nginx in front of the forward-auth ones;
// with `--limits`, a throwaway Postgres and redis-server for the rows of the stores instances share),
// measures each scenario with autocannon from another process, interleaved over rounds (A B C … A B C …),
// then runs the micro-benchmarks and prints the tables ready to paste into docs/performance.md. See that
// file for the method.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { buildAbRows, formatAbTable } from './ab/ab-table.js'
import { startBaseTwin } from './ab/base-twin-process.js'
import { describeTwins, inRoundOrder, isBaseTwin, withBaseTwins } from './ab/base-twin-scenarios.js'
import { openBaseline } from './ab/baseline-build.js'
import { readConfig } from './config.js'
import { choosePinning } from './cpu-pinning.js'
import { createFixture, tokensFileOf } from './fixture.js'
import { startForwardAuthStacks } from './forward-auth/forward-auth-stacks.js'
import { findNginx, nginxInstallHint } from './forward-auth/nginx-process.js'
import { type ForwardAuthStack, isForwardAuthStack } from './forward-auth/stack-names.js'
import { defaultRunIds } from './frameworks/framework-scenarios.js'
import { formatFrameworksTable } from './frameworks/frameworks-table.js'
import type { LoadSummary } from './load.js'
import { LoadGenerator } from './load-generator.js'
import {
  buildRows,
  clientOverhead,
  formatForwardAuthTable,
  formatLoadTable,
  formatMicroTable,
  type MicroResult,
  type ScenarioRounds,
} from './report.js'
import { withSameProcessBaselines } from './same-process-baselines.js'
import type { LoadRequest, Scenario } from './scenario.js'
import { scenarios } from './scenarios.js'
import { cpuTimeOf } from './server-cpu.js'
import { type RunningServer, startServer } from './server-process.js'
import { benchDirectory, forkScript, nextMessage } from './ts-process.js'
import { limitStoreScenarios, limitsRunIds } from './usage-limits/limit-store-scenarios.js'

const config = readConfig(process.argv.slice(2), process.env)
const baseline = config.ab ? openBaseline(config.ab) : undefined
const started = Date.now()
const log = (message: string): void => {
  console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`)
}

// Everything is bounded: a run that overruns this is stopped, children included.
const deadline = (config.quick ? 5 : 15) * 60_000
setTimeout(() => {
  log(`The run took more than ${deadline / 60_000} minutes; stopping.`)
  process.exit(3)
}, deadline).unref()

log(
  `${config.quick ? 'Quick' : 'Full'} run: ${config.rounds} rounds × ${config.duration} s per scenario, ` +
    `${config.connections} connections, ${cpus().length} CPUs, load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
)
const fixtureStarted = performance.now()
const { fixture, path: fixturePath } = await createFixture(config.tokenCount)
log(`Issued ${config.tokenCount} tokens in ${((performance.now() - fixtureStarted) / 1000).toFixed(1)} s`)

const pinning = choosePinning(config.pin)
// `bench:limits` (`--limits`): a throwaway Postgres and redis-server, stopped in `finally` below.
const limitStores = config.limits
  ? await (await import('./usage-limits/limit-stores.js')).startLimitStores({
      fixture,
      fixturePath,
      cpu: pinning?.server,
      log,
    })
  : undefined
const limitRows = limitStores ? limitStoreScenarios(limitStores.urls, fixture) : []
const all = withSameProcessBaselines([...scenarios(fixture), ...limitRows])
const only = config.only ?? (limitStores ? limitsRunIds(limitRows) : defaultRunIds(all, config.frameworks))
const asked = withWhatTheyNeed(all, only)
// `pnpm bench` stays usable without nginx (and without root to install it): its rows are left out, said so.
const nginx = asked.some((scenario) => isForwardAuthStack(scenario.server)) ? findNginx() : undefined
const reachable = nginx && 'problem' in nginx ? asked.filter((scenario) => !isForwardAuthStack(scenario.server)) : asked
const selected = baseline ? withBaseTwins(reachable) : reachable
if (baseline) log(describeTwins(baseline, selected))
if (nginx && 'problem' in nginx) {
  log(`Skipping the forward-auth rows: ${nginx.problem}; ${nginxInstallHint} to measure them.`)
  if (selected.length === 0) {
    await limitStores?.stop()
    rmSync(fixture.directory, { recursive: true, force: true })
    process.exit(1)
  }
}

const servers = new Map<Scenario['server'], RunningServer>()
log(pinning ? `Servers on CPU ${pinning.server}, load generator on CPU ${pinning.load}` : 'Processes not pinned')
const load = new LoadGenerator(pinning?.load)
process.on('SIGINT', () => process.exit(130))

try {
  const stacks: ForwardAuthStack[] = []
  for (const name of new Set(selected.map((scenario) => scenario.server))) {
    if (isForwardAuthStack(name)) stacks.push(name)
    else if (isBaseTwin(name)) servers.set(name, await startBaseTwin(name, fixturePath, baseline, pinning?.server))
    else servers.set(name, await startServer(name, fixturePath, [], pinning?.server))
  }
  if (stacks.length > 0 && nginx && !('problem' in nginx)) {
    const options = { stacks, nginx, fixture, fixturePath, cpu: pinning?.server }
    for (const [name, stack] of await startForwardAuthStacks(options)) servers.set(name, stack)
  }
  log(`Started ${servers.size} servers`)
  for (const scenario of selected) await checkAnswer(scenario)

  const measure = async (scenario: Scenario, duration: number): Promise<LoadSummary> => {
    const pids = servers.get(scenario.server)?.pids ?? []
    const before = cpuTimeOfAll(pids)
    const summary = await load.run({
      scenario: scenario.id,
      port: portOf(scenario),
      request: requestOf(scenario),
      duration,
      connections: config.connections,
      tokensFile: tokensFileOf(fixture, scenario.request),
    })
    const after = cpuTimeOfAll(pids)
    if (before === undefined || after === undefined || summary.total === 0) return summary
    return { ...summary, serverCpuPerRequest: (after - before) / summary.total }
  }

  for (const scenario of selected) await measure(scenario, config.warmup)
  log('Warmed up')

  const results: ScenarioRounds[] = selected.map((scenario) => ({ scenario, rounds: [] }))
  for (let round = 0; round < config.rounds; round++) {
    let previousServer: Scenario['server'] | undefined
    for (const result of inRoundOrder(results, round)) {
      let summary: LoadSummary | undefined
      try {
        // A process that sat idle while the others were measured starts slower (its heap shrunk, its
        // code and data cold): its first scenario of the round runs unrecorded for a moment first.
        if (result.scenario.server !== previousServer && config.settle > 0)
          await measure(result.scenario, config.settle)
        previousServer = result.scenario.server
        summary = await measure(result.scenario, config.duration)
      } catch (error) {
        log(`${result.scenario.id} failed in round ${round + 1}: ${String(error)}`)
      }
      ;(result.rounds as (LoadSummary | undefined)[]).push(summary)
    }
    log(`Round ${round + 1} of ${config.rounds} done`)
  }
  await stopAll()

  const micro = config.micro ? await runMicro() : []
  // A quick run is a smoke test: 1 s measurements are too short to judge a target by.
  const rows = buildRows(results, { judge: !config.quick && !baseline }) // A/B mode judges no targets
  const abRows = buildAbRows(results)
  const abTable = baseline ? formatAbTable(abRows, baseline) : ''
  const loadTable = formatLoadTable(rows)
  const forwardAuthTable = formatForwardAuthTable(rows)
  const frameworksTable = formatFrameworksTable(rows)
  const microTable = micro.length > 0 ? formatMicroTable(micro) : ''
  const client = clientOverhead(micro)
  const environment = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    loadAverageAtEnd: loadavg(),
    quick: config.quick,
    rounds: config.rounds,
    duration: config.duration,
    connections: config.connections,
    pinning: pinning ?? null,
    nginx: nginx && !('problem' in nginx) ? nginx.version : null,
    ab: baseline ?? null,
  }
  const placement = pinning ? `, servers pinned to CPU ${pinning.server} and load to CPU ${pinning.load}` : ''
  const markdown = [
    `Measured ${environment.date.slice(0, 10)}, Node ${environment.node}, ${environment.cpus} × ${environment.cpu}, ` +
      `${config.rounds} rounds × ${config.duration} s, ${config.connections} connections${placement}${config.quick ? ' (quick mode)' : ''}.`,
    ...(loadTable ? ['', loadTable] : []),
    ...(abTable ? ['', abTable] : []),
    ...(forwardAuthTable
      ? [
          '',
          `Forward auth: ${environment.nginx}, one worker; nginx, the decision endpoint and the backend` +
            `${pinning ? ` all on CPU ${pinning.server}` : ''}; server CPU is nginx's, the decision endpoint's and the backend's together.`,
          '',
          forwardAuthTable,
        ]
      : []),
    ...(frameworksTable
      ? [
          '',
          'Frameworks: req/s is bounded by the load generator, so the judged figure is the server CPU per request ' +
            'each row adds over the no-auth route of its own process, measured in the same round (median over rounds).',
          '',
          frameworksTable,
        ]
      : []),
    ...(microTable ? ['', microTable] : []),
    ...(client ? ['', client] : []),
    '',
  ].join('\n')

  const resultsDirectory = join(benchDirectory, 'results')
  mkdirSync(resultsDirectory, { recursive: true })
  // Rounds by scenario id only: the requests carry the (throwaway) key's credentials and tokens.
  const rounds = results.map(({ scenario, rounds }) => ({ scenario: scenario.id, rounds }))
  const json = JSON.stringify({ environment, rows, ab: abRows, rounds, micro }, null, 2)
  writeFileSync(join(resultsDirectory, `${environment.date.replaceAll(':', '-')}.json`), json)
  writeFileSync(join(resultsDirectory, 'latest.json'), json)
  writeFileSync(join(resultsDirectory, 'latest.md'), markdown)
  console.log(`\n${markdown}`)
  log(`Wrote bench/results/latest.md and latest.json in ${((Date.now() - started) / 1000).toFixed(0)} s`)
} finally {
  await stopAll()
  await limitStores?.stop()
  rmSync(fixture.directory, { recursive: true, force: true })
}

/** The scenarios asked for by id, and every scenario their ratios and targets are measured against. */
function withWhatTheyNeed(scenarios: readonly Scenario[], ids: readonly string[]): Scenario[] {
  const byId = new Map(scenarios.map((scenario) => [scenario.id, scenario]))
  const needed = new Set<string>()
  const pending = [...ids]
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    const scenario = byId.get(id)
    if (!scenario || needed.has(id)) continue
    needed.add(id)
    pending.push(scenario.baseline, ...(scenario.sameProcess ? [scenario.sameProcess] : []))
    for (const target of scenario.targets ?? []) pending.push(target.against)
  }
  return scenarios.filter((scenario) => needed.has(scenario.id))
}

/** The scenario's request as sent: with the server's own issued token where it asks for it. */
function requestOf(scenario: Scenario): LoadRequest {
  const { issuedToken, ...request } = scenario.request
  if (!issuedToken) return request
  const token = servers.get(scenario.server)?.issuedToken
  if (!token) throw new Error(`The ${scenario.server} server issued no token for ${scenario.id}.`)
  return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } }
}

/** The CPU time of every process of a server together, in µs; `undefined` if any cannot be read. */
function cpuTimeOfAll(pids: readonly number[]): number | undefined {
  let total = 0
  for (const pid of pids) {
    const used = cpuTimeOf(pid)
    if (used === undefined) return undefined
    total += used
  }
  return pids.length > 0 ? total : undefined
}

function portOf(scenario: Scenario): number {
  const server = servers.get(scenario.server)
  if (!server) throw new Error(`The ${scenario.server} server is not running.`)
  return server.port
}

/** One request before any load, so a misconfigured scenario fails at once and says why. */
async function checkAnswer(scenario: Scenario): Promise<void> {
  const { method, path, headers = {}, body, rotateTokens } = requestOf(scenario)
  const response = await fetch(`http://127.0.0.1:${portOf(scenario)}${path}`, {
    method,
    headers: rotateTokens
      ? { ...headers, authorization: `Bearer ${rotateTokens === 'forged' ? fixture.forgedToken : fixture.token}` }
      : headers,
    ...(body ? { body } : {}),
  })
  const text = await response.text()
  const expected = scenario.firstStatus ?? scenario.expectedStatus
  if (response.status !== expected) {
    throw new Error(`${scenario.id} answered ${response.status}, not ${expected}: ${text.slice(0, 300)}`)
  }
  if (scenario.answerHeader && !response.headers.has(scenario.answerHeader)) {
    throw new Error(`${scenario.id} answered without ${scenario.answerHeader}: the request was not counted.`)
  }
}

async function stopAll(): Promise<void> {
  await load.close()
  await Promise.all([...servers.values()].map((server) => server.stop()))
  servers.clear()
}

/** Runs micro/index.ts in its own process, so the load scenarios' heap and JIT state play no part. */
async function runMicro(): Promise<MicroResult[]> {
  log('Micro-benchmarks')
  const output = join(fixture.directory, 'micro.json')
  const child = forkScript('micro/index.ts', { BENCH_MICRO_OUT: output, ...(config.quick ? { BENCH_QUICK: '1' } : {}) })
  try {
    await nextMessage(child, 5 * 60_000, (message): message is 'done' => message === 'done')
    return JSON.parse(readFileSync(output, 'utf8')) as MicroResult[]
  } catch (error) {
    log(`The micro-benchmarks failed: ${String(error)}`)
    child.kill('SIGKILL')
    return []
  }
}
