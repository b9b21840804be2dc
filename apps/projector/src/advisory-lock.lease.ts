import pg from 'pg';

export interface AdvisoryLockLeaseOptions {
  /** How often the holder checks that its session (and so its lock) is still alive. Default 1000 ms. */
  readonly heartbeatMs?: number;
  /** Called once when the lock is lost (connection gone, heartbeat failed); the holder must stop at once. */
  readonly onLost: (reason: string) => void;
}

/**
 * A PostgreSQL session-level advisory lock held on a connection of its own (DESIGN.md "Two ways to run": one active
 * projector per projection). The lock lives exactly as long as the session: when the holder dies, even by
 * kill -9, the server ends its session on the closed socket and a standby's next try gets the lock.
 *
 * Not on PGlite: all of its connections share one backend session, so every one of them would "hold" the lock.
 */
export class AdvisoryLockLease {
  private heartbeat: NodeJS.Timeout | null = null;
  private lost = false;
  private released = false;

  private constructor(
    private readonly client: pg.Client,
    private readonly lockName: string,
    private readonly options: AdvisoryLockLeaseOptions,
  ) {}

  /** The lease if the lock was free, null if another session holds it. Rejects if the database is unreachable. */
  static async tryAcquire(connectionString: string, lockName: string, options: AdvisoryLockLeaseOptions): Promise<AdvisoryLockLease | null> {
    // keepAlive: a holder whose machine vanished (no FIN) is still noticed by the server, and by us.
    const client = new pg.Client({ connectionString, keepAlive: true, application_name: `projector lock ${lockName}`.slice(0, 63) });
    client.on('error', () => undefined); // reported through the heartbeat / 'end' below once we hold the lock
    await client.connect();
    try {
      // hashtextextended: a stable 64-bit key from the name, so each projection has its own lock.
      const { rows } = await client.query<{ acquired: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS acquired',
        [lockKey(lockName)],
      );
      if (!rows[0].acquired) {
        await client.end();
        return null;
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    const lease = new AdvisoryLockLease(client, lockName, options);
    lease.watch();
    return lease;
  }

  get name(): string {
    return this.lockName;
  }

  /** Unlocks and closes the session (closing alone would release it too). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.stopHeartbeat();
    if (!this.lost) {
      await this.client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey(this.lockName)]).catch(() => undefined);
    }
    await this.client.end().catch(() => undefined);
  }

  private watch(): void {
    this.client.on('error', (error) => this.lose(`lock connection failed: ${error.message}`));
    this.client.on('end', () => this.lose('lock connection closed'));
    const heartbeatMs = this.options.heartbeatMs ?? 1000;
    const beat = () => {
      // The query fails if the session is gone (server restart, terminated backend, network) even without an 'end'.
      this.client
        .query('SELECT 1')
        .then(() => {
          if (!this.lost && !this.released) this.heartbeat = setTimeout(beat, heartbeatMs);
        })
        .catch((error: Error) => this.lose(`lock heartbeat failed: ${error.message}`));
    };
    this.heartbeat = setTimeout(beat, heartbeatMs);
  }

  private lose(reason: string): void {
    if (this.lost || this.released) return;
    this.lost = true;
    this.stopHeartbeat();
    this.client.end().catch(() => undefined);
    this.options.onLost(reason);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearTimeout(this.heartbeat);
    this.heartbeat = null;
  }
}

function lockKey(lockName: string): string {
  return `scim-gateway.projection:${lockName}`;
}
