import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { finalize, type Observable } from 'rxjs';
import type { GatewayConfig } from '#config/gateway.config.js';
import { ScimError } from '#scim/scim-error.js';
import type { ScimRequest } from './request-context.js';

/**
 * Reads each tenant has running, capped at `perTenant`: a tenant's expensive filters then hold at most that many
 * of the gateway's database connections (DATABASE_POOL_SIZE, 10 by default, against a cap of 4), and every other
 * tenant's reads still find one. In memory, per gateway process, like the rate limit.
 */
export class TenantReadSlots {
  private readonly running = new Map<string, number>();

  constructor(readonly perTenant: number) {
    if (!Number.isInteger(perTenant) || perTenant < 1) throw new RangeError(`perTenant must be a positive integer, got ${perTenant}`);
  }

  /** A slot for one read of the tenant, and the function that gives it back (once); null when all are taken. */
  tryAcquire(tenantId: string): (() => void) | null {
    const count = this.running.get(tenantId) ?? 0;
    if (count >= this.perTenant) return null;
    this.running.set(tenantId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.running.get(tenantId) ?? 1) - 1;
      if (left === 0) this.running.delete(tenantId);
      else this.running.set(tenantId, left);
    };
  }

  /** Reads the tenant has running (tests). */
  runningFor(tenantId: string): number {
    return this.running.get(tenantId) ?? 0;
  }
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
      `too many reads at once for this tenant: at most ${perTenant} may run at the same time (READ_CONCURRENCY_PER_TENANT); ` +
        `retry after ${READ_SLOT_RETRY_AFTER_SECONDS} s, or send fewer reads in parallel`,
    );
  }
}

export function tenantReadSlotsOf(config: Pick<GatewayConfig, 'readConcurrencyPerTenant'>): TenantReadSlots {
  return new TenantReadSlots(config.readConcurrencyPerTenant);
}

/**
 * Holds a read slot of the request's tenant while a read handler runs (GET of a resource, list, .search, the
 * root search); past the cap, 429 with Retry-After. After BearerTokenGuard, which names the tenant. The slot is
 * given back when the handler's work ends, not when the client leaves: the database works until then.
 */
@Injectable()
export class TenantReadLimit implements NestInterceptor {
  constructor(@Inject(TenantReadSlots) private readonly slots: TenantReadSlots) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const tenantId = context.switchToHttp().getRequest<ScimRequest>().scimAuth?.tenantId;
    if (tenantId === undefined) throw new Error('TenantReadLimit used on a route without the bearer guard');
    const release = this.slots.tryAcquire(tenantId);
    if (!release) {
      // The exception filter renders the SCIM error; the header is the one thing it does not know to add.
      context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(READ_SLOT_RETRY_AFTER_SECONDS));
      throw new TooManyConcurrentReadsError(this.slots.perTenant);
    }
    return next.handle().pipe(finalize(release));
  }
}

