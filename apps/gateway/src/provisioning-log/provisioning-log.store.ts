import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ProvisioningLogEntry, ResourceType, StoredProvisioningLogEntry } from './provisioning-log.entry.js';

/** What a query selects: always one tenant's rows, or the unauthenticated ones (tenantId null). */
export interface ProvisioningLogFilter {
  readonly tenantId: string | null;
  /** An exact status, or a class: { from: 400, to: 499 }. */
  readonly status?: { readonly from: number; readonly to: number };
  readonly resourceType?: ResourceType;
  readonly resourceId?: string;
  /** Inclusive. */
  readonly since?: Date;
  /** Exclusive. */
  readonly until?: Date;
  readonly dryRun?: boolean;
}

/** Where the previous page ended: its last entry's time and id (keyset pagination, newest first). */
export interface ProvisioningLogPosition {
  readonly at: string;
  readonly id: string;
}

export interface ProvisioningLogPage {
  readonly entries: StoredProvisioningLogEntry[];
  /** The position after the last entry, when there may be more; null at the end. */
  readonly next: ProvisioningLogPosition | null;
}

export interface RetentionBatch {
  readonly deleted: number;
  /** Entries looked at; fewer than the batch size at the end of the table. */
  readonly examined: number;
  /** Where the next batch starts (exclusive); null when there was nothing to look at. */
  readonly lastId: string | null;
}

/** What the recorder needs: one multi-row insert. */
export interface ProvisioningLogWriter {
  insert(entries: readonly ProvisioningLogEntry[]): Promise<void>;
}

const COLUMNS = [
  'at',
  'tenant_id',
  'token_id',
  'request_id',
  'method',
  'path',
  'query',
  'resource_type',
  'resource_id',
  'status',
  'duration_ms',
  'scim_type',
  'detail',
  'event_ids',
  'dry_run',
  'skipped_member_ids',
  'skipped_member_count',
] as const;

/** What a read returns: every column, and the arrival time to the microsecond (at_exact) for the cursor. */
const SELECTED = `id::text AS id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_exact, tenant_id, token_id, request_id,
       method, path, query, resource_type, resource_id, status, duration_ms, scim_type, detail, event_ids, dry_run,
       skipped_member_ids, skipped_member_count`;

interface Row {
  id: string;
  /** Microseconds, for the cursor: a millisecond cut could skip or repeat rows at a page edge. */
  at_exact: string;
  tenant_id: string | null;
  token_id: string | null;
  request_id: string | null;
  method: string;
  path: string;
  query: string | null;
  resource_type: ResourceType | null;
  resource_id: string | null;
  status: number;
  duration_ms: number;
  scim_type: string | null;
  detail: string | null;
  event_ids: string[];
  dry_run: boolean;
  skipped_member_ids: string[];
  skipped_member_count: number;
}

