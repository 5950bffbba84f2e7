/**
 * `compute` with its results remembered by key, forgotten all at once when `capacity` is reached.
 * For values that cost more to compute than to look up (an address's network, a stored hash's
 * bytes, a fixed answer) and whose keys an attacker may vary: the bound keeps memory flat, and
 * clearing is cheaper than keeping an order on a path every request takes.
 */
export function memoize<V>(capacity: number, compute: (key: string) => V): (key: string) => V {
  const known = new Map<string, V>()
  return (key) => {
    let value = known.get(key)
    if (value === undefined && !known.has(key)) {
      value = compute(key)
      if (known.size >= capacity) known.clear()
      known.set(key, value)
    }
    return value as V
  }
}
