import { isForwardAuthStack } from '../forward-auth/stack-names.js'
import type { BaseTwinServer, Scenario, ServerName } from '../scenario.js'
import type { BaselineBuild } from './baseline-build.js'
import { latchkeyImportsOf } from './latchkey-imports.js'

const suffix = '@base'

/** Whether `server` names a server's A/B twin rather than a server or a forward-auth stack. */
export function isBaseTwin(server: string): server is BaseTwinServer {
  return server.endsWith(suffix)
}

/** The server whose file a twin runs. */
export function twinnedServer(twin: BaseTwinServer): ServerName {
  return twin.slice(0, -suffix.length) as ServerName
}

/** The id of a scenario's twin. */
export function twinIdOf(id: string): string {
  return `${id}${suffix}`
}

/**
 * The scenarios with, right after each one whose server `isTwinned` accepts (by default, one whose file
 * imports `@latchkey/*`: see {@link latchkeyImportsOf}), its twin `<id>@base`: the same request to the
 * same server file on the baseline build, in a process of its own. A twin's
 * references (`baseline`, `sameProcess`) served by the same process are the twins of those references,
 * so each build's rows are divided by its own process's no-auth route; the others (the separate no-auth
 * server) stay shared. Twins have no targets: A/B mode compares builds, it judges nothing. Forward-auth
 * stacks get no twin: `latchkey serve` runs the built CLI, which no resolve hook reaches.
 */
export function withBaseTwins(
  scenarios: readonly Scenario[],
  isTwinned: (server: ServerName) => boolean = (server) => latchkeyImportsOf(server).length > 0,
): Scenario[] {
  const twinned = (scenario: Scenario): scenario is Scenario & { server: ServerName } =>
    !isForwardAuthStack(scenario.server) && !isBaseTwin(scenario.server) && isTwinned(scenario.server)
  const byId = new Map(scenarios.map((scenario) => [scenario.id, scenario]))
  return scenarios.flatMap((scenario) => {
    if (!twinned(scenario)) return [scenario]
    const referenceOf = (id: string): string => (byId.get(id)?.server === scenario.server ? twinIdOf(id) : id)
    const { targets: _, ...rest } = scenario
    const twin: Scenario = {
      ...rest,
      id: twinIdOf(scenario.id),
      label: `${scenario.label}, base`,
      server: `${scenario.server}${suffix}`,
      baseline: referenceOf(scenario.baseline),
      ...(scenario.sameProcess ? { sameProcess: referenceOf(scenario.sameProcess) } : {}),
    }
    return [scenario, twin]
  })
}

/**
 * One round's order: as given in even rounds; in odd rounds each scenario and its twin swap places
 * (B A instead of A B), so that neither build always runs first, on a process the other just left.
 */
export function inRoundOrder<T extends { readonly scenario: Pick<Scenario, 'id'> }>(
  results: readonly T[],
  round: number,
): T[] {
  const ordered = [...results]
  if (round % 2 === 0) return ordered
  for (let index = 0; index + 1 < ordered.length; index++) {
    const [first, second] = [ordered[index], ordered[index + 1]]
    if (first && second && second.scenario.id === twinIdOf(first.scenario.id)) {
      ordered[index] = second
      ordered[index + 1] = first
      index++
    }
  }
  return ordered
}

/** The line the run logs once the twins are chosen. */
export function describeTwins(baseline: BaselineBuild, scenarios: readonly Scenario[]): string {
  const twins = scenarios.filter((scenario) => isBaseTwin(scenario.server)).length
  return `A/B against ${baseline.directory} (${baseline.commit ?? 'commit unknown'}): ${twins} scenarios measured on both builds`
}
