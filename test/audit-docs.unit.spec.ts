import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { GROUP_EVENT_TYPES } from '#domain/group/group.events.js';
import { USER_EVENT_TYPES } from '#domain/user/user.events.js';
import type { EventMetadata } from '#event-store/event-store.port.js';
import { canonicalJson, eventHash, hashInput, type HashableEvent } from '#event-store/audit/event-hash.js';
import type { ExportedEvent } from '#event-store/audit/tenant-history.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** The fenced blocks of one section (from its heading to the next heading of the same level), by info string. */
function fencedBlocks(markdown: string, heading: string, info: string): string[] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no section "${heading}"`);
  const level = heading.split(' ')[0];
  const next = markdown.indexOf(`\n${level} `, start + heading.length + 1);
  const section = markdown.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(new RegExp('^```' + info + '\\n([\\s\\S]*?)\\n```$', 'gm'))].map((match) => match[1]);
}

function hashable(line: ExportedEvent): HashableEvent {
  return { ...line, revision: BigInt(line.revision), metadata: line.metadata as EventMetadata };
}

/** docs/audit-format.md's worked example is what the gateway's own code computes, so a verifier may trust it. */
describe('docs/audit-format.md worked example', () => {
  const doc = read('docs/audit-format.md');
  const [jsonl] = fencedBlocks(doc, '## Worked example: two chained events', 'jsonl');
  const texts = fencedBlocks(doc, '## Worked example: two chained events', 'text');
  const lines = jsonl.split('\n').map((line) => JSON.parse(line) as ExportedEvent);

  it('prints two export lines of one stream and the hashed text of each', () => {
    expect(lines.map((line) => [line.streamName, line.revision])).toEqual([
      [lines[0].streamName, '0'],
      [lines[0].streamName, '1'],
    ]);
    expect(texts).toHaveLength(2);
  });

  it.each([0, 1])('revision %i: the printed text is the canonical input, and its SHA-256 the recorded hash', (index) => {
    const event = hashable(lines[index]);
    expect(canonicalJson(hashInput(event))).toBe(texts[index]);
    expect(eventHash(event)).toBe(lines[index].metadata.hash);
  });

  it('chains revision 1 to revision 0, and the prose names the same hashes', () => {
    expect(doc).toContain(`Its SHA-256 is the event's \`hash\`: \`${lines[0].metadata.hash}\``);
    expect(doc).toContain(`\`previousHash\` is revision 0's hash, \`${lines[0].metadata.hash}\``);
    expect(doc).toContain(`Its SHA-256 is \`${lines[1].metadata.hash}\``);
    expect(lines[0].metadata.previousHash).toBeNull();
    expect(lines[1].metadata.previousHash).toBe(lines[0].metadata.hash);
  });
});

/** docs/audit.md names the data fields of every event type libs/domain defines. */
describe('docs/audit.md event types', () => {
  const domain = path.join(ROOT, 'libs/domain/src');
  const sources = readdirSync(domain, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.includes('.spec.'))
    .map((file) => readFileSync(path.join(domain, file), 'utf8'))
    .join('\n');
  const defined = [...new Set([...sources.matchAll(/DomainEvent<\s*'([A-Za-z]+)'/g)].map((match) => match[1]))];
  const rows = new Set([...read('docs/audit.md').matchAll(/^\| `([A-Za-z]+)` +\| `<tenant>\.[a-z]+-/gm)].map((match) => match[1]));

  it('finds the event types in libs/domain (every user and group type, and the reservations)', () => {
    expect(defined).toEqual(expect.arrayContaining([...USER_EVENT_TYPES, ...GROUP_EVENT_TYPES, 'UniqueKeyReserved', 'UniqueKeyReleased']));
  });

  it.each(defined)('has a row for %s', (type) => {
    expect(rows).toContain(type);
  });

  it('names the membership fields as the events carry them', () => {
    const doc = read('docs/audit.md');
    expect(doc).toMatch(/^\| `GroupMembersRemoved` .*`memberIds`/m);
    expect(doc).toMatch(/^\| `GroupMembersAdded` .*`members`/m);
    expect(doc).toMatch(/^\| `GroupMembersReplaced` .*`members`/m);
  });
});
