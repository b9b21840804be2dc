import pg from 'pg';

/**
 * `pool.query`, except that a statement's own failure keeps the connection. pg-pool's query() releases the client
 * with whatever error the query raised, and a client released with an error is closed: every version conflict the
 * append statement raises (ES409), every unique violation, cost a connection and a new one in its place. On the
 * embedded server that churn counted against its connection cap (the server counts a closing connection until its
 * socket is gone), which is how 30 concurrent PATCHes to one user got 503 "too many connections" (issue 12).
 *
 * An ErrorResponse of severity ERROR ends the statement, not the session: the connection is ready for the next
 * one. FATAL and PANIC end the session, and an error without a SQLSTATE is the socket's: that connection goes.
 */
export async function queryKeepingConnection<Row extends pg.QueryResultRow>(
  pool: pg.Pool,
  query: string | pg.QueryConfig,
  values?: unknown[],
): Promise<pg.QueryResult<Row>> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    return await client.query<Row>(query, values);
  } catch (error) {
    if (!isStatementFailure(error)) broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.release(broken);
  }
}

export function isStatementFailure(error: unknown): boolean {
  return error instanceof pg.DatabaseError && error.severity === 'ERROR';
}
