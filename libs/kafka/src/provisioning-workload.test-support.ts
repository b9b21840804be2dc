import { randomUUID } from 'node:crypto';
import { groupDecider, type GroupState } from '#domain/group/group.decider.js';
import type { ScimAttributes } from '#domain/scim-resource.js';
import { streamNames } from '#domain/stream-names.js';
import { normaliseUniqueKey, uniqueKeyDecider } from '#domain/unique-key/unique-key.decider.js';
import { userDecider, type UserState } from '#domain/user/user.decider.js';
import { decision, runCommand, type StreamDecision } from '#event-store/command.loop.js';
import type { EventMetadata, EventStore, GlobalPosition } from '#event-store/event-store.port.js';
import { SchemaRegistry } from '#scim/schema/schema.registry.js';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export interface ExpectedGroup {
  readonly attributes: ScimAttributes;
  readonly memberIds: ReadonlySet<string>;
}

export type WorkloadOperation =
  | 'createUser' | 'replaceUser' | 'deactivateUser' | 'reactivateUser' | 'deleteUser'
  | 'createGroup' | 'addMembers' | 'removeMembers' | 'replaceGroup' | 'deleteGroup';

/** A small deterministic PRNG (mulberry32): a failing run is reproduced from the seed it printed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random provisioning workload the way the gateway writes it: the real deciders through the command loop,
 * userName reservations in the same append, a deleted user leaving its groups. Keeps the state it expects
 * every downstream copy to end with.
 */
export class ProvisioningWorkload {
  readonly users = new Map<string, ScimAttributes>();
  readonly groups = new Map<string, ExpectedGroup>();
  readonly counts: Partial<Record<WorkloadOperation, number>> = {};
  /** Greatest position appended so far. */
  lastPosition: GlobalPosition | null = null;
  private readonly next: () => number;
  private readonly registry = new SchemaRegistry();
  private serial = 0;

  constructor(
    private readonly store: EventStore,
    readonly tenantId: string,
    readonly seed: number,
  ) {
    this.next = random(seed);
  }

  async run(operations: number): Promise<void> {
    for (let i = 0; i < operations; i++) await this.step();
  }

  async step(): Promise<WorkloadOperation> {
    const operation = this.chooseOperation();
    await this.perform(operation);
    this.counts[operation] = (this.counts[operation] ?? 0) + 1;
    return operation;
  }

