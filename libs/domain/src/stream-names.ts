import type { UniqueKeyKind } from './unique-key/unique-key.decider.js';

/** Stream names (DESIGN.md "Event store"): `<tenant>.user-<id>`, `<tenant>.group-<id>`, reservation streams. */
export const streamNames = {
  user: (tenantId: string, userId: string): string => `${tenantId}.user-${userId}`,
  group: (tenantId: string, groupId: string): string => `${tenantId}.group-${groupId}`,
  /** The key is URI-encoded so a userName with dots or spaces cannot collide with another stream's name. */
  uniqueKey: (tenantId: string, kind: UniqueKeyKind, normalisedKey: string): string =>
    `${tenantId}.unique-${kind}-${encodeURIComponent(normalisedKey)}`,
};
