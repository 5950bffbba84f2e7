import { describe, expect, it } from 'vitest'
import { listenFailureMessage } from './server-startup.js'

const address = { host: '127.0.0.1', port: 80 }
const failure = (code: string): Error => Object.assign(new Error(`listen ${code}`), { code })

describe('listenFailureMessage', () => {
  it.each([
    ['EADDRINUSE', 'latchkey: port 80 on 127.0.0.1 is in use; set PORT to another port (or stop what listens there).'],
    [
      'EACCES',
      'latchkey: port 80 on 127.0.0.1 is not open to this process; set PORT to a port above 1023 (lower ones need privileges).',
    ],
    [
      'EADDRNOTAVAIL',
      'latchkey: 127.0.0.1 is not an address of this machine; set HOST to one that is, such as 127.0.0.1 (or 0.0.0.0 for every interface).',
    ],
  ])('says in one line which setting fixes %s', (code, line) => {
    expect(listenFailureMessage(failure(code), address)).toBe(line)
  })

  it('leaves any other error to be thrown', () => {
    expect(listenFailureMessage(failure('EMFILE'), address)).toBeUndefined()
    expect(listenFailureMessage('not an error', address)).toBeUndefined()
  })
})
