import * as http from 'node:http'
import { expect, it } from 'vitest'
import { basic, wrongAt } from './harness.js'
import { compareTimings, crop } from './timing-statistics.js'

/**
 * Timing uniformity, measured from outside over loopback against a real server process: classes of
 * requests interleaved at random, the warm-up dropped, the slowest 5 % of each class cropped. The CI
 * variant (1,000 samples a class) fails when the medians differ by 100 µs or more and Welch's |t| is
 * at least 4.5: an extra store query or a slow hash on one path only shifts the whole distribution and
 * shows in both, while scheduler noise on a busy 2-core machine can move a median alone (bimodal
 * samples, t near 0; seen once in CI at 104 µs, t = -0.59). The long variant (LATCHKEY_TIMING=long, 5,000 a class) applies dudect's
 * threshold: |t| < 4.5.
 */
export const long = process.env.LATCHKEY_TIMING === 'long'
export const perClass = long ? 5000 : 1000
const warmUp = long ? 500 : 200

/** One request of a class; every one must be answered 401. */
export interface Probe {
  readonly path: string
  readonly method: 'GET' | 'POST'
  readonly headers: Record<string, string>
  readonly body?: string
}

/** Times probes against one server, over one kept-alive connection. */
export class TimingProbe {
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  readonly #base: () => string

  /** `base` gives the server's URL when measuring starts (the server may not be up yet). */
  constructor(base: () => string) {
    this.#base = base
  }

  /** The classes interleaved in random order, so drift and noise hit them alike; returns µs per class. */
  async measure(classes: Record<string, Probe>): Promise<Record<string, number[]>> {
    const names = Object.keys(classes)
    const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]))
    const schedule = names.flatMap((name) => Array<string>(perClass + warmUp).fill(name))
    for (let index = schedule.length - 1; index > 0; index--) {
      const other = Math.floor(Math.random() * (index + 1))
      ;[schedule[index], schedule[other]] = [schedule[other] as string, schedule[index] as string]
    }
    const seen: Record<string, number> = {}
    for (const name of schedule) {
      const duration = await this.#timeOnce(classes[name] as Probe)
      seen[name] = (seen[name] ?? 0) + 1
      if ((seen[name] ?? 0) > warmUp) samples[name]?.push(duration)
    }
    return samples
  }

  close(): void {
    this.#agent.destroy()
  }

  #timeOnce(probe: Probe): Promise<number> {
    return new Promise((resolve, reject) => {
      const url = new URL(probe.path, this.#base())
      const started = process.hrtime.bigint()
      const request = http.request(
        url,
        { method: probe.method, headers: probe.headers, agent: this.#agent },
        (response) => {
          response.resume()
          response.on('end', () => {
            if (response.statusCode !== 401) reject(new Error(`expected 401, got ${response.statusCode}`))
            else resolve(Number(process.hrtime.bigint() - started) / 1000)
          })
        },
      )
      request.on('error', reject)
      request.end(probe.body)
    })
  }
}

/** Asserts classes `a` and `b` of `samples` take the same time, by the variant's threshold. */
export function expectUniform(samples: Record<string, number[]>, a: string, b: string, label = ''): void {
  const first = crop(samples[a] ?? [])
  const second = crop(samples[b] ?? [])
  const { t, deltaMedian, differs } = compareTimings(first, second)
  console.log(`timing${label} ${a} vs ${b}: t = ${t.toFixed(2)}, Δmedian = ${deltaMedian.toFixed(1)} µs`)
  if (long) expect(Math.abs(t)).toBeLessThan(4.5)
  else expect(differs, `Δmedian ${deltaMedian.toFixed(1)} µs with t = ${t.toFixed(2)}`).toBe(false)
}

/** An id in the key format that no key has. */
export const unknownId = 'lk_000000000000000000000000'

/**
 * The cases every store must pass: an unknown id and a known id with a wrong secret answered in equal
 * time, with Basic and at the token endpoint. Call inside a `describe`; `key` is read when a case runs.
 */
export function unknownIdCases(probe: TimingProbe, key: () => { id: string; secret: string }, label = ''): void {
  it(`answers an unknown id and a known id with a wrong secret in equal time, with Basic (${perClass} a class)`, async () => {
    const { id, secret } = key()
    const wrong = wrongAt(secret, -1)
    const samples = await probe.measure({
      unknown: { path: '/api/test', method: 'GET', headers: { authorization: basic(unknownId, wrong) } },
      wrong: { path: '/api/test', method: 'GET', headers: { authorization: basic(id, wrong) } },
    })
    expectUniform(samples, 'unknown', 'wrong', label)
  }, 600_000)

  it('answers an unknown id and a known id with a wrong secret in equal time, at the token endpoint', async () => {
    const { id, secret } = key()
    const wrong = wrongAt(secret, -1)
    const request = (as: string): Probe => ({
      path: '/oauth/token',
      method: 'POST',
      headers: { authorization: basic(as, wrong), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    })
    const samples = await probe.measure({ unknown: request(unknownId), wrong: request(id) })
    expectUniform(samples, 'unknown', 'wrong', label)
  }, 600_000)
}
