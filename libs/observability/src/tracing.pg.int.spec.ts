import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import pg from 'pg';
import { testDatabases, type TestDatabase } from '#testing/test-databases.js';
import { inSpan, startTracing, type Tracing } from './tracing.js';
import { MAX_STATEMENT_TEXT } from './tracing.pg.js';

/** The `pg` wrap on a real database (embedded PGlite behind its wire socket): what a statement span holds. */
describe('PostgreSQL statement spans', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let database: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    tracing = startTracing({ enabled: true, exporters: [], otlpUrl: null, serviceName: 'test', resourceAttributes: {}, sampler: { kind: 'always_on' } }, exporter);
    database = await testDatabases()[0].start();
    pool = new pg.Pool({ connectionString: database.connectionString, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await database?.stop();
    await tracing?.shutdown();
  });

  const statementSpans = () => exporter.getFinishedSpans().filter((span) => span.attributes['db.system.name'] === 'postgresql');

  it('makes a CLIENT span per statement inside a span, for pool.query (a callback) and client.query (a promise), without the parameters', async () => {
    exporter.reset();
    await inSpan('request', null, async () => {
      await pool.query('SELECT $1::text AS secret', ['token-hash-of-someone']);
      const client = await pool.connect();
      try {
        await client.query({ name: 'named-statement', text: '  with x AS (SELECT 1) SELECT * FROM x', values: [] });
      } finally {
        client.release();
      }
    });
    const parent = exporter.getFinishedSpans().find((span) => span.name === 'request')!;
    const spans = statementSpans();
    expect(spans.map((span) => [span.name, span.kind, span.attributes['db.operation.name']])).toEqual([
      ['SELECT', SpanKind.CLIENT, 'SELECT'],
      ['WITH', SpanKind.CLIENT, 'WITH'],
    ]);
    expect(spans.every((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId)).toBe(true);
    expect(spans[0].attributes['db.query.text']).toBe('SELECT $1::text AS secret');
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain('token-hash-of-someone');
  });

  it('makes none outside a span', async () => {
    exporter.reset();
    await pool.query('SELECT 1');
    expect(statementSpans()).toEqual([]);
  });

  it('records a failed statement with its SQLSTATE, and cuts a long statement text', async () => {
    exporter.reset();
    const long = `SELECT 1 /* ${'x'.repeat(MAX_STATEMENT_TEXT)} */`;
    await inSpan('request', null, async () => {
      await expect(pool.query('SELECT * FROM no_such_table')).rejects.toThrow(/no_such_table/);
      await pool.query(long);
    });
    const [failed, cut] = statementSpans();
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed.attributes).toMatchObject({ 'error.type': '42P01', 'db.response.status_code': '42P01' });
    expect(String(cut.attributes['db.query.text'])).toHaveLength(MAX_STATEMENT_TEXT);
    expect(String(cut.attributes['db.query.text']).endsWith('…')).toBe(true);
  });
});
