import { describe, expect, it } from 'vitest'
import { busyMicroseconds, origin, summarize } from '../src/cpu-profile.js'

describe('origin', () => {
  it('names the package a frame comes from', () => {
    expect(origin('file:///w/node_modules/.pnpm/express@5/node_modules/express/lib/router.js', 'x')).toBe('express')
    expect(origin('file:///w/node_modules/@noble/hashes/sha2.js', 'x')).toBe('@noble/hashes')
  })

  it('names Latchkey packages by their folder', () => {
    expect(origin('file:///w/packages/verifier/dist/index.js', 'x')).toBe('@latchkey/verifier')
  })

  it('keeps V8 pseudo-frames as they are', () => {
    expect(origin('', '(garbage collector)')).toBe('(garbage collector)')
  })
})

describe('summarize', () => {
  it('leaves idle time out of the shares', () => {
    const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 })
    const { origins } = summarize({
      nodes: [
        { id: 1, callFrame: frame('(idle)'), hitCount: 100 },
        { id: 2, callFrame: frame('writev'), hitCount: 30 },
        { id: 3, callFrame: frame('parse', 'node:internal/url'), hitCount: 10 },
      ],
    })
    expect(origins).toEqual([
      { name: '(native)', percent: 75 },
      { name: 'node internals', percent: 25 },
    ])
  })
})

describe('busyMicroseconds', () => {
  const frame = (functionName: string) => ({ functionName, url: '', lineNumber: 0 })
  it('counts the non-idle samples at the mean sampling interval', () => {
    const busy = busyMicroseconds({
      nodes: [
        { id: 1, callFrame: frame('(idle)'), hitCount: 6 },
        { id: 2, callFrame: frame('writev'), hitCount: 3 },
        { id: 3, callFrame: frame('(program)'), hitCount: 1 },
      ],
      startTime: 1_000,
      endTime: 2_000,
      samples: Array.from({ length: 10 }, () => 1),
    })
    expect(busy).toBe(300)
  })

  it('is NaN for a profile without timing', () => {
    expect(busyMicroseconds({ nodes: [] })).toBeNaN()
  })
})
