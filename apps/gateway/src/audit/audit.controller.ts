import { Controller, Get, HttpCode, Inject, Logger, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import type { ChainVerification } from '#event-store/audit/chain-verifier.js';
import { parsePosition, type GlobalPosition } from '#event-store/event-store.port.js';
import { InvalidValueError, NotFoundError, ScimError } from '#scim/scim-error.js';
import { AdminTokenGuard } from '../admin/admin-token.guard.js';
import { ADMIN_BASE_PATH } from '../admin/admin.paths.js';
import { AuditService, type AuditEntry, type AuditResourceType } from './audit.service.js';
import { requireTenant } from '../tenancy/tenants.service.js';

export interface HistoryResponse {
  readonly tenantId: string;
  readonly resourceType: AuditResourceType;
  readonly id: string;
  readonly events: AuditEntry[];
}

export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';

/** Not sent on the wire: the client went away before the answer was ready (nginx's convention). */
const CLIENT_CLOSED_REQUEST = 499;

const logger = new Logger('AuditController');

/**
 * The auditor's view through the admin API (docs/audit.md): a resource's history, its state at a past instant, a
 * tenant's history as JSON lines, and the verification of its hash chains. Everything is read from the event store,
 * never from the read model. Errors are SCIM errors, like everywhere else on the gateway.
 */
@Controller(`${ADMIN_BASE_PATH}/tenants/:tenantId`)
@UseGuards(AdminTokenGuard)
export class AuditController {
  constructor(
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  /** Every event of the resource, oldest first, with who, when, from where and what; 404 if it never existed. */
  @Get('history/:resourceType/:id')
  async history(@Param('tenantId') tenantId: string, @Param('resourceType') resourceTypeParam: string, @Param('id') id: string): Promise<HistoryResponse> {
    const resourceType = parseAuditResourceType(resourceTypeParam);
    await requireTenant(this.dataSource, tenantId);
    const events = await this.audit.history(tenantId, resourceType, id);
    if (events.length === 0) throw new NotFoundError(`${resourceType} "${id}" never existed in tenant "${tenantId}"`);
    return { tenantId, resourceType, id, events };
  }

  /** The SCIM resource as it was at `asOf`; 404 when it did not exist then (not created yet, or deleted by then). */
  @Get('resources/:resourceType/:id')
  async asOf(
    @Param('tenantId') tenantId: string,
    @Param('resourceType') resourceTypeParam: string,
    @Param('id') id: string,
    @Query('asOf') asOfParam: unknown,
  ): Promise<Record<string, unknown>> {
    const resourceType = parseAuditResourceType(resourceTypeParam);
    const asOf = parseAsOf(asOfParam);
    await requireTenant(this.dataSource, tenantId);
    const state = await this.audit.stateAsOf(tenantId, resourceType, id, asOf);
    if (state) return state;
    throw new NotFoundError(await this.absenceDetail(tenantId, resourceType, id, asOf));
  }

  /**
   * The tenant's whole history as JSON lines (docs/audit-format.md), streamed in constant memory: each line is
   * written as the store gives it, waiting for 'drain' whenever the connection's buffer is full, and the export
   * stops when the client goes away. `?after=<commit:prepare>` resumes after the last line of an earlier export.
   */
  @Get('export')
  async export(@Param('tenantId') tenantId: string, @Query('after') afterParam: unknown, @Res() response: Response): Promise<void> {
    const after = parseAfter(afterParam);
    await requireTenant(this.dataSource, tenantId);
    const closed = new AbortController();
    const onClose = () => closed.abort();
    response.on('close', onClose);
    try {
      response.status(200);
      response.setHeader('Content-Type', `${NDJSON_CONTENT_TYPE}; charset=utf-8`);
      response.setHeader('Content-Disposition', `attachment; filename="${tenantId}-history.jsonl"`);
      response.setHeader('Cache-Control', 'no-store');
      // Lets a proxy (nginx) pass the lines on as they come rather than buffering the whole export.
      response.setHeader('X-Accel-Buffering', 'no');
      await writeLines(response, this.audit.export(tenantId, { after, signal: closed.signal }), closed.signal);
      if (!closed.signal.aborted) response.end();
    } catch (error) {
      if (closed.signal.aborted) return; // the client went away: nothing to answer
      // Before the first line, the error can still be answered properly (the global filter renders it).
      if (!response.headersSent) {
        response.removeHeader('Content-Disposition');
        throw error;
      }
      // After it, ending normally would pass a truncated export for a whole one: break the response instead,
      // so the client sees an incomplete (chunked) body and fails.
      logger.error(`export of tenant "${tenantId}" failed after it started: ${(error as Error).message}`, (error as Error).stack);
      response.destroy();
    } finally {
      response.off('close', onClose);
    }
  }

  /** Checks every hash chain of the tenant. 200 whether it checks out (`ok: true`) or not (`ok: false`, `problems`). */
  @Post('verify')
  @HttpCode(200)
  verifyByPost(@Param('tenantId') tenantId: string, @Res({ passthrough: true }) response: Response): Promise<ChainVerification> {
    return this.verify(tenantId, response);
  }

  @Get('verify')
  verifyByGet(@Param('tenantId') tenantId: string, @Res({ passthrough: true }) response: Response): Promise<ChainVerification> {
    return this.verify(tenantId, response);
  }

  private async verify(tenantId: string, response: Response): Promise<ChainVerification> {
    await requireTenant(this.dataSource, tenantId);
    // A verification reads the tenant's whole history: stop reading when the client has given up on it.
    const closed = new AbortController();
    const onClose = () => {
      if (!response.writableFinished) closed.abort();
    };
    response.on('close', onClose);
    try {
      return await this.audit.verify(tenantId, { signal: closed.signal });
    } catch (error) {
      if (closed.signal.aborted) throw new ScimError(CLIENT_CLOSED_REQUEST, undefined, 'the client closed the request before verification finished');
      throw error;
    } finally {
      response.off('close', onClose);
    }
  }

  /** Why the resource was not there at `asOf`: never created, not created yet, or deleted by then. */
  private async absenceDetail(tenantId: string, resourceType: AuditResourceType, id: string, asOf: Date): Promise<string> {
    const at = asOf.toISOString();
    const events = await this.audit.history(tenantId, resourceType, id);
    if (events.length === 0) return `${resourceType} "${id}" never existed in tenant "${tenantId}"`;
    const before = events.filter((event) => Date.parse(event.recordedAt) <= asOf.getTime());
    if (before.length === 0) return `${resourceType} "${id}" did not exist at ${at}: it was created at ${events[0].recordedAt}`;
    const last = before[before.length - 1];
    return `${resourceType} "${id}" did not exist at ${at}: it was deleted at ${last.recordedAt} (${last.type}, revision ${last.revision})`;
  }
}

/** `Users`/`User` and `Groups`/`Group`, in any case. */
export function parseAuditResourceType(text: string): AuditResourceType {
  switch (text.toLowerCase()) {
    case 'user':
    case 'users':
      return 'User';
    case 'group':
    case 'groups':
      return 'Group';
    default:
      throw new NotFoundError(`no resource type "${text}": use Users or Groups`);
  }
}

// A date, or a date and time with a time zone (Z or ±hh:mm): a time without a zone would depend on the server's.
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

/** The `asOf` query parameter: required, ISO-8601; a date alone is midnight UTC. */
export function parseAsOf(value: unknown): Date {
  if (value === undefined || value === '') {
    throw new InvalidValueError('asOf is required: an ISO-8601 time with a time zone, e.g. asOf=2025-01-31T12:00:00Z');
  }
  if (typeof value !== 'string') throw new InvalidValueError('asOf must be given once');
  const match = ISO_INSTANT.exec(value);
  const time = match && isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3])) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new InvalidValueError(`asOf="${value}" is not an ISO-8601 time with a time zone (e.g. 2025-01-31T12:00:00Z, 2025-01-31T13:00:00+01:00, 2025-01-31)`);
  }
  return new Date(time);
}

