import { COMMON_OPTIONS_HELP, defineCommand } from '../../command.js'
import { printUsageReport, USAGE_REPORT_HELP, usageReportOptions } from '../usage-report.js'

const path = 'latchkey keys usage'

/** `latchkey keys usage` */
export const usage = defineCommand({
  path,
  summary: "Show a key's requests per hour and outcome",
  usage: `Usage: latchkey keys usage KEY_ID [--since DURATION] [--json]

Shows how many requests the key made per hour, by outcome, and their total.
${USAGE_REPORT_HELP}
${COMMON_OPTIONS_HELP}
`,
  options: usageReportOptions,
  positionals: ['KEY_ID'],
  async run({ positionals: [id = ''], values, databaseUrl, io }) {
    await printUsageReport({ path, values, databaseUrl, io, read: (manager, since) => manager.keyUsage(id, { since }) })
  },
})
