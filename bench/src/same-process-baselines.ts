import type { Scenario } from './scenario.js'
import { noAuthPrefix } from './servers/no-auth-routes.js'

/**
 * Gives every scenario a no-auth reference served by its own process: its baseline's request, sent to
 * the no-auth routes every server mounts under {@link noAuthPrefix}. On a 2-core VM two Node processes
 * running the same code can differ by 30–40 % in CPU per request for a whole run, so a scenario divided
 * by another process's baseline measures the processes as much as the authentication; divided by its
 * own process's no-auth route it measures what the authentication adds. Each reference is inserted just
 * before the first scenario that uses it, so the rounds measure it next to them. A scenario that names
 * its own `sameProcess` (the forward-auth rows, against their always-200 floor) keeps it.
 */
export function withSameProcessBaselines(scenarios: readonly Scenario[]): Scenario[] {
  const byId = new Map(scenarios.map((scenario) => [scenario.id, scenario]))
  const added = new Set<string>()
  const result: Scenario[] = []
  for (const scenario of scenarios) {
    if (scenario.sameProcess) {
      result.push(scenario)
      continue
    }
    const baseline = byId.get(scenario.baseline)
    if (!baseline || baseline.server === scenario.server) {
      result.push({ ...scenario, sameProcess: scenario.baseline })
      continue
    }
    const id = `${baseline.id}@${scenario.server}`
    if (!added.has(id)) {
      added.add(id)
      result.push({
        id,
        label: `${baseline.label}, in the ${scenario.server} process`,
        server: scenario.server,
        request: { ...baseline.request, path: `${noAuthPrefix}${baseline.request.path}` },
        expectedStatus: baseline.expectedStatus,
        baseline: baseline.id,
        sameProcess: id,
        reference: true,
      })
    }
    result.push({ ...scenario, sameProcess: id })
  }
  return result
}
