import { SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { ATTR_DB_NAMESPACE, ATTR_DB_OPERATION_NAME, ATTR_DB_QUERY_TEXT, ATTR_DB_RESPONSE_STATUS_CODE, ATTR_DB_SYSTEM_NAME, ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import pg from 'pg';

/** The longest statement text a span carries; longer ones are cut (and marked with a trailing …). */
export const MAX_STATEMENT_TEXT = 2048;

type QueryFunction = (this: pg.Client, config: unknown, values?: unknown, callback?: unknown) => unknown;
type Callback = (error: Error | null, result?: unknown) => void;

let installed = false;

/**
 * A CLIENT span for every statement any `pg` Client sends, while `currentTracer` returns a tracer: the event store,
 * the read model through TypeORM (which loads this same `pg` module), the notification listener, the projector's
 * lock; the embedded PGlite too, which the process reaches through `pg` over its wire-protocol socket. One wrap
 * of Client.prototype.query covers them all (pg.Pool queries through its clients), and works in our ESM build,
 * where a require hook such as @opentelemetry/instrumentation-pg's would not (docs/decisions.md).
 *
 * A statement gets a span only inside another span (a request, a projection batch), never a trace of its own.
 * The span has the statement text, bounded, never its parameters: they hold user data and token hashes.
 * Streams and cursors (a Submittable) pass through without a span. Installed once, by startTracing only: with
 * tracing off, pg's own query runs untouched.
 */
export function tracePostgresQueries(currentTracer: () => Tracer | null): void {
  if (installed) return;
  installed = true;
  const prototype = pg.Client.prototype as unknown as { query: QueryFunction };
  const original = prototype.query;
  prototype.query = function tracedQuery(this: pg.Client, config: unknown, values?: unknown, callback?: unknown): unknown {
    const active = currentTracer();
    // Only inside a traced operation: the projection's polls, the listener and the lease make no traces of their own.
    if (active === null || !traceable(config) || trace.getActiveSpan() === undefined) return original.call(this, config, values, callback);
    const text = typeof config === 'string' ? config : String((config as { text?: unknown }).text ?? '');
    const span = startQuerySpan(active, text, this.database);
    if (typeof values === 'function') return original.call(this, config, endingWith(span, values as Callback));
    if (typeof callback === 'function') return original.call(this, config, values, endingWith(span, callback as Callback));
    let result: unknown;
    try {
      result = original.call(this, config, values);
    } catch (error) {
      endQuerySpan(span, error);
      throw error;
    }
    (result as Promise<unknown>).then(
      () => endQuerySpan(span, null),
      (error: unknown) => endQuerySpan(span, error),
    );
    return result;
  };
}

/** A statement text or a query config; not a Submittable (stream, cursor) nor a config carrying its own callback. */
function traceable(config: unknown): boolean {
  if (typeof config === 'string') return true;
  if (config === null || typeof config !== 'object') return false;
  const { submit, callback } = config as { submit?: unknown; callback?: unknown };
  return typeof submit !== 'function' && typeof callback !== 'function';
}

/** The first keyword of a statement (SELECT, INSERT, WITH, BEGIN ...), upper case; null when there is none. */
export function statementOperation(text: string): string | null {
  const match = /^\s*([A-Za-z]{1,16})\b/.exec(text);
  return match ? match[1].toUpperCase() : null;
}

function startQuerySpan(active: Tracer, text: string, database: string | undefined): Span {
  const operation = statementOperation(text);
  const span = active.startSpan(operation ?? 'postgresql', {
    kind: SpanKind.CLIENT,
    attributes: {
      [ATTR_DB_SYSTEM_NAME]: 'postgresql',
      [ATTR_DB_QUERY_TEXT]: text.length > MAX_STATEMENT_TEXT ? `${text.slice(0, MAX_STATEMENT_TEXT - 1)}…` : text,
    },
  });
  if (operation !== null) span.setAttribute(ATTR_DB_OPERATION_NAME, operation);
  if (database) span.setAttribute(ATTR_DB_NAMESPACE, database);
  return span;
}

function endingWith(span: Span, callback: Callback): Callback {
  return (error, result) => {
    endQuerySpan(span, error);
    callback(error, result);
  };
}

function endQuerySpan(span: Span, error: unknown): void {
  if (error) {
    // A statement's SQLSTATE (23505, 40001, our ES409 version conflict ...); a socket's failure has none.
    const code = error instanceof pg.DatabaseError && error.code ? error.code : error instanceof Error ? error.name : 'Error';
    span.setAttribute(ATTR_ERROR_TYPE, code);
    if (error instanceof pg.DatabaseError && error.code) span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, error.code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message.slice(0, 512) : undefined });
  }
  span.end();
}
