import { describe, expect, it } from 'vitest'
import { workerPids } from '../src/forward-auth/nginx-process.js'

describe('workerPids', () => {
  it('reads the workers from the notices, not from the line announcing them', () => {
    // nginx 1.22 on stderr; the two lines may come in separate chunks.
    const output = [
      '2026/12/02 09:21:00 [notice] 25545#25545: start worker processes',
      '2026/12/02 09:21:00 [notice] 25545#25545: start worker process 25546',
      '',
    ].join('\n')
    expect(workerPids(output.split('\n')[0] ?? '')).toEqual([])
    expect(workerPids(output)).toEqual([25546])
  })
})