  private chooseOperation(): WorkloadOperation {
    const users = this.users.size;
    const groups = this.groups.size;
    const roll = this.next();
    if (users < 3 || roll < 0.22) return 'createUser';
    if (roll < 0.34) return 'replaceUser';
    if (roll < 0.42) return [...this.users.values()].some((u) => u['active'] === true) ? 'deactivateUser' : 'reactivateUser';
    if (roll < 0.48) return 'reactivateUser';
    if (roll < 0.53) return 'deleteUser';
    if (groups < 2 || roll < 0.62) return 'createGroup';
    if (roll < 0.78) return 'addMembers';
    if (roll < 0.88) return 'removeMembers';
    if (roll < 0.95) return 'replaceGroup';
    return 'deleteGroup';
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.next() * items.length)];
  }

  private somePresentUsers(max: number): string[] {
    const ids = [...this.users.keys()];
    const chosen = new Set<string>();
    const count = 1 + Math.floor(this.next() * max);
    for (let i = 0; i < count && ids.length > 0; i++) chosen.add(this.pick(ids)!);
    return [...chosen];
  }

  private metadata(): EventMetadata {
    return {
      tenantId: this.tenantId,
      tokenId: 'workload-token',
      requestId: randomUUID(),
      correlationId: randomUUID(),
      sourceIp: '127.0.0.1',
      userAgent: 'provisioning-workload',
      occurredAt: new Date().toISOString(),
    };
  }

  private async command(plan: () => StreamDecision[]): Promise<Map<string, unknown>> {
    const outcome = await runCommand(this.store, this.metadata(), async () => plan());
    if (outcome.position) this.lastPosition = outcome.position;
    return new Map([...outcome.streams].map(([name, stream]) => [name, stream.state]));
  }

  private async perform(operation: WorkloadOperation): Promise<void> {
    const t = this.tenantId;
    const at = new Date().toISOString();
    switch (operation) {
      case 'createUser': {
        const userId = randomUUID();
        const userName = `user${++this.serial}.${this.seed}@example.com`;
        const attributes = { schemas: [CORE_USER], userName, displayName: `User ${this.serial}`, active: true, emails: [{ value: userName, type: 'work', primary: true }] };
        const states = await this.command(() => [
          decision(streamNames.uniqueKey(t, 'userName', normaliseUniqueKey('userName', userName)), uniqueKeyDecider, {
            type: 'ReserveUniqueKey', kind: 'userName', key: userName, ownerId: userId, at,
          }),
          decision(streamNames.user(t, userId), userDecider, { type: 'CreateUser', userId, attributes, at }),
        ]);
        this.rememberUser(userId, states.get(streamNames.user(t, userId)) as UserState);
        return;
      }
      case 'replaceUser':
      case 'deactivateUser':
      case 'reactivateUser': {
        const userId = this.pick([...this.users.keys()]);
        if (!userId) return;
        const current = this.users.get(userId)!;
        const command =
          operation === 'replaceUser'
            ? { type: 'ReplaceUser' as const, userId, attributes: { ...current, displayName: `Renamed ${++this.serial}`, title: this.pick(['Engineer', 'Manager', undefined]) }, at }
            : { type: 'PatchUser' as const, userId, operations: [{ op: 'Replace', path: 'active', value: operation === 'reactivateUser' }], registry: this.registry, unknownAttributes: 'reject' as const, at };
        if (command.type === 'ReplaceUser' && command.attributes.title === undefined) delete (command.attributes as Record<string, unknown>).title;
        const states = await this.command(() => [decision(streamNames.user(t, userId), userDecider, command)]);
        this.rememberUser(userId, states.get(streamNames.user(t, userId)) as UserState);
        return;
      }
      case 'deleteUser': {
        const userId = this.pick([...this.users.keys()]);
        if (!userId) return;
        const userName = String(this.users.get(userId)!['userName']);
        const groupsWithUser = [...this.groups].filter(([, group]) => group.memberIds.has(userId)).map(([id]) => id);
        const states = await this.command(() => [
          decision(streamNames.user(t, userId), userDecider, { type: 'DeleteUser', userId, at }),
          decision(streamNames.uniqueKey(t, 'userName', normaliseUniqueKey('userName', userName)), uniqueKeyDecider, {
            type: 'ReleaseUniqueKey', kind: 'userName', key: userName, ownerId: userId, at,
          }),
          ...groupsWithUser.map((groupId) =>
            decision(streamNames.group(t, groupId), groupDecider, { type: 'RemoveDeletedMember', groupId, memberId: userId, at }),
          ),
        ]);
        this.users.delete(userId);
        for (const groupId of groupsWithUser) this.rememberGroup(groupId, states.get(streamNames.group(t, groupId)) as GroupState);
        return;
      }
      case 'createGroup': {
        const groupId = randomUUID();
        const attributes = { schemas: [CORE_GROUP], displayName: `Group ${++this.serial}`, externalId: `ext-${this.serial}` };
        const members = this.somePresentUsers(3).map((value) => ({ value, type: 'User' as const }));
        const states = await this.command(() => [decision(streamNames.group(t, groupId), groupDecider, { type: 'CreateGroup', groupId, attributes, members, knownMembers: asUsers(members), at })]);
        this.rememberGroup(groupId, states.get(streamNames.group(t, groupId)) as GroupState);
        return;
      }
      case 'addMembers':
      case 'removeMembers':
      case 'replaceGroup':
      case 'deleteGroup': {
        const groupId = this.pick([...this.groups.keys()]);
        if (!groupId) return;
        const group = this.groups.get(groupId)!;
        let command;
        if (operation === 'addMembers') {
          const added = this.somePresentUsers(3).map((value) => ({ value }));
          command = { type: 'PatchGroup' as const, groupId, registry: this.registry, unknownAttributes: 'reject' as const, at, knownMembers: asUsers(added), operations: [{ op: 'Add', path: 'members', value: added }] };
        } else if (operation === 'removeMembers') {
          const memberId = this.pick([...group.memberIds]);
          if (!memberId) return;
          command = { type: 'PatchGroup' as const, groupId, registry: this.registry, unknownAttributes: 'reject' as const, at, knownMembers: asUsers([]), operations: [{ op: 'Remove', path: `members[value eq "${memberId}"]` }] };
        } else if (operation === 'replaceGroup') {
          const members = this.somePresentUsers(4).map((value) => ({ value, type: 'User' as const }));
          command = { type: 'ReplaceGroup' as const, groupId, attributes: { ...group.attributes, displayName: `Group ${++this.serial} (renamed)` }, members, knownMembers: asUsers(members), at };
        } else {
          command = { type: 'DeleteGroup' as const, groupId, at };
        }
        const states = await this.command(() => [decision(streamNames.group(t, groupId), groupDecider, command)]);
        this.rememberGroup(groupId, states.get(streamNames.group(t, groupId)) as GroupState);
        return;
      }
    }
  }

  private rememberUser(userId: string, state: UserState): void {
    if (state.status === 'present') this.users.set(userId, state.attributes);
    else this.users.delete(userId);
  }

  private rememberGroup(groupId: string, state: GroupState): void {
    if (state.status === 'present') this.groups.set(groupId, { attributes: state.attributes, memberIds: new Set(state.memberIds) });
    else this.groups.delete(groupId);
  }
}

/** These members are users this workload created and has not deleted (the gateway's handler looks them up). */
function asUsers(members: readonly { readonly value: string }[]): ReadonlyMap<string, 'User' | 'Group'> {
  return new Map(members.map((member) => [member.value, 'User' as const]));
}
