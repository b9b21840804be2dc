/**
 * The directory pages' pure parts (no DOM): reading a SCIM user or group for display, and the paging and filter
 * of a list as the URL's query string holds them. Unit-tested in node (directory.unit.spec.ts).
 */
import { positiveInt } from './format.js';

/** Rows per page of a users or groups list when the URL names none; the admin API caps `count` at 1,000. */
export const LIST_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1_000;
/** A group's members are shown 50 at a time, whatever the group's size. */
export const MEMBER_PAGE_SIZE = 50;

/** What a list page asks the admin API for: the filter as typed, the 1-based start and the page size. */
export interface ListQuery {
  readonly filter: string;
  readonly startIndex: number;
  readonly count: number;
}

export function listQueryOf(query: URLSearchParams, pageSize = LIST_PAGE_SIZE): ListQuery {
  return {
    filter: (query.get('filter') ?? '').trim(),
    startIndex: positiveInt(query.get('startIndex'), 1),
    count: positiveInt(query.get('count'), pageSize, MAX_PAGE_SIZE),
  };
}

/** The query string of another page of the same list: empty values and the defaults are left out of the URL. */
export function listQueryString(list: ListQuery, startIndex: number, pageSize = LIST_PAGE_SIZE): Record<string, string | number | undefined> {
  return {
    filter: list.filter || undefined,
    startIndex: startIndex > 1 ? startIndex : undefined,
    count: list.count !== pageSize ? list.count : undefined,
  };
}

/** A SCIM User (RFC 7643 §4.1) as the admin API sends it; only what the pages read is typed. */
export interface ScimUser {
  readonly id: string;
  readonly userName?: unknown;
  readonly displayName?: unknown;
  readonly name?: unknown;
  readonly active?: unknown;
  readonly externalId?: unknown;
  readonly emails?: unknown;
  readonly groups?: readonly { readonly value: string; readonly display?: string; readonly type?: string }[];
  readonly meta?: { readonly created?: string; readonly lastModified?: string; readonly version?: string };
}

export interface ScimGroup {
  readonly id: string;
  readonly displayName?: unknown;
  readonly externalId?: unknown;
  readonly meta?: { readonly created?: string; readonly lastModified?: string; readonly version?: string };
}

/** A text attribute, or null when absent or not text (a client may send anything an extension allows). */
export function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** `name.formatted`, else given and family names joined, else null. */
export function personName(user: Pick<ScimUser, 'name'>): string | null {
  const name = typeof user.name === 'object' && user.name !== null ? (user.name as Record<string, unknown>) : {};
  const formatted = text(name['formatted']);
  if (formatted) return formatted;
  const parts = [name['honorificPrefix'], name['givenName'], name['middleName'], name['familyName'], name['honorificSuffix']].map(text).filter((part) => part !== null);
  return parts.length > 0 ? parts.join(' ') : null;
}

/** `active` in words: a SCIM user without the attribute is neither. */
export function activeWords(active: unknown): 'active' | 'inactive' | 'not set' {
  return active === true ? 'active' : active === false ? 'inactive' : 'not set';
}

/** The email addresses of a user, primary first. */
export function emailsOf(user: Pick<ScimUser, 'emails'>): string[] {
  if (!Array.isArray(user.emails)) return [];
  const emails = user.emails.filter((email): email is Record<string, unknown> => typeof email === 'object' && email !== null && text(email['value']) !== null);
  return [...emails.filter((email) => email['primary'] === true), ...emails.filter((email) => email['primary'] !== true)].map(
    (email) => `${email['value'] as string}${text(email['type']) ? ` (${email['type'] as string})` : ''}`,
  );
}

/** A list's member count: exact, or "1,000 or more" when the API stopped counting. */
export function memberCountWords(count: { readonly count: number; readonly capped: boolean } | undefined): string {
  if (!count) return '—';
  const number = count.count.toLocaleString('en-US');
  return count.capped ? `${number} or more` : number;
}

/**
 * The startIndex of the last page when pages hold `count` and start at 1, count+1, ...: 99,951 for 100,000 members
 * 50 a page; null for an empty list.
 */
export function lastPageStart(total: number, count: number): number | null {
  if (total <= 0 || count <= 0) return null;
  return Math.floor((total - 1) / count) * count + 1;
}

/** "1 user", "55 users", "100,000 users". */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : plural}`;
}

/**
 * The users filter that finds a group's direct members (RFC 7643 §4.1.2 `groups`), narrowed to user names that
 * start with `prefix` when one is given: a member of a large group is found by name this way, not by paging.
 * Values are written as JSON strings, which is what a SCIM filter's string literal is (RFC 7644 §3.4.2.2).
 */
export function groupMembersFilter(groupId: string, prefix = ''): string {
  const inGroup = `groups[value eq ${JSON.stringify(groupId)}]`;
  const name = prefix.trim();
  return name === '' ? inGroup : `${inGroup} and userName sw ${JSON.stringify(name)}`;
}