/** Date.parse would take 2025-02-30 for 2025-03-02. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The `after` query parameter of an export: a position "commit:prepare" as an exported line's `position` has it. */
export function parseAfter(value: unknown): GlobalPosition | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidValueError('after must be given once');
  try {
    return parsePosition(value);
  } catch {
    throw new InvalidValueError(`after="${value}" is not a position: give the "position" of the last line of an earlier export, e.g. after=1234:5678`);
  }
}

/** What writeLines needs of a response (an http.ServerResponse, or any Writable). */
export interface LineSink {
  /** True once the sink is closed (the connection is gone): nothing more can be written. */
  readonly destroyed: boolean;
  write(chunk: string): boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/**
 * Writes each line to `sink`, and when its buffer is full (write returns false) waits for 'drain' before asking
 * `lines` for the next one, so at most one page of the store and one buffer's worth of text are held. Stops when
 * `signal` aborts or the sink closes (the client went away); returning from the loop also ends the generator.
 */
export async function writeLines(sink: LineSink, lines: AsyncIterable<string>, signal: AbortSignal): Promise<void> {
  for await (const line of lines) {
    if (signal.aborted || sink.destroyed) return;
    if (!sink.write(line)) await drained(sink, signal);
  }
}

function drained(sink: LineSink, signal: AbortSignal): Promise<void> {
  if (signal.aborted || sink.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      sink.off('drain', done);
      sink.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    sink.once('drain', done);
    sink.once('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
