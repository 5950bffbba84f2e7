/** The `SET` list of an UPDATE and its values, `$1` onwards. */
export interface SetClause {
  readonly text: string
  readonly values: readonly unknown[]
}

/**
 * The `SET` list that changes each column whose value is not `undefined`, or `undefined` when no
 * column changes. Column names come from the store's code, never from a caller.
 */
export function setClause(columns: ReadonlyArray<readonly [column: string, value: unknown]>): SetClause | undefined {
  const changed = columns.filter(([, value]) => value !== undefined)
  if (changed.length === 0) return undefined
  return {
    text: changed.map(([column], index) => `${column} = $${index + 1}`).join(', '),
    values: changed.map(([, value]) => value),
  }
}
