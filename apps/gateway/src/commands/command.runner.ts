import { Inject, Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { ScimMetrics } from '#observability/metrics.js';
import { runCommand, type CommandOutcome, type CommandPlan } from '#event-store/command.loop.js';
import { EVENT_STORE, type EventStore, type GlobalPosition } from '#event-store/event-store.port.js';
import { StagingEventStore } from '#event-store/staging.event-store.js';
import { StreamStateCache } from '#event-store/stream-state.cache.js';
import { StreamTurns } from '#event-store/stream-turns.js';
import { inSpan } from '#observability/tracing.js';
import type { ScimCallContext } from '../http/request-context.js';
import { ReadModelProgress } from '../projections/read-model.progress.js';

const logger = new Logger('CommandRunner');

/**
 * The one way command handlers write (DESIGN.md "The one path data takes"): run the command loop against the
 * event store, report the event ids to the request's outcome (the provisioning log records them), and let the
 * answer wait for the read model. A dry run (/scim/v2/dry-run/...) runs the same loop against the request's
 * StagingEventStore: same validation, decisions and conflicts, nothing stored, nothing to wait for.
 */
@Injectable()
export class CommandRunner {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ReadModelProgress) private readonly readModel: ReadModelProgress,
    @Inject(StreamStateCache) private readonly cache: StreamStateCache,
    @Inject(StreamTurns) private readonly turns: StreamTurns,
    @Inject(ScimMetrics) private readonly metrics: ScimMetrics,
  ) {}

  async run<Result = undefined>(context: ScimCallContext, plan: CommandPlan<Result>): Promise<CommandOutcome<Result>> {
    const outcome = context.dryRun
      ? // No state cache: states folded from staged events must never serve a real command.
        await runCommand(this.stagingStoreOf(context), context.metadata, plan)
      : await runCommand(this.store, context.metadata, plan, { cache: this.cache, turns: this.turns, metrics: this.metrics.command });
    for (const stream of outcome.streams.values()) context.outcome.eventIds.push(...stream.eventIds);
    return outcome;
  }

  /**
   * Read-your-writes: the answer leaves once the read model has the write (a dry run wrote nothing). False when
   * the read model had not caught up within READ_YOUR_WRITES_TIMEOUT_MS (the write stands; it is logged), or
   * could not be asked (an outage): the write has committed, so its answer must not become a 5xx now.
   */
  async settle(context: ScimCallContext, position: GlobalPosition | null): Promise<boolean> {
    if (context.dryRun || position === null) return true;
    const started = performance.now();
    try {
      const reached = await inSpan('read_your_writes.wait', null, async (span) => {
        const caughtUp = await this.readModel.waitFor(position);
        span?.setAttribute('scim.read_model.caught_up', caughtUp);
        return caughtUp;
      });
      this.metrics.readYourWrites.waited((performance.now() - started) / 1000, reached ? 'reached' : 'timeout');
      return reached;
    } catch (error) {
      this.metrics.readYourWrites.waited((performance.now() - started) / 1000, 'error');
      logger.error(`waiting for the read model to apply a committed write failed; answering without it: ${(error as Error).message}`);
      return false;
    }
  }

  /** One staging store per request, so every operation of a dry-run Bulk sees the ones before it. */
  private stagingStoreOf(context: ScimCallContext): EventStore {
    return (context.outcome.staging ??= new StagingEventStore(this.store));
  }
}
