import type { StreamDecision } from '#event-store/command.loop.js';
import type { GroupsQuery } from '#read-model/groups.query.js';
import type { CommandRunner } from '../commands/command.runner.js';
import type { ScimCallContext } from '../http/request-context.js';
import { sweepDeletedMember } from './group-members.js';

const context = { tenantId: 't1', dryRun: false, metadata: { occurredAt: '2026-12-07T00:00:00.000Z' }, outcome: { dryRun: false, eventIds: [] } } as unknown as ScimCallContext;
const outage = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

/** The sweep after a committed deletion (issue 12: a DELETE answered 500 although the user was deleted). */
describe('sweepDeletedMember after a committed deletion', () => {
  it('does not fail the request when the sweep fails, and repairs it in the background', async () => {
    let lookups = 0;
    const groups = {
      groupIdsOfMember: async () => {
        lookups++;
        if (lookups === 1) throw outage();
        return ['00000000-0000-4000-8000-000000000001'];
      },
    } as unknown as GroupsQuery;
    let swept!: (decisions: readonly StreamDecision[]) => void;
    const sweptDecisions = new Promise<readonly StreamDecision[]>((resolve) => (swept = resolve));
    const commands = {
      run: async (_context: ScimCallContext, plan: () => Promise<readonly StreamDecision[]>) => {
        swept(await plan());
        return { position: null };
      },
      settle: async () => true,
    } as unknown as CommandRunner;

    await expect(sweepDeletedMember(commands, groups, context, 'user-1', true, [0])).resolves.toBeUndefined();

    const decisions = await sweptDecisions;
    expect(decisions.map((decision) => [decision.streamName, (decision.command as { type: string; memberId: string }).type])).toEqual([
      ['t1.group-00000000-0000-4000-8000-000000000001', 'RemoveDeletedMember'],
    ]);
    expect(lookups).toBe(2);
  });
});