/** The provisioning_log table: batched inserts, filtered keyset pages, deletion by age. */
@Injectable()
export class ProvisioningLogStore implements ProvisioningLogWriter {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async insert(entries: readonly ProvisioningLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const parameters: unknown[] = [];
    const rows = entries.map((entry) => {
      const values = [
        entry.at,
        entry.tenantId,
        entry.tokenId,
        entry.requestId,
        entry.method,
        entry.path,
        entry.query,
        entry.resourceType,
        entry.resourceId,
        entry.status,
        entry.durationMs,
        entry.scimType,
        entry.detail,
        [...entry.eventIds],
        entry.dryRun,
        [...entry.skippedMemberIds],
        entry.skippedMemberCount,
      ];
      const placeholders = values.map((value) => {
        parameters.push(value);
        return `$${parameters.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    await this.dataSource.query(`INSERT INTO provisioning_log (${COLUMNS.join(', ')}) VALUES ${rows.join(', ')}`, parameters);
  }

  /** Newest first; `limit` entries at most, after `after` when given. */
  async query(filter: ProvisioningLogFilter, limit: number, after?: ProvisioningLogPosition): Promise<ProvisioningLogPage> {
    const parameters: unknown[] = [];
    const parameter = (value: unknown) => {
      parameters.push(value);
      return `$${parameters.length}`;
    };
    const conditions = [filter.tenantId === null ? 'tenant_id IS NULL' : `tenant_id = ${parameter(filter.tenantId)}`];
    if (filter.status) {
      conditions.push(
        filter.status.from === filter.status.to
          ? `status = ${parameter(filter.status.from)}`
          : `status BETWEEN ${parameter(filter.status.from)} AND ${parameter(filter.status.to)}`,
      );
    }
    if (filter.resourceType !== undefined) conditions.push(`resource_type = ${parameter(filter.resourceType)}`);
    if (filter.resourceId !== undefined) conditions.push(`resource_id = ${parameter(filter.resourceId)}`);
    if (filter.since !== undefined) conditions.push(`at >= ${parameter(filter.since)}`);
    if (filter.until !== undefined) conditions.push(`at < ${parameter(filter.until)}`);
    if (filter.dryRun !== undefined) conditions.push(`dry_run = ${parameter(filter.dryRun)}`);
    if (after) conditions.push(`(at, id) < (${parameter(after.at)}::timestamptz, ${parameter(after.id)}::bigint)`);
    // One row more than asked tells whether another page exists.
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${SELECTED}
         FROM provisioning_log
        WHERE ${conditions.join(' AND ')}
        ORDER BY at DESC, id DESC
        LIMIT ${parameter(limit + 1)}`,
      parameters,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      entries: page.map(toEntry),
      next: rows.length > limit && last ? { at: last.at_exact, id: last.id } : null,
    };
  }

  /** One entry of a tenant (`tenantId` null: of the unauthenticated requests), or null: none with that id there. */
  async findOne(tenantId: string | null, id: string): Promise<StoredProvisioningLogEntry | null> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${SELECTED} FROM provisioning_log WHERE id = $1::bigint AND ${tenantId === null ? 'tenant_id IS NULL' : 'tenant_id = $2'}`,
      tenantId === null ? [id] : [id, tenantId],
    );
    return rows.length === 0 ? null : toEntry(rows[0]);
  }

  /**
   * Looks at the next `batchSize` entries in insertion order (id) after `afterId`, and deletes those older than
   * `before`. Entries are inserted roughly in time order, so the expired ones are at the front of the primary
   * key: retention walks it in short transactions and needs no index of its own (inserts stay cheaper). A
   * gateway running retention at the same moment only makes the other skip rows already gone.
   */
  async deleteExpiredBatch(before: Date, batchSize: number, afterId: string | null): Promise<RetentionBatch> {
    const rows: { deleted: number; examined: number; last_id: string | null }[] = await this.dataSource.query(
      `WITH candidates AS (
         SELECT id, at FROM provisioning_log WHERE id > $3::bigint ORDER BY id LIMIT $2
       ), gone AS (
         DELETE FROM provisioning_log p USING candidates c WHERE p.id = c.id AND c.at < $1 RETURNING p.id
       )
       SELECT (SELECT count(*) FROM gone)::int AS deleted, (SELECT count(*) FROM candidates)::int AS examined,
              (SELECT max(id) FROM candidates)::text AS last_id`,
      [before, batchSize, afterId ?? '0'],
    );
    return { deleted: rows[0].deleted, examined: rows[0].examined, lastId: rows[0].last_id };
  }
}

function toEntry(row: Row): StoredProvisioningLogEntry {
  return {
    id: row.id,
    at: new Date(row.at_exact).toISOString(),
    tenantId: row.tenant_id,
    tokenId: row.token_id,
    requestId: row.request_id,
    method: row.method,
    path: row.path,
    query: row.query,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    status: Number(row.status),
    durationMs: Number(row.duration_ms),
    scimType: row.scim_type,
    detail: row.detail,
    eventIds: row.event_ids,
    dryRun: row.dry_run,
    skippedMemberIds: row.skipped_member_ids,
    skippedMemberCount: Number(row.skipped_member_count),
  };
}
