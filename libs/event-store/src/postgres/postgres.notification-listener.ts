import pg from 'pg';

/** The channel every append NOTIFYs on, inside its own transaction (so it is delivered at commit, never before). */
export const APPENDED_CHANNEL = 'event_store_appended';

// After a failed connect, waiters fall back to their timeouts for this long before we try again, so a database
// outage does not turn every waitForEvents call into a connection attempt.
const RECONNECT_AFTER_MS = 1_000;

/**
 * One dedicated connection that LISTENs for appends made by other processes on a PostgreSQL server.
 * Not for PGlite: there every connection shares one backend session, so a NOTIFY reaches whichever connection
 * committed it, not the listener (measured with PGlite 0.5.14).
 */
export class PostgresNotificationListener {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private lastFailureAt = 0;
  private closed = false;

  constructor(
    private readonly connectionConfig: pg.ClientConfig,
    private readonly onAppended: () => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Resolves once appends committed from now on will be announced, or at once while the connection is down
   * (the caller's timeout is the fallback then). Never rejects: a lost listener only costs latency.
   */
  ensureListening(): Promise<void> {
    if (this.closed || this.client) return Promise.resolve();
    if (Date.now() - this.lastFailureAt < RECONNECT_AFTER_MS) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting;
    const client = this.client;
    this.client = null;
    await client?.end();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.connectionConfig);
    client.on('notification', () => this.onAppended());
    client.on('error', (error) => this.lose(client, error));
    client.on('end', () => this.lose(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${APPENDED_CHANNEL}`);
    } catch (error) {
      this.lastFailureAt = Date.now();
      this.onError(error);
      client.end().catch(() => undefined); // already reported above; this only releases the socket
      return;
    }
    if (this.closed) {
      await client.end();
      return;
    }
    this.client = client;
    // Appends committed while we were connecting were not announced to us; wake waiters so they look.
    this.onAppended();
  }

  private lose(client: pg.Client, error: Error | null): void {
    if (this.client !== client) return;
    this.client = null;
    if (error && !this.closed) {
      this.lastFailureAt = Date.now();
      this.onError(error);
    }
    // Notifications may have been missed while the connection was going away.
    this.onAppended();
  }
}
