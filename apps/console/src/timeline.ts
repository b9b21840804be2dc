/**
 * A resource's history (GET /admin/v1/tenants/{t}/history/{type}/{id}, docs/audit.md) as a timeline of what each
 * event changed. Pure (no DOM). The events carry the states themselves: a user's whole `attributes` after each
 * create or update, a group's own attributes likewise, and its members as the membership events list them (added
 * members, removed ids, the complete new list). Nothing is decided here: each event's change is the difference
 * between the state the events before it left and the state it records.
 */
import { diff, type Diff, DEFAULT_CHANGE_LIMIT } from './diff.js';

/** One event as the history API returns it. */
export interface HistoryEvent {
  readonly revision: string;
  readonly position: string;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly recordedAt: string;
  readonly occurredAt: string;
  readonly tokenId: string | null;
  readonly sourceIp: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
  readonly correlationId: string | null;
  readonly traceparent: string | null;
  readonly data: unknown;
  readonly hash: string | null;
  readonly previousHash: string | null;
}

export interface TimelineItem {
  readonly event: HistoryEvent;
  /** What happened, in words: "created", "updated", "deleted (userName was "ann@contoso.com")", "2 members added". */
  readonly summary: string;
  /** What changed; empty for a delete (the summary says it) and for event types this console does not know. */
  readonly diff: Diff;
}

interface Member {
  readonly value: string;
  readonly type?: string;
  readonly display?: string;
}

type Plain = Record<string, unknown>;

const record = (value: unknown): Plain => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Plain) : {});
const members = (value: unknown): Member[] => (Array.isArray(value) ? value.filter((item): item is Member => typeof record(item)['value'] === 'string') : []);
const NO_CHANGE: Diff = { changes: [], total: 0 };

/** Each event with what it changed, oldest first (the order the API returns). */
export function timelineOf(events: readonly HistoryEvent[], limit = DEFAULT_CHANGE_LIMIT): TimelineItem[] {
  let attributes: Plain | undefined;
  // A group's members, in the order they joined (a Map keeps insertion order); one entry each, whatever the group's size.
  let groupMembers = new Map<string, Member>();
  const items: TimelineItem[] = [];
  for (const event of events) {
    const data = record(event.data);
    switch (event.type) {
      case 'UserCreated':
      case 'GroupCreated': {
        const next = record(data['attributes']);
        items.push({ event, summary: 'created', diff: diff(undefined, next, limit) });
        attributes = next;
        break;
      }
      case 'UserUpdated':
      case 'GroupUpdated': {
        const next = record(data['attributes']);
        items.push({ event, summary: 'updated', diff: diff(attributes, next, limit) });
        attributes = next;
        break;
      }
      case 'UserDeleted':
      case 'GroupDeleted': {
        const name = event.type === 'UserDeleted' ? ['userName', data['userName']] : ['displayName', data['displayName']];
        items.push({ event, summary: typeof name[1] === 'string' ? `deleted (its ${name[0]} was ${JSON.stringify(name[1])})` : 'deleted', diff: NO_CHANGE });
        attributes = undefined;
        groupMembers = new Map();
        break;
      }
      case 'GroupMembersAdded': {
        const added = members(data['members']);
        items.push({ event, summary: `${count(added.length, 'member')} added`, diff: diff({ members: [] }, { members: added }, limit) });
        for (const member of added) groupMembers.set(member.value, member);
        break;
      }
      case 'GroupMembersRemoved': {
        const ids = Array.isArray(data['memberIds']) ? data['memberIds'].filter((id): id is string => typeof id === 'string') : [];
        const removed = ids.map((id) => groupMembers.get(id) ?? { value: id });
        const why = data['reason'] === 'member-deleted' ? ' (the member was deleted)' : '';
        items.push({ event, summary: `${count(ids.length, 'member')} removed${why}`, diff: diff({ members: removed }, { members: [] }, limit) });
        for (const id of ids) groupMembers.delete(id);
        break;
      }
      case 'GroupMembersReplaced': {
        const next = members(data['members']);
        items.push({ event, summary: `members replaced (${count(next.length, 'member')} now)`, diff: diff({ members: [...groupMembers.values()] }, { members: next }, limit) });
        groupMembers = new Map(next.map((member) => [member.value, member]));
        break;
      }
      default:
        items.push({ event, summary: event.type, diff: NO_CHANGE });
    }
  }
  return items;
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

/** The user or group a stream of the tenant holds (`contoso.user-<id>`); null for reservation streams and others. */
export function resourceOfStream(tenantId: string, streamName: string): { readonly resourceType: 'Users' | 'Groups'; readonly id: string } | null {
  for (const [kind, resourceType] of [['user', 'Users'], ['group', 'Groups']] as const) {
    const prefix = `${tenantId}.${kind}-`;
    if (streamName.startsWith(prefix) && streamName.length > prefix.length) return { resourceType, id: streamName.slice(prefix.length) };
  }
  return null;
}
