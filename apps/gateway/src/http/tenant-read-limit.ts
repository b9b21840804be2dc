import { ScimMetrics } from '#observability/metrics.js';
import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { finalize, type Observable } from 'rxjs';
import type { GatewayConfig } from '#config/gateway.config.js';
import { ScimError } from '#scim/scim-error.js';
import type { ScimRequest } from './request-context.js';

/**
 * Reads each tenant has running, capped at `perTenant`: a tenant's expensive filters then hold at most that many
 * of the gateway's database connections (DATABASE_POOL_SIZE, 10 by default, against a cap of 4), and every other
 * tenant's reads still find one. A read past the cap waits its turn in the tenant's queue (at most `queuePerTenant`
 * of them, each for at most `maxWaitMs`): an identity provider that sends eight GETs at once is served in turn, not
 * refused; a flood beyond the queue, or a wait past its limit, is refused. In memory, per gateway process, like the
 * rate limit.
 */
export class TenantReadSlots {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(
    readonly perTenant: number,
    readonly queuePerTenant = 0,
    readonly maxWaitMs = 0,
  ) {
    if (!Number.isInteger(perTenant) || perTenant < 1) throw new RangeError(`perTenant must be a positive integer, got ${perTenant}`);
    if (!Number.isInteger(queuePerTenant) || queuePerTenant < 0) throw new RangeError(`queuePerTenant must be a non-negative integer, got ${queuePerTenant}`);
  }

  /** A slot for one read of the tenant, and the function that gives it back (once); null when refused. */
  async acquire(tenantId: string): Promise<(() => void) | null> {
    const count = this.running.get(tenantId) ?? 0;
    if (count < this.perTenant) {
      this.running.set(tenantId, count + 1);
      return this.releaserFor(tenantId);
    }
    const queue = this.waiting.get(tenantId) ?? [];
    if (queue.length >= this.queuePerTenant) return null;
    this.waiting.set(tenantId, queue);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(waiter.timer);
          resolve(this.releaserFor(tenantId));
        },
        timer: setTimeout(() => {
          this.dropWaiter(tenantId, waiter);
          resolve(null);
        }, this.maxWaitMs),
      };
      queue.push(waiter);
    });
  }

  /** Reads the tenant has running (tests). */
  runningFor(tenantId: string): number {
    return this.running.get(tenantId) ?? 0;
  }

  /** Reads of the tenant waiting for a slot (tests). */
  waitingFor(tenantId: string): number {
    return this.waiting.get(tenantId)?.length ?? 0;
  }

  private releaserFor(tenantId: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The slot passes straight to the first waiter (the running count stays), or is given back.
      const next = this.waiting.get(tenantId)?.shift();
      if (this.waiting.get(tenantId)?.length === 0) this.waiting.delete(tenantId);
      if (next) return next.grant();
      const left = (this.running.get(tenantId) ?? 1) - 1;
      if (left === 0) this.running.delete(tenantId);
      else this.running.set(tenantId, left);
    };
  }

  private dropWaiter(tenantId: string, waiter: Waiter): void {
    const queue = this.waiting.get(tenantId);
    if (!queue) return;
    const index = queue.indexOf(waiter);
    if (index >= 0) queue.splice(index, 1);
    if (queue.length === 0) this.waiting.delete(tenantId);
  }
}

interface Waiter {
  readonly grant: () => void;
  readonly timer: NodeJS.Timeout;
}

/** Seconds a client refused a read slot is asked to wait: reads take milliseconds, or end at the statement timeout. */
export const READ_SLOT_RETRY_AFTER_SECONDS = 1;

/** 429 (RFC 6585 §4; RFC 7644 §3.12 lists no scimType for it): the tenant has as many reads running as it may. */
export class TooManyConcurrentReadsError extends ScimError {
  override readonly name = 'TooManyConcurrentReadsError';
  constructor(perTenant: number) {
    super(
      429,
      undefined,
      `too many reads at once for this tenant: at most ${perTenant} may run at the same time (READ_CONCURRENCY_PER_TENANT) ` +
        `and the others wait in a queue of their own (READ_QUEUE_PER_TENANT), which is full; ` +
        `retry after ${READ_SLOT_RETRY_AFTER_SECONDS} s, or send fewer reads in parallel`,
    );
  }
}

/** A queued read waits at most as long as one read may run on a server (READ_STATEMENT_TIMEOUT_MS). */
export function tenantReadSlotsOf(config: Pick<GatewayConfig, 'readConcurrencyPerTenant' | 'readQueuePerTenant' | 'readStatementTimeoutMs'>): TenantReadSlots {
  return new TenantReadSlots(config.readConcurrencyPerTenant, config.readQueuePerTenant, config.readStatementTimeoutMs);
}

/**
 * Holds a read slot of the request's tenant while a read handler runs (GET of a resource, list, .search, the
 * root search); past the cap it waits in the tenant's queue, and past the queue (or its wait), 429 with Retry-After. After BearerTokenGuard, which names the tenant. The slot is
 * given back when the handler's work ends, not when the client leaves: the database works until then.
 */
@Injectable()
export class TenantReadLimit implements NestInterceptor {
  constructor(
    @Inject(TenantReadSlots) private readonly slots: TenantReadSlots,
    @Inject(ScimMetrics) private readonly metrics: ScimMetrics,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const tenantId = context.switchToHttp().getRequest<ScimRequest>().scimAuth?.tenantId;
    if (tenantId === undefined) throw new Error('TenantReadLimit used on a route without the bearer guard');
    const release = await this.slots.acquire(tenantId);
    if (!release) {
      this.metrics.rateLimit.refused('tenant_reads', tenantId);
      // The exception filter renders the SCIM error; the header is the one thing it does not know to add.
      context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(READ_SLOT_RETRY_AFTER_SECONDS));
      throw new TooManyConcurrentReadsError(this.slots.perTenant);
    }
    return next.handle().pipe(finalize(release));
  }
}

