import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '#config/gateway.config.js';
import { ProvisioningLogStore } from './provisioning-log.store.js';

const DAY_MS = 86_400_000;
export const RETENTION_INTERVAL_MS = 3_600_000;
/** Rows looked at per DELETE: short transactions, so inserts and queries never wait long behind retention. */
export const RETENTION_BATCH_SIZE = 5_000;

/**
 * Deletes provisioning-log entries older than PROVISIONING_LOG_RETENTION_DAYS: once at start (in the background,
 * the start does not wait), then hourly. Every gateway replica runs it; they share the rows (SKIP LOCKED).
 */
@Injectable()
export class ProvisioningLogRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ProvisioningLog');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopping = false;

  constructor(
    @Inject(ProvisioningLogStore) private readonly store: ProvisioningLogStore,
    @Inject(GATEWAY_CONFIG) private readonly config: Pick<GatewayConfig, 'provisioningLogRetentionDays'>,
  ) {}

  onApplicationBootstrap(): void {
    void this.run();
    this.timer = setInterval(() => void this.run(), RETENTION_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; resolves with the number of entries deleted (0 when a pass is already running), never rejects. */
  run(now: Date = new Date()): Promise<number> {
    if (this.running) return this.running.then(() => 0);
    this.running = this.deleteExpired(now).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async deleteExpired(now: Date): Promise<number> {
    const before = new Date(now.getTime() - this.config.provisioningLogRetentionDays * DAY_MS);
    let total = 0;
    try {
      // Oldest first by id. A batch without a single expired entry means the rest are newer (or out of order by
      // no more than the time they waited in a gateway's buffer: those go on the next pass).
      for (let afterId: string | null = null; !this.stopping; ) {
        const batch = await this.store.deleteExpiredBatch(before, RETENTION_BATCH_SIZE, afterId);
        total += batch.deleted;
        if (batch.deleted === 0 || batch.examined < RETENTION_BATCH_SIZE) break;
        afterId = batch.lastId;
      }
      if (total > 0) this.logger.log(`provisioning log: deleted ${total} entries older than ${before.toISOString()}`);
    } catch (error) {
      this.logger.warn(`provisioning log: retention pass failed after deleting ${total} entries (${String(error)}); next try in an hour`);
    }
    return total;
  }
}
