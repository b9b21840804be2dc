/**
 * TypeORM's postgres driver answers `dataSource.query` of an UPDATE or DELETE with `[rows, affectedCount]`, and of
 * a SELECT or INSERT with the rows alone; this gives the rows of either.
 */
export function updatedRows<Row extends object>(answer: unknown): Row[] {
  if (Array.isArray(answer) && answer.length === 2 && Array.isArray(answer[0]) && typeof answer[1] === 'number') return answer[0] as Row[];
  return answer as Row[];
}
