import { formatPosition, START, type EventStore, type GlobalPosition, type RecordedEvent } from '../event-store.port.js';

/** One line of an export (docs/audit-format.md): a recorded event, JSON-safe (bigints as decimal strings). */
export interface ExportedEvent {
  readonly streamName: string;
  /** Decimal string. */
  readonly revision: string;
  /** "commit:prepare", as formatPosition writes it. */
  readonly position: string;
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  /** As recorded, hash chain fields included. */
  readonly metadata: RecordedEvent['metadata'];
  /** ISO-8601. */
  readonly recordedAt: string;
}

export function toExportedEvent(event: RecordedEvent): ExportedEvent {
  return {
    streamName: event.streamName,
    revision: event.revision.toString(),
    position: formatPosition(event.position),
    id: event.id,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt.toISOString(),
  };
}

export interface ExportOptions {
  /** Start after this position (exclusive), to resume an export; default: the beginning of the log. */
  readonly after?: GlobalPosition;
  readonly signal?: AbortSignal;
}

/**
 * Every event of a tenant (streams `<tenantId>.…`), in log order, as JSON lines: one JSON object per event, each
 * string ending in "\n", so the strings written one after the other are a JSON Lines file. Reads one page of
 * `pageSize` events at a time, the next only when the consumer asks for more: memory stays constant whatever
 * the history's length. Events committed while the export runs are included up to the moment it reaches the end.
 */
export async function* exportTenantHistory(
  store: EventStore,
  tenantId: string,
  pageSize = 1_000,
  options: ExportOptions = {},
): AsyncGenerator<string, void, undefined> {
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  let after = options.after ?? START;
  for (;;) {
    options.signal?.throwIfAborted();
    const page = await store.readAll({ after, maxCount: pageSize, streamPrefixes: [`${tenantId}.`] });
    if (page.length === 0) return;
    for (const event of page) yield `${JSON.stringify(toExportedEvent(event))}\n`;
    after = page[page.length - 1].position;
  }
}
