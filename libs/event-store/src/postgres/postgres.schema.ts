import type pg from 'pg';

/**
 * One event store per database, in its own fixed schema. Fixed rather than configurable: the SQL stays constant
 * text (no identifier ever built from configuration), the read model's tables in `public` can never collide with
 * ours, and isolation between tests or deployments is a database each (libs/testing creates one per suite).
 */
export const EVENT_STORE_SCHEMA = 'event_store';
export const EVENTS_TABLE = `${EVENT_STORE_SCHEMA}.events`;
export const STREAMS_TABLE = `${EVENT_STORE_SCHEMA}.streams`;

/** Constraint names the adapter maps to our errors (see postgres.errors.ts). */
export const STREAM_REVISION_CONSTRAINT = 'events_stream_revision_key';
export const EVENT_ID_CONSTRAINT = 'events_event_id_key';
/** The SQLSTATE require_appended raises: a stream was not at the revision its append expected. */
export const APPEND_CONFLICT_SQLSTATE = 'ES409';

/** xid8, pg_current_xact_id() and pg_current_snapshot() arrived in PostgreSQL 13. */
const MINIMUM_SERVER_VERSION = 130000;

// Any constant works; it only has to be the same in every process that migrates this database.
const MIGRATION_LOCK_KEY = 4_727_001;

const DDL = `
CREATE SCHEMA IF NOT EXISTS ${EVENT_STORE_SCHEMA};

-- One row per stream: its current revision. Appends lock this row (or insert it), which is what makes the
-- expected-revision check and the revision numbering safe under concurrent writers.
CREATE TABLE IF NOT EXISTS ${STREAMS_TABLE} (
  stream_name text PRIMARY KEY,
  revision bigint NOT NULL CHECK (revision >= 0)
);

CREATE TABLE IF NOT EXISTS ${EVENTS_TABLE} (
  -- Prepare part of the global position; assigned at insert, so it commits out of order under concurrency.
  seq bigserial PRIMARY KEY,
  -- Commit part of the global position. Readers of the global log only take rows below the oldest running
  -- transaction (pg_snapshot_xmin), where no new row can appear any more: the log is read without gaps.
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_name text NOT NULL,
  stream_revision bigint NOT NULL CHECK (stream_revision >= 0),
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  schema_version integer NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  -- Also serves readStream (stream_name = $1 ORDER BY stream_revision).
  CONSTRAINT ${STREAM_REVISION_CONSTRAINT} UNIQUE (stream_name, stream_revision),
  CONSTRAINT ${EVENT_ID_CONSTRAINT} UNIQUE (event_id)
);

-- readAll, headPosition and waitForEvents walk the log in (transaction_id, seq) order.
CREATE INDEX IF NOT EXISTS events_position_idx ON ${EVENTS_TABLE} (transaction_id, seq);

-- The append statement (postgres.event-store.ts) calls this for each stream it appends to: a stream that was not
-- at its expected revision raises, which rolls the whole statement back, so a multi-stream append stays all or
-- nothing in one statement. DETAIL names the stream, HINT its revision before the statement (none: no stream).
CREATE OR REPLACE FUNCTION ${EVENT_STORE_SCHEMA}.require_appended(appended boolean, stream text, revision_before bigint)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF NOT appended THEN
    RAISE EXCEPTION 'stream % is not at the expected revision', stream
      USING ERRCODE = '${APPEND_CONFLICT_SQLSTATE}', DETAIL = stream, HINT = coalesce(revision_before::text, 'no-stream');
  END IF;
  RETURN true;
END
$$;
`;

/**
 * Creates the event store's schema if it is missing; safe to run at every start, from several processes at once
 * (an advisory lock serialises concurrent runs, which CREATE ... IF NOT EXISTS alone does not make safe).
 */
export async function migrateEventStore(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    const { rows } = await client.query<{ version: string }>(`SELECT current_setting('server_version_num') AS version`);
    if (Number(rows[0].version) < MINIMUM_SERVER_VERSION) {
      throw new Error(`the event store needs PostgreSQL 13 or newer (xid8 positions); this server is version ${rows[0].version}`);
    }
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(DDL);
    await client.query('COMMIT');
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // A connection that failed mid-transaction is discarded rather than rolled back and reused.
    client.release(failure);
  }
}
