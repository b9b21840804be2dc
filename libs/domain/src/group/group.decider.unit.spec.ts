import { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { deciderSpec } from '#testing/given-when-then.js';
import { foldEvents } from '../decider.js';
import { groupDecider, membersToResolve, unknownMemberIds, type KnownMembers } from './group.decider.js';
import type { GroupEvent } from './group.events.js';

const at = '2026-11-23T10:00:00.000Z';
const later = '2026-11-23T11:00:00.000Z';
const groupId = 'e9e30dba-f08f-4109-8486-d5c6a331660a';
const registry = new SchemaRegistry();
const attributes = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Sales', externalId: '8aa1a0c0' };
const created: GroupEvent = { type: 'GroupCreated', data: { groupId, attributes, at } };
const withAnnAndBob: GroupEvent = { type: 'GroupMembersAdded', data: { groupId, members: [{ value: 'ann' }, { value: 'bob' }], at } };
const spec = deciderSpec(groupDecider);
/** What the handler would have found: these ids are users of the tenant, `team` is a group. */
const knownMembers: KnownMembers = new Map([
  ...['ann', 'bob', 'carol', 'dan', 'eve', 'new', 'x'].map((id) => [id, 'User'] as const),
  ['team', 'Group'] as const,
]);
const patch = (operations: unknown[], known: KnownMembers = knownMembers) =>
  ({ type: 'PatchGroup' as const, groupId, operations: operations as never, registry, unknownAttributes: 'reject' as const, knownMembers: known, at: later });
/** The same PATCH under the tenant policy `skip` (issue 13). */
const skipping = (operations: unknown[], known: KnownMembers = knownMembers) => ({ ...patch(operations, known), unknownMembers: 'skip' as const });
const addedAt = (members: unknown[], when = later): GroupEvent => ({ type: 'GroupMembersAdded', data: { groupId, members: members as never, at: when } });

describe('group decider', () => {
  it('creates a group with an empty member list as one event (Entra POSTs groups without members)', () => {
    spec.given([]).when({ type: 'CreateGroup', groupId, attributes, members: [], knownMembers, at }).then([created]);
  });

  it('creates a group with members as a creation and one delta', () => {
    spec.given([]).when({ type: 'CreateGroup', groupId, attributes, members: [{ value: 'ann' }, { value: 'ann' }], knownMembers, at }).then([
      created,
      { type: 'GroupMembersAdded', data: { groupId, members: [{ value: 'ann', type: 'User' }], at } },
    ]);
  });

  it('refuses a group without displayName', () => {
    spec.given([]).when({ type: 'CreateGroup', groupId, attributes: { externalId: 'x' }, members: [], knownMembers, at }).thenThrows({ status: 400, scimType: 'invalidValue', detail: /displayName/ });
  });

  it("adds members with Entra's capitalised Add as a delta of only the new ones", () => {
    spec
      .given([created, withAnnAndBob])
      .when(patch([{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'bob' }, { $ref: null, value: 'carol' }] }]))
      .then([{ type: 'GroupMembersAdded', data: { groupId, members: [{ value: 'carol', type: 'User' }], at: later } }]);
  });

  it('adds members from a path-less add (aadOptscim062020)', () => {
    spec
      .given([created])
      .when(patch([{ op: 'add', value: { members: [{ value: 'dan', type: 'user' }] } }]))
      .then([{ type: 'GroupMembersAdded', data: { groupId, members: [{ value: 'dan', type: 'User' }], at: later } }]);
  });

  it('removes members by value array, recording only those that were members', () => {
    spec
      .given([created, withAnnAndBob])
      .when(patch([{ op: 'Remove', path: 'members', value: [{ value: 'ann' }, { value: 'zed' }] }]))
      .then([{ type: 'GroupMembersRemoved', data: { groupId, memberIds: ['ann'], reason: 'request', at: later } }]);
  });

  it('removes a member by members[value eq "id"] (aadOptscim062020)', () => {
    spec
      .given([created, withAnnAndBob])
      .when(patch([{ op: 'remove', path: 'members[value eq "bob"]' }]))
      .then([{ type: 'GroupMembersRemoved', data: { groupId, memberIds: ['bob'], reason: 'request', at: later } }]);
  });

  it('never removes everyone for a removal item without value', () => {
    spec.given([created, withAnnAndBob]).when(patch([{ op: 'Remove', path: 'members', value: [{ display: 'Ann' }] }])).then([]);
  });

  it('removes every member for remove of members without value (RFC 7644 §3.5.2.2)', () => {
    spec.given([created, withAnnAndBob]).when(patch([{ op: 'remove', path: 'members' }])).then([
      { type: 'GroupMembersReplaced', data: { groupId, members: [], at: later } },
    ]);
  });

  it('refuses member filters other than value eq, rather than guessing', () => {
    spec.given([created, withAnnAndBob]).when(patch([{ op: 'remove', path: 'members[display eq "Ann"]' }])).thenThrows({ status: 400, scimType: 'invalidPath' });
  });

  it('renames through the PATCH engine and records membership separately', () => {
    spec
      .given([created])
      .when(patch([{ op: 'Replace', path: 'displayName', value: 'Sales EMEA' }, { op: 'Add', path: 'members', value: [{ value: 'ann' }] }]))
      .then([
        {
          type: 'GroupUpdated',
          data: { groupId, changes: [{ path: ['displayName'], before: 'Sales', after: 'Sales EMEA' }], attributes: { ...attributes, displayName: 'Sales EMEA' }, at: later },
        },
        { type: 'GroupMembersAdded', data: { groupId, members: [{ value: 'ann', type: 'User' }], at: later } },
      ]);
  });

  it('records nothing for an add then remove of the same new member in one PATCH', () => {
    spec.given([created]).when(patch([{ op: 'add', path: 'members', value: [{ value: 'eve' }] }, { op: 'remove', path: 'members[value eq "eve"]' }])).then([]);
  });

  it('removes a deleted user from a group it was in, and does nothing where it was not', () => {
    spec.given([created, withAnnAndBob]).when({ type: 'RemoveDeletedMember', groupId, memberId: 'ann', at: later }).then([
      { type: 'GroupMembersRemoved', data: { groupId, memberIds: ['ann'], reason: 'member-deleted', at: later } },
    ]);
    spec.given([created]).when({ type: 'RemoveDeletedMember', groupId, memberId: 'ann', at: later }).then([]);
  });

  it('replaces the member list with PUT only when it differs', () => {
    // Members already in the group are not looked up again: none of these ids is known here.
    spec.given([created, withAnnAndBob]).when({ type: 'ReplaceGroup', groupId, attributes, members: [{ value: 'bob' }, { value: 'ann' }], knownMembers: new Map(), at: later }).then([]);
    spec.given([created, withAnnAndBob]).when({ type: 'ReplaceGroup', groupId, attributes, members: [{ value: 'carol' }, { value: 'bob' }], knownMembers, at: later }).then([
      { type: 'GroupMembersReplaced', data: { groupId, members: [{ value: 'carol', type: 'User' }, { value: 'bob' }], at: later } },
    ]);
  });

  it('answers 404 for commands on a deleted group', () => {
    spec.given([created, { type: 'GroupDeleted', data: { groupId, displayName: 'Sales', at } }]).when(patch([{ op: 'add', path: 'members', value: [{ value: 'x' }] }])).thenThrows({ status: 404 });
  });

  it('folds 100,000 single-member adds without copying the member set per event', () => {
    const events: GroupEvent[] = [created];
    for (let i = 0; i < 100_000; i++) events.push({ type: 'GroupMembersAdded', data: { groupId, members: [{ value: `m${i}` }], at } });
    const state = foldEvents(groupDecider, events);
    expect(state.status === 'present' && state.memberIds.size).toBe(100_000);
    expect(groupDecider.decide(patch([{ op: 'Add', path: 'members', value: [{ value: 'm5' }, { value: 'new' }] }]), state)).toEqual([
      { type: 'GroupMembersAdded', data: { groupId, members: [{ value: 'new', type: 'User' }], at: later } },
    ]);
    // Only the new id is looked up, not the 100,000 present ones.
    expect(membersToResolve(patch([{ op: 'Add', path: 'members', value: [{ value: 'm5' }, { value: 'new' }] }]), state)).toEqual([{ value: 'new' }]);
  });

  describe('members must exist (the handler looks each new one up: KnownMembers)', () => {
    it('refuses to add an id that is neither a user nor a group of the tenant, naming it', () => {
      spec
        .given([created])
        .when(patch([{ op: 'Add', path: 'members', value: [{ value: 'ann' }, { value: 'ghost' }] }]))
        .thenThrows({ status: 400, scimType: 'invalidValue', detail: /no such resource: "ghost"/ });
      spec
        .given([])
        .when({ type: 'CreateGroup', groupId, attributes, members: [{ value: 'ghost' }], knownMembers, at })
        .thenThrows({ status: 400, scimType: 'invalidValue', detail: /"ghost"/ });
      spec
        .given([created, withAnnAndBob])
        .when({ type: 'ReplaceGroup', groupId, attributes, members: [{ value: 'ann' }, { value: 'ghost' }], knownMembers, at: later })
        .thenThrows({ status: 400, scimType: 'invalidValue', detail: /"ghost"/ });
      spec
        .given([created])
        .when(patch([{ op: 'replace', path: 'members', value: [{ value: 'ghost' }] }]))
        .thenThrows({ status: 400, scimType: 'invalidValue', detail: /"ghost"/ });
    });

    it('names at most five unknown ids and counts the rest', () => {
      const ghosts = Array.from({ length: 8 }, (_, i) => ({ value: `ghost-${i}` }));
      spec.given([created]).when(patch([{ op: 'add', path: 'members', value: ghosts }])).thenThrows({ status: 400, detail: /"ghost-4" and 3 more/ });
    });

    it('fills in the type found for a member sent without one, and refuses a type that does not match', () => {
      spec
        .given([created])
        .when(patch([{ op: 'add', path: 'members', value: [{ value: 'team' }, { value: 'ann', type: 'User' }] }]))
        .then([{ type: 'GroupMembersAdded', data: { groupId, members: [{ value: 'team', type: 'Group' }, { value: 'ann', type: 'User' }], at: later } }]);
      spec
        .given([created])
        .when(patch([{ op: 'add', path: 'members', value: [{ value: 'ann', type: 'Group' }] }]))
        .thenThrows({ status: 400, scimType: 'invalidValue', detail: /"ann" is a User, not a Group/ });
    });

    it('refuses a group as a member of itself', () => {
      spec
        .given([created])
        .when(patch([{ op: 'add', path: 'members', value: [{ value: groupId }] }], new Map([[groupId, 'Group']])))
        .thenThrows({ status: 400, scimType: 'invalidValue', detail: /member of itself/ });
    });

    it('needs nothing known to remove members, even ones that no longer exist', () => {
      spec
        .given([created, withAnnAndBob])
        .when(patch([{ op: 'remove', path: 'members[value eq "ann"]' }], new Map()))
        .then([{ type: 'GroupMembersRemoved', data: { groupId, memberIds: ['ann'], reason: 'request', at: later } }]);
    });

    it('resolves only ids the command adds that are not members yet, with the type given', () => {
      const state = foldEvents(groupDecider, [created, withAnnAndBob]);
      expect(
        membersToResolve(patch([{ op: 'add', path: 'members', value: [{ value: 'ann' }, { value: 'team', type: 'Group' }] }, { op: 'remove', path: 'members[value eq "bob"]' }]), state),
      ).toEqual([{ value: 'team', type: 'Group' }]);
      expect(membersToResolve({ type: 'CreateGroup', groupId, attributes, members: [{ value: 'ann' }, { value: 'ann' }], knownMembers, at }, groupDecider.initialState)).toEqual([
        { value: 'ann' },
      ]);
      expect(membersToResolve({ type: 'ReplaceGroup', groupId, attributes, members: [{ value: 'bob' }, { value: 'carol' }], knownMembers, at }, state)).toEqual([{ value: 'carol' }]);
    });
  });
  describe('unknown members under the tenant policy skip (issue 13: Okta drops a whole push on a 400)', () => {
    it('applies the known members of an add and leaves the unknown out', () => {
      spec.given([created]).when(skipping([{ op: 'Add', path: 'members', value: [{ value: 'ann' }, { value: 'ghost' }] }])).then([addedAt([{ value: 'ann', type: 'User' }])]);
    });

    it('records nothing for a PATCH whose members are all unknown (no event, so no new version)', () => {
      spec.given([created, withAnnAndBob]).when(skipping([{ op: 'add', path: 'members', value: [{ value: 'ghost' }, { value: 'phantom' }] }])).then([]);
    });

    it('creates a group with its known members only', () => {
      spec
        .given([])
        .when({ type: 'CreateGroup', groupId, attributes, members: [{ value: 'ghost' }, { value: 'ann' }], knownMembers, unknownMembers: 'skip', at })
        .then([created, addedAt([{ value: 'ann', type: 'User' }], at)]);
    });

    it('replaces with PUT by the known members of the list, and records nothing when they are the present ones', () => {
      spec
        .given([created, withAnnAndBob])
        .when({ type: 'ReplaceGroup', groupId, attributes, members: [{ value: 'ann' }, { value: 'ghost' }, { value: 'carol' }], knownMembers, unknownMembers: 'skip', at: later })
        .then([{ type: 'GroupMembersReplaced', data: { groupId, members: [{ value: 'ann' }, { value: 'carol', type: 'User' }], at: later } }]);
      spec
        .given([created, withAnnAndBob])
        .when({ type: 'ReplaceGroup', groupId, attributes, members: [{ value: 'bob' }, { value: 'ghost' }, { value: 'ann' }], knownMembers: new Map(), unknownMembers: 'skip', at: later })
        .then([]);
    });

    it('replaces members by PATCH with the known ones: a replace by unknown ids only leaves the group empty', () => {
      spec
        .given([created, withAnnAndBob])
        .when(skipping([{ op: 'replace', path: 'members', value: [{ value: 'ghost' }, { value: 'carol' }] }]))
        .then([{ type: 'GroupMembersReplaced', data: { groupId, members: [{ value: 'carol', type: 'User' }], at: later } }]);
      spec
        .given([created, withAnnAndBob])
        .when(skipping([{ op: 'replace', value: { members: [{ value: 'ghost' }] } }]))
        .then([{ type: 'GroupMembersReplaced', data: { groupId, members: [], at: later } }]);
    });

    it('still refuses what is wrong with an id that exists: a mistyped member, the group itself', () => {
      spec.given([created]).when(skipping([{ op: 'add', path: 'members', value: [{ value: 'ann', type: 'Group' }, { value: 'ghost' }] }])).thenThrows({ status: 400, detail: /"ann" is a User, not a Group/ });
      spec.given([created]).when(skipping([{ op: 'add', path: 'members', value: [{ value: groupId }] }], new Map([[groupId, 'Group']]))).thenThrows({ status: 400, detail: /member of itself/ });
    });

    it('names the skipped ids: those offered for adding that are neither members nor known, once each', () => {
      const state = foldEvents(groupDecider, [created, withAnnAndBob]);
      const operations = [{ op: 'add', path: 'members', value: [{ value: 'ghost' }, { value: 'ann' }, { value: 'carol' }, { value: 'ghost' }] }, { op: 'add', value: { members: ['phantom'] } }];
      expect(unknownMemberIds(skipping(operations), state)).toEqual(['ghost', 'phantom']);
      expect(unknownMemberIds({ type: 'CreateGroup', groupId, attributes, members: [{ value: 'ann' }, { value: 'ghost' }], knownMembers, at }, groupDecider.initialState)).toEqual(['ghost']);
      // A PUT resending present members does not look them up, and does not report them.
      expect(unknownMemberIds({ type: 'ReplaceGroup', groupId, attributes, members: [{ value: 'ann' }, { value: 'bob' }], knownMembers: new Map(), at }, state)).toEqual([]);
    });

    it('refuses the same requests under reject (or no policy), as before', () => {
      spec.given([created]).when({ ...skipping([{ op: 'add', path: 'members', value: [{ value: 'ghost' }] }]), unknownMembers: 'reject' }).thenThrows({ status: 400, detail: /"ghost"/ });
    });
  });

  describe('tolerant reading of what clients send (issue 13)', () => {
    it("reads bare-string members as ids (Microsoft's SCIM reference collection, AzureAD/SCIMReferenceCode PostmanCollection.json)", () => {
      // "Group tests with garbage / Group patch add member": {"op":"add","path":"members","value":"string id 1"}
      spec.given([created]).when(patch([{ op: 'add', path: 'members', value: 'ann' }])).then([addedAt([{ value: 'ann', type: 'User' }])]);
      spec.given([created]).when(patch([{ op: 'add', path: 'members', value: ['ann', 'bob'] }])).then([addedAt([{ value: 'ann', type: 'User' }, { value: 'bob', type: 'User' }])]);
      spec.given([created]).when(patch([{ op: 'add', value: { members: ['carol'] } }])).then([addedAt([{ value: 'carol', type: 'User' }])]);
      spec.given([created, withAnnAndBob]).when(patch([{ op: 'remove', path: 'members', value: ['ann'] }])).then([
        { type: 'GroupMembersRemoved', data: { groupId, memberIds: ['ann'], reason: 'request', at: later } },
      ]);
      spec.given([created]).when(patch([{ op: 'add', path: 'members', value: ['  '] }])).thenThrows({ status: 400, scimType: 'invalidValue', detail: /value must be the member's id/ });
    });

    it("renames on Okta's path-less replace of {id, displayName} right after the creation (id is readOnly and ignored)", () => {
      // developer.okta.com/docs/reference/scim/scim-20/ "Update a specific Group name" (okta/okta-developer-docs)
      spec
        .given([created])
        .when(patch([{ op: 'replace', value: { id: groupId, displayName: 'Sales EMEA' } }]))
        .then([
          {
            type: 'GroupUpdated',
            data: { groupId, changes: [{ path: ['displayName'], before: 'Sales', after: 'Sales EMEA' }], attributes: { ...attributes, displayName: 'Sales EMEA' }, at: later },
          },
        ]);
      spec.given([created]).when(patch([{ op: 'replace', value: { id: groupId, displayName: 'Sales' } }])).then([]);
    });

    it('replaces members given inside a path-less replace value, beside id and displayName (Okta)', () => {
      spec
        .given([created, withAnnAndBob])
        .when(patch([{ op: 'replace', value: { id: groupId, displayName: 'Sales', members: [{ value: 'carol', display: 'Carol' }] } }]))
        .then([{ type: 'GroupMembersReplaced', data: { groupId, members: [{ value: 'carol', type: 'User', display: 'Carol' }], at: later } }]);
    });

    it('takes repeated adds of the same member as one, and an add of a present member as nothing (JumpCloud repeats adds)', () => {
      const again = { op: 'add', path: 'members', value: [{ value: 'carol' }] };
      spec.given([created]).when(patch([again, again, { op: 'add', path: 'members', value: [{ value: 'carol' }, { value: 'carol' }] }])).then([addedAt([{ value: 'carol', type: 'User' }])]);
      spec.given([created, withAnnAndBob]).when(patch([{ op: 'add', path: 'members', value: [{ value: 'ann' }] }], new Map())).then([]);
      spec.given([created, withAnnAndBob, addedAt([{ value: 'carol', type: 'User' }])]).when(patch([again])).then([]);
    });
  });
});
