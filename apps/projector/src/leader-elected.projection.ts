import type { ProjectionRunner, ProjectionStatus } from '#event-store/projection.runner.js';
import { AdvisoryLockLease } from './advisory-lock.lease.js';

export interface ProjectorLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, trace?: string): void;
}

export interface LeaderElectedProjectionOptions {
  readonly connectionString: string;
  /** How often a standby tries to take the lock. Default 2000 ms: a dead holder is replaced within seconds. */
  readonly retryMs?: number;
  readonly heartbeatMs?: number;
  readonly logger: ProjectorLogger;
}

export type ProjectorRole = 'starting' | 'standby' | 'active' | 'stopped';

export interface LeaderElectedStatus {
  readonly role: ProjectorRole;
  readonly projection: ProjectionStatus;
}

/**
 * Runs a projection only while this process holds the projection's advisory lock; otherwise stands by and tries
 * again every few seconds. Several projector replicas can run: exactly one applies each projection, and the
 * projections may end up active in different replicas.
 */
export class LeaderElectedProjection {
  private role: ProjectorRole = 'starting';
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private lease: AdvisoryLockLease | null = null;

  constructor(
    private readonly runner: ProjectionRunner,
    private readonly options: LeaderElectedProjectionOptions,
  ) {}

  get name(): string {
    return this.runner.status().name;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.loop;
    this.role = 'stopped';
  }

  status(): LeaderElectedStatus {
    return { role: this.role, projection: this.runner.status() };
  }

  private async run(): Promise<void> {
    const { logger } = this.options;
    const retryMs = this.options.retryMs ?? 2000;
    let lastFailure = '';
    while (!this.stopping) {
      let lostReason: string | null = null;
      try {
        this.lease = await AdvisoryLockLease.tryAcquire(this.options.connectionString, this.name, {
          heartbeatMs: this.options.heartbeatMs,
          onLost: (reason) => {
            lostReason = reason;
            this.wakeUp?.();
          },
        });
        lastFailure = '';
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastFailure) logger.warn(`projection ${this.name}: cannot reach PostgreSQL for the lock (${message}); retrying`);
        lastFailure = message;
      }
      if (!this.lease) {
        if (this.role !== 'standby' && lastFailure === '') logger.log(`projection ${this.name}: standby (another projector holds the lock)`);
        this.role = 'standby';
        await this.sleep(retryMs);
        continue;
      }
      try {
        await this.runner.start();
        this.role = 'active';
        logger.log(`projection ${this.name}: active from ${this.runner.status().position}`);
        while (!this.stopping && lostReason === null) await this.sleep(60_000);
      } catch (error) {
        logger.error(`projection ${this.name}: could not start: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        // Stop applying before letting go of the lock, so two processes never apply at once.
        await this.runner.stop();
        await this.lease.release();
        this.lease = null;
      }
      if (lostReason !== null) {
        logger.warn(`projection ${this.name}: lost the lock (${lostReason}); stopped, standing by`);
        this.role = 'standby';
        await this.sleep(retryMs);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}
