import { COMMON_OPTIONS_HELP, defineCommand } from '../command.js'
import { printUsageReport, USAGE_REPORT_HELP, usageReportOptions } from './usage-report.js'

const path = 'latchkey accounts usage'

/** `latchkey accounts usage` */
export const accountUsage = defineCommand({
  path,
  summary: "Show an account's requests per hour and outcome, all its keys together",
  usage: `Usage: latchkey accounts usage ACCOUNT_ID [--since DURATION] [--json]

Shows how many requests the account's keys made per hour, by outcome, summed over its keys, and
their total; "latchkey keys usage KEY_ID" shows one key's.
${USAGE_REPORT_HELP}
${COMMON_OPTIONS_HELP}
`,
  options: usageReportOptions,
  positionals: ['ACCOUNT_ID'],
  async run({ positionals: [id = ''], values, databaseUrl, io }) {
    await printUsageReport({
      path,
      values,
      databaseUrl,
      io,
      read: (manager, since) => manager.accountUsage(id, { since }),
    })
  },
})
