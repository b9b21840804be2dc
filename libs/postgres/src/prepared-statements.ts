import { createHash } from 'node:crypto';

const names = new Map<string, string>();

/**
 * The name of a named prepared statement for `text`: the same for the same text in every connection and process
 * (pg refuses one name for two texts on a connection; PGlite's wire server shares a name between connections only
 * for the same text). Statements that run on every request use it, so each connection parses and plans them once.
 */
export function preparedStatementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `stmt_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}
