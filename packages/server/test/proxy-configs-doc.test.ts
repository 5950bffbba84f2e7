import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { caddyConfig, DOC_TARGETS, nginxConfig } from './proxy-configs.js'

// docs/gateway.md shows the nginx and Caddy configs the real-proxy tests run, so the two cannot drift:
// each block follows a marker naming the function that generates it.

const doc = readFileSync(new URL('../../../docs/gateway.md', import.meta.url), 'utf8')

/** The fenced block right after `<!-- packages/server/test/proxy-configs.ts: NAME -->`, or `undefined`. */
function quoted(name: string): string | undefined {
  const marker = `<!-- packages/server/test/proxy-configs.ts: ${name} -->\n`
  const start = doc.indexOf(marker)
  if (start === -1) return undefined
  const match = /^```[a-z]+\n([\s\S]*?)^```$/m.exec(doc.slice(start + marker.length))
  return match?.[1]
}

describe('docs/gateway.md', () => {
  it('quotes the nginx config the tests run, for its placeholder addresses', () => {
    expect(quoted('nginxConfig')).toBe(nginxConfig(DOC_TARGETS.nginxListen, DOC_TARGETS))
  })

  it('quotes the Caddy config the tests run, for its placeholder addresses', () => {
    expect(quoted('caddyConfig')).toBe(caddyConfig(DOC_TARGETS.caddySite, DOC_TARGETS))
  })
})
