import { describe, expect, it } from 'vitest'
import { compareTimings, crop, median, welchT } from './timing-statistics.js'

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

  it('finds a difference only when a shift moves both the median and the mean', () => {
    const noise = (seed: number) => Array.from({ length: 1000 }, (_, index) => Math.sin(index * seed) * 50 + 400)
    const shifted = compareTimings(
      noise(1.1),
      noise(1.3).map((value) => value + 120),
    )
    expect(shifted.deltaMedian).toBeGreaterThan(100)
    expect(shifted.differs).toBe(true)
    expect(compareTimings(noise(1.1), noise(1.3)).differs).toBe(false)
    // Two modes, 300 and 420 µs, mixed 51:49 and 49:51: the medians jump a mode, the means barely move.
    const modes = (low: number) => Array.from({ length: 1000 }, (_, index) => (index < low ? 300 : 420) + (index % 7))
    const bimodal = compareTimings(modes(510), modes(490))
    expect(bimodal.deltaMedian).toBeGreaterThan(100)
    expect(Math.abs(bimodal.t)).toBeLessThan(4.5)
    expect(bimodal.differs).toBe(false)
  })
})
