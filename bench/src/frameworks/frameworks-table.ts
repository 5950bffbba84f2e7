import type { CpuTargetCheck } from '../report/cpu-targets.js'
import { fixed, type ReportRow, range, warningsOf } from '../report.js'
import { type Framework, frameworks } from './framework-scenarios.js'

/**
 * The frameworks table (issue #22) as GitHub Markdown: per framework, its no-auth baselines, then each
 * row's req/s, server CPU per request, the CPU it adds over its own process's no-auth route (the judged
 * figure, since the load generator bounds req/s), and its CPU target. Empty without its rows.
 */
export function formatFrameworksTable(rows: readonly ReportRow[], order: readonly Framework[] = frameworks): string {
  const byId = new Map(rows.map((row) => [row.id, row]))
  const own = rows.filter((row) => row.table === 'frameworks' && !row.reference)
  if (own.length === 0) return ''
  const lines = [
    '| Frameworks | req/s, median (min–max) | server CPU µs/request | added CPU µs/request over own no-auth route, median (min–max) | added CPU ÷ target’s | Target |',
    '|---|---:|---:|---:|---:|---|',
  ]
  for (const framework of order) {
    const baselines = framework.baselines.flatMap((id) => byId.get(id) ?? [])
    const measured = own.filter((row) => framework.baselines.includes(row.baseline) && row.id !== row.baseline)
    if (measured.length === 0) continue
    lines.push(`| **${framework.name}** | | | | | |`)
    for (const row of [...baselines, ...measured]) {
      // node-post is measured against node-get in the load table; here it heads its framework as a baseline.
      const isBaseline = framework.baselines.includes(row.id)
      const added = isBaseline
        ? '–'
        : `${signed(row.addedCpu.median)} (${signed(row.addedCpu.min)} to ${signed(row.addedCpu.max)})`
      lines.push(
        `| ${row.label}${warningsOf(row, 'less CPU than its own no-auth route')} | ${range(row.rate, 0)} | ${fixed(row.serverCpu.median, 1)} | ${added} | ${row.cpuTargets.map((target) => fixed(target.ratio, 2)).join('<br>')} | ${formatCpuTargets(row.cpuTargets)} |`,
      )
    }
  }
  return lines.join('\n')
}

/** A CPU figure with its sign, one decimal. */
const signed = (value: number): string =>
  Number.isFinite(value) && value >= 0 ? `+${fixed(value, 1)}` : fixed(value, 1)

function formatCpuTargets(targets: readonly CpuTargetCheck[]): string {
  return targets
    .map(
      (target) =>
        `${target.judged ? (target.met ? '✅' : '❌') : '⚠ not judged,'} ≤ ${target.addedCpuAtMost} × ${target.against} (${signed(target.added)} µs vs ${signed(target.againstAdded)} µs)`,
    )
    .join('<br>')
}
