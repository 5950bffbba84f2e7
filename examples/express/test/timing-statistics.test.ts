import { describe, expect, it } from 'vitest'
import { crop, median, welchT } from './timing-statistics.js'

describe('timing statistics', () => {
  it('crops the slowest 5 %', () => {
    const samples = Array.from({ length: 100 }, (_, index) => 100 - index)
    expect(crop(samples)).toEqual(Array.from({ length: 95 }, (_, index) => index + 1))
  })

  it('computes medians of odd and even samples', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })

  it('gives a small t for samples of one distribution and a large one for shifted samples', () => {
    const noise = (seed: number) => Array.from({ length: 2000 }, (_, index) => Math.sin(index * seed) * 10 + 100)
    expect(Math.abs(welchT(noise(1.1), noise(1.3)))).toBeLessThan(4.5)
    expect(
      Math.abs(
        welchT(
          noise(1.1),
          noise(1.3).map((value) => value + 3),
        ),
      ),
    ).toBeGreaterThan(10)
  })
})
