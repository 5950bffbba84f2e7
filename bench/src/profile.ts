// `pnpm --filter @latchkey/bench cpu-profile <scenario-id>`: runs one load scenario against its server
// started with `--cpu-prof`, then prints where the server's CPU time went (self time by package and
// by function, idle excluded). The .cpuprofile stays in bench/results/ for Chrome DevTools.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { isBaseTwin } from './ab/base-twin-scenarios.js'
import { busyMicroseconds, type CpuProfile, summarize } from './cpu-profile.js'
import { createFixture, tokensFileOf } from './fixture.js'
import { isForwardAuthStack } from './forward-auth/stack-names.js'
import { LoadGenerator } from './load-generator.js'
import { withSameProcessBaselines } from './same-process-baselines.js'
import { scenarios } from './scenarios.js'
import { startServer } from './server-process.js'
import { benchDirectory } from './ts-process.js'

const id = process.argv[2]
const duration = Number(process.argv.find((arg) => arg.startsWith('--duration='))?.split('=')[1] ?? 8)
const { fixture, path } = await createFixture(12_000)
// The same-process references too (`express-get@latchkey-express`), to compare a scenario with its own process's no-auth route.
const all = withSameProcessBaselines(scenarios(fixture))
const scenario = all.find((candidate) => candidate.id === id)
if (!scenario) {
  console.error(`Usage: profile <scenario>; one of: ${all.map((s) => s.id).join(', ')}`)
  process.exit(1)
}
if (isForwardAuthStack(scenario.server) || isBaseTwin(scenario.server)) {
  console.error(`${scenario.id} runs nginx in front of several processes; profile a Node server's scenario instead.`)
  process.exit(1)
}
const directory = join(benchDirectory, 'results', 'profiles', `${scenario.id}-${Date.now()}`)
mkdirSync(directory, { recursive: true })
const server = await startServer(scenario.server, path, ['--cpu-prof', `--cpu-prof-dir=${directory}`])
const load = new LoadGenerator()
const job = { scenario: scenario.id, port: server.port, request: scenario.request, connections: 10 }
const tokensFile = tokensFileOf(fixture, scenario.request)
const warmup = await load.run({ ...job, duration: 2, tokensFile })
const summary = await load.run({ ...job, duration, tokensFile })
await load.close()
await server.stop()
rmSync(fixture.directory, { recursive: true, force: true })

// tsx's loader runs in a worker thread with its own profile: the server's is the largest.
const file = readdirSync(directory)
  .filter((name) => name.endsWith('.cpuprofile'))
  .sort((a, b) => statSync(join(directory, b)).size - statSync(join(directory, a)).size)[0]
if (!file) throw new Error(`No profile was written to ${directory}.`)
const profile = JSON.parse(readFileSync(join(directory, file), 'utf8')) as CpuProfile
const { origins, functions } = summarize(profile)
// Requests served while the profile ran: the warm-up's and the measured run's. The process's start-up
// is in the profile too, spread over them: about the same for two scenarios of one server.
const perRequest = busyMicroseconds(profile) / (warmup.total + summary.total)
const line = (share: { percent: number; name: string }): string =>
  `${share.percent.toFixed(1).padStart(6)} %  ${((share.percent / 100) * perRequest).toFixed(2).padStart(7)} µs  ${share.name}`
console.log(`${scenario.label}: ${summary.requestsPerSecond.toFixed(0)} req/s under the profiler`)
console.log(`${perRequest.toFixed(1)} µs of busy CPU per request`)
console.log('\nSelf time by origin (% of busy samples, µs per request):')
for (const share of origins.slice(0, 12)) console.log(line(share))
console.log('\nTop functions by self time:')
for (const share of functions) console.log(line(share))
console.log(`\nProfile: ${join(directory, file)}`)
