/** A piece of SQL and the values of its placeholders; values only ever travel as parameters (DESIGN.md "Read model"). */
export interface SqlFragment {
  readonly sql: string;
  readonly params: readonly unknown[];
  /**
   * A condition that reads values out of the jsonb document of each row it is tested on (no index serves it):
   * a search then tests it once per row, not once for the total and again for the page (buildSearchStatements).
   */
  readonly readsDocuments?: boolean;
}

/** Hands out placeholders `$n` from `firstParam` on, collecting their values in order. */
export class SqlParameters {
  private readonly collected: unknown[] = [];

  constructor(private readonly firstParam: number) {
    if (!Number.isInteger(firstParam) || firstParam < 1) throw new Error(`firstParam must be a positive integer, got ${firstParam}`);
  }

  /** The placeholder for `value`, with a cast so the server never has to guess the type of an untyped parameter. */
  add(value: string | number | boolean, sqlType: 'text' | 'numeric' | 'boolean' | 'bigint' | 'uuid'): string {
    this.collected.push(typeof value === 'number' ? String(value) : value);
    return `$${this.firstParam + this.collected.length - 1}::${sqlType}`;
  }

  get values(): readonly unknown[] {
    return [...this.collected];
  }
}

/**
 * A jsonb key as an SQL string literal. Keys come only from the schema registry (canonical attribute names and
 * schema URNs, i.e. code and configuration), never from the client's text; still, anything that could end the
 * literal or change its meaning is refused rather than escaped, so a misconfigured schema fails loudly.
 */
export function jsonKeyLiteral(name: string): string {
  if (!/^[\x21-\x7e]+$/.test(name) || name.includes("'") || name.includes('\\')) {
    throw new Error(`attribute or schema name ${JSON.stringify(name)} cannot be used as a jsonb key`);
  }
  return `'${name}'`;
}

/** Escapes LIKE's wildcards and its escape character (backslash, PostgreSQL's default and ours) in a literal. */
export function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
