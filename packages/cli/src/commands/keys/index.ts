import type { CommandGroup } from '../../command.js'
import { create } from './create.js'
import { importKey } from './import.js'
import { list } from './list.js'
import { rotate } from './rotate.js'
import { show } from './show.js'
import { disable, enable, revoke } from './status.js'
import { update } from './update.js'
import { usage } from './usage.js'

/** `latchkey keys …` */
export const keys: CommandGroup = {
  summary: 'Create, import, update, rotate, list, disable, enable and revoke API keys, and show their usage',
  usage: `Usage: latchkey keys COMMAND [OPTIONS]

Commands:
  create --account ACCOUNT_ID [--name NAME] [--description TEXT] [--scope "SCOPE ..."]
         [--expires-in DURATION | --expires-at ISO8601] [--meta KEY=VALUE]...
         [--rate-limit COUNT/WINDOW]... [--credits N] [--refill N/day|N/month] [--out FILE [--force]] [--json]
                                          ${create.summary}
  import --account ACCOUNT_ID (--from FILE | --id KEY_ID (--secret-stdin | --secret-hash HASH))
         [--name NAME] [--description TEXT] [--scope "SCOPE ..."]
         [--expires-in DURATION | --expires-at ISO8601] [--meta KEY=VALUE]... [--json]
                                          ${importKey.summary}
  update KEY_ID [--name NAME] [--description TEXT] [--scope "SCOPE ..."]
         [--expires-in DURATION | --expires-at ISO8601 | --no-expiry] [--meta KEY=VALUE]... [--unset-meta KEY]...
         [--rate-limit COUNT/WINDOW... | --no-rate-limit] [--credits N] [--refill N/day|N/month | --no-refill]
         [--no-credits]
                                          ${update.summary}
  rotate KEY_ID [--overlap DURATION] [--out FILE [--force]] [--json]
                                          ${rotate.summary}
  list [--account ACCOUNT_ID] [--expiring-within DURATION] [--json]
                                          ${list.summary}
  show KEY_ID [--json]                    ${show.summary}
  disable KEY_ID                          ${disable.summary}
  enable KEY_ID                           ${enable.summary}
  revoke KEY_ID                           ${revoke.summary}
  usage KEY_ID [--since DURATION] [--json]
                                          ${usage.summary}

DURATION is a whole number and a unit: 90s, 15m, 24h, 30d. COUNT/WINDOW is a number of requests
per a window of a whole number and s, m, h or d: 10/1s, 1000/1h, 100/m.

Run "latchkey keys COMMAND --help" for a command's options.
`,
  commands: { create, import: importKey, update, rotate, list, show, disable, enable, revoke, usage },
}
