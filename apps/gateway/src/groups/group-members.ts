import { Logger } from '@nestjs/common';
import { groupDecider, type KnownMembers } from '#domain/group/group.decider.js';
import type { GroupMember } from '#domain/group/group.events.js';
import { streamNames } from '#domain/stream-names.js';
import { userDecider } from '#domain/user/user.decider.js';
import { decision, type StreamDecision, type StreamLoader } from '#event-store/command.loop.js';
import type { GroupsQuery } from '#read-model/groups.query.js';
import type { CommandRunner } from '../commands/command.runner.js';
import type { ScimCallContext } from '../http/request-context.js';

const logger = new Logger('GroupMembers');

/**
 * What each id a group command may add is (the decider refuses the others), loaded with the loader's dependOn:
 * the command then commits only if none of those users or groups changed meanwhile, so a member deleted while
 * the command runs is never added. Untyped ids (Entra sends no `type`) are looked up as users, then as groups.
 */
export async function resolveMembers(loader: StreamLoader, tenantId: string, members: readonly GroupMember[]): Promise<KnownMembers> {
  const known = new Map<string, 'User' | 'Group'>();
  const lookUp = async (ids: readonly string[], kind: 'User' | 'Group') => {
    if (ids.length === 0) return;
    const streams = ids.map((id) => (kind === 'User' ? streamNames.user(tenantId, id) : streamNames.group(tenantId, id)));
    const loaded = kind === 'User' ? await loader.dependOn(streams, userDecider) : await loader.dependOn(streams, groupDecider);
    loaded.forEach(({ state }, index) => {
      if (state.status === 'present') known.set(ids[index], kind);
    });
  };
  await lookUp(members.filter((member) => member.type !== 'Group').map((member) => member.value), 'User');
  await lookUp(members.filter((member) => !known.has(member.value)).map((member) => member.value), 'Group');
  // Only for a refusal that says what the id is: a user sent as type Group.
  await lookUp(members.filter((member) => member.type === 'Group' && !known.has(member.value)).map((member) => member.value), 'User');
  return known;
}

/** The member's removal from each of these groups, one GroupMembersRemoved (reason member-deleted) per group. */
export function removalsFromGroups(tenantId: string, memberId: string, groupIds: readonly string[], at: string): StreamDecision[] {
  return groupIds.map((groupId) =>
    decision(streamNames.group(tenantId, groupId), groupDecider, { type: 'RemoveDeletedMember', groupId, memberId, at }),
  );
}

/**
 * Once a user's or group's deletion has settled, removes it from any group the read model still lists it in.
 * The deletion removed it from the groups the read model listed when it was decided; a membership committed
 * just before the deletion but not yet applied to the read model then escaped it. No membership can commit
 * after the deletion (group commands depend on the member's stream, see resolveMembers), so once the read
 * model has the deletion it has every such membership, and one sweep finds them all.
 */
export async function sweepDeletedMember(
  commands: CommandRunner,
  groups: GroupsQuery,
  context: ScimCallContext,
  memberId: string,
  settled: boolean,
  retryDelaysMs: readonly number[] = SWEEP_RETRY_DELAYS_MS,
): Promise<void> {
  if (context.dryRun) return; // nothing was stored, nothing can have escaped
  if (!settled) {
    logger.warn(`read model has not applied the deletion of ${memberId}: memberships added just before it were not checked for`);
    return;
  }
  const sweep = async () => {
    const stragglers = await groups.groupIdsOfMember(context.tenantId, memberId);
    if (stragglers.length === 0) return;
    const outcome = await commands.run(context, async () => removalsFromGroups(context.tenantId, memberId, stragglers, context.metadata.occurredAt));
    await commands.settle(context, outcome.position);
  };
  try {
    await sweep();
  } catch (error) {
    // The deletion has committed, so the request answers its success; the sweep is repaired in the background
    // (it is idempotent: a second run finds what the first left, or nothing).
    logger.error(`removing deleted ${memberId} from the groups still listing it failed; retrying in the background: ${(error as Error).message}`);
    retryInBackground(sweep, `the sweep of deleted ${memberId}`, retryDelaysMs);
  }
}

/** Waits between the background attempts of a failed sweep: about ten minutes in all, then it is logged as given up. */
const SWEEP_RETRY_DELAYS_MS = [1_000, 5_000, 15_000, 60_000, 120_000, 300_000];

/** Runs `work` again after each delay until it succeeds; its timers do not keep the process alive. */
function retryInBackground(work: () => Promise<void>, what: string, delaysMs: readonly number[]): void {
  const attempt = (index: number) => {
    if (index >= delaysMs.length) {
      logger.error(`${what} failed ${delaysMs.length} more times; giving up: those groups still list the deleted member until a PATCH removes it`);
      return;
    }
    setTimeout(() => {
      work().then(
        () => logger.log(`${what} succeeded on background attempt ${index + 1}`),
        (error: unknown) => {
          logger.warn(`${what} failed again (background attempt ${index + 1}): ${(error as Error).message}`);
          attempt(index + 1);
        },
      );
    }, delaysMs[index]).unref();
  };
  attempt(0);
}
