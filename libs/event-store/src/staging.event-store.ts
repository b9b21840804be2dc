import { VersionConflictError } from './event-store.errors.js';
import {
  validateStreamConditions,
  type AppendResult,
  type EventStore,
  type GlobalPosition,
  type ReadAllOptions,
  type RecordedEvent,
  type StreamAppend,
  type StreamCondition,
  type StreamRead,
} from './event-store.port.js';

/**
 * A dry run's event store (docs/admin.md "Dry-run"): reads see the real store plus what this dry run has
 * appended so far, appends are checked exactly like real ones (expected revision, conditions, all or nothing) but only
 * kept in memory, and nothing reaches the real store, the global log, the projections or Kafka. One instance
 * lives for one request, so a later operation of a dry-run Bulk sees the resources an earlier one "created".
 */
export class StagingEventStore implements EventStore {
  private readonly staged = new Map<string, RecordedEvent[]>();
  private sequence = 0n;

  constructor(private readonly real: EventStore) {}

  /** Everything "appended" so far, in order: what the request would have stored. */
  stagedEvents(): RecordedEvent[] {
    return [...this.staged.values()].flat().sort((a, b) => (a.position.prepare < b.position.prepare ? -1 : 1));
  }

  async appendToStream(append: StreamAppend): Promise<AppendResult> {
    const [result] = await this.appendToStreams([append]);
    return result;
  }

  async appendToStreams(appends: readonly StreamAppend[], conditions: readonly StreamCondition[] = []): Promise<AppendResult[]> {
    validateStreamConditions(appends, conditions);
    if (appends.length === 0) return [];
    // Check every stream before staging anything: all or nothing, like the real stores. Conditions are checked
    // against what this dry run sees too: the real store plus what it staged.
    const [lastRevisions, conditionRevisions] = await Promise.all([
      Promise.all(appends.map((append) => this.lastRevision(append.streamName))),
      Promise.all(conditions.map((condition) => this.lastRevision(condition.streamName))),
    ]);
    appends.forEach((append, index) => {
      const actual = lastRevisions[index];
      const expected = append.expectedRevision;
      if (append.events.length === 0) throw new Error(`append to ${append.streamName} has no events`);
      if (expected === 'any') return;
      if (expected === 'no-stream' ? actual !== null : actual !== expected) {
        throw new VersionConflictError(append.streamName, String(expected), actual === null ? 'no-stream' : String(actual));
      }
    });
    conditions.forEach((condition, index) => {
      const actual = conditionRevisions[index];
      if (actual !== condition.revision) {
        throw new VersionConflictError(condition.streamName, condition.revision.toString(), actual === null ? 'no-stream' : actual.toString());
      }
    });
    const recordedAt = new Date();
    return appends.map((append, index) => {
      let revision = lastRevisions[index] ?? -1n;
      let position: GlobalPosition = { commit: -1n, prepare: -1n };
      const list = this.staged.get(append.streamName) ?? [];
      for (const event of append.events) {
        revision += 1n;
        // Positions are negative: they sort before every real one and can never be waited for or stored.
        position = { commit: -2n, prepare: this.sequence++ };
        list.push({ ...event, streamName: append.streamName, revision, position, recordedAt });
      }
      this.staged.set(append.streamName, list);
      return { nextRevision: revision, position };
    });
  }

  async readStream(streamName: string, fromRevision = 0n): Promise<RecordedEvent[]> {
    const staged = this.staged.get(streamName) ?? [];
    const firstStaged = staged[0]?.revision;
    // The real stream below the first staged revision; whatever a real writer appended since is shadowed.
    const real =
      firstStaged !== undefined && firstStaged <= fromRevision
        ? []
        : (await this.real.readStream(streamName, fromRevision)).filter((event) => firstStaged === undefined || event.revision < firstStaged);
    return [...real, ...staged.filter((event) => event.revision >= fromRevision)];
  }

  readStreams(reads: readonly StreamRead[]): Promise<RecordedEvent[][]> {
    return Promise.all(reads.map((read) => this.readStream(read.streamName, read.fromRevision)));
  }

  /** The global log is the real one: staged events are never part of it. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.real.readAll(options);
  }

  waitForEvents(after: GlobalPosition, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.real.waitForEvents(after, timeoutMs, signal);
  }

  headPosition(): Promise<GlobalPosition> {
    return this.real.headPosition();
  }

  ping(): Promise<void> {
    return this.real.ping();
  }

  /** Closing a dry run drops what it staged; the real store stays open. */
  async close(): Promise<void> {
    this.staged.clear();
  }

  private async lastRevision(streamName: string): Promise<bigint | null> {
    const staged = this.staged.get(streamName);
    if (staged && staged.length > 0) return staged[staged.length - 1].revision;
    const real = await this.real.readStream(streamName);
    return real.length > 0 ? real[real.length - 1].revision : null;
  }
}
