/**
 * Turns on streams within one process: a command that lost a race for a stream (a version conflict) waits until
 * the commands before it that lost the same race are done, then decides again on fresh reads. So N concurrent
 * writes to one user or group cost about N appends instead of N² retries, and none of them runs out of attempts
 * (docs/decisions.md "Contention is not a conflict"). Another process's writers are not in the queue: the command
 * loop's retries with jittered back-off handle them.
 */
export class StreamTurns {
  /** Per stream, the promise that resolves when the last command queued for it has released its turn. */
  private readonly tails = new Map<string, Promise<void>>();

  /** Waits for the stream's turn; the answer releases it (call it exactly once, in a finally). */
  async take(streamName: string): Promise<() => void> {
    const before = this.tails.get(streamName) ?? Promise.resolve();
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = before.then(() => released);
    this.tails.set(streamName, tail);
    await before;
    return () => {
      release();
      if (this.tails.get(streamName) === tail) this.tails.delete(streamName);
    };
  }

  /** Streams someone holds or waits for (for tests: an idle process holds none). */
  get size(): number {
    return this.tails.size;
  }
}
