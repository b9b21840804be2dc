import { adminUrl } from '../api.js';
import { h } from '../dom.js';
import { formatCount } from '../format.js';
import type { Page } from '../page.js';
import { hrefOf, type Route } from '../routes.js';
import { resourceOfStream } from '../timeline.js';
import { formatElapsed } from '../times.js';
import { badge, errorBox, field, successBox, table } from '../ui.js';

/** POST /admin/v1/tenants/{t}/verify (docs/audit.md "Verifying the hash chains"). */
interface ChainVerification {
  readonly tenantId: string;
  readonly eventsChecked: number;
  readonly streamsChecked: number;
  readonly ok: boolean;
  readonly problems: readonly { streamName: string; revision: string; eventId: string; kind: string; detail: string }[];
  readonly problemCount: number;
  readonly problemCounts: Readonly<Record<string, number>>;
  readonly lastPosition: string | null;
}

const KIND_MEANING: Readonly<Record<string, string>> = {
  'hash-mismatch': 'the event was changed after it was recorded',
  'broken-link': 'the event before it in its stream was changed',
  'revision-gap': 'events were deleted from the middle of the stream',
  unchained: 'the event has no hash (recorded before hash chains, or written by other means)',
};

/** The auditor's tenant-wide tools: verify the hash chains, download the export, look up a resource's history. */
export const auditPage: Page<Extract<Route, { name: 'audit' }>> = async ({ api, route, navigate, announce }) => {
  const { tenantId } = route;
  const base = `/tenants/${encodeURIComponent(tenantId)}`;

  const outcome = h('div', { 'aria-live': 'polite' });
  const verifyButton = h('button', { type: 'button' }, 'Verify the hash chains');
  verifyButton.addEventListener('click', () => {
    verifyButton.disabled = true;
    outcome.replaceChildren(h('p', null, 'Verifying: reading every event of the tenant…'));
    const started = performance.now();
    api
      .send<ChainVerification>('POST', `${base}/verify`)
      .then((result) => {
        outcome.replaceChildren(verificationView(result, performance.now() - started));
        announce(result.ok ? 'Verified: every hash chain checks out.' : `Verification failed: ${result.problemCount} problems.`);
      })
      .catch((error: unknown) => {
        outcome.replaceChildren(errorBox(error, 'Verification did not run'));
      })
      .finally(() => {
        verifyButton.disabled = false;
      });
  });

  const lookupType = h('select', { name: 'resourceType' }, h('option', { value: 'Users' }, 'User'), h('option', { value: 'Groups' }, 'Group'));
  const lookupId = h('input', { type: 'text', name: 'id', required: true, autocomplete: 'off', spellcheck: 'false' });
  const lookup = h(
    'form',
    {
      class: 'inline',
      'aria-label': 'History of a resource',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const id = lookupId.value.trim();
        if (id === '') return;
        navigate(hrefOf({ name: 'history', tenantId, resourceType: lookupType.value === 'Groups' ? 'Groups' : 'Users', id }));
      },
    },
    field('Resource type', lookupType),
    field('Resource id', lookupId, 'The SCIM id (the provisioning log and the directory show it).'),
    h('button', { type: 'submit' }, 'Show its history'),
  );

  return {
    title: `Audit of ${tenantId}`,
    body: h(
      'div',
      null,
      h('p', null, 'Every change made through SCIM is an event, kept for ever. These tools read the event store directly, never the read model SCIM reads are served from (docs/audit.md).'),
      h(
        'section',
        { 'aria-labelledby': 'verify-heading' },
        h('h2', { id: 'verify-heading' }, 'Verify the hash chains'),
        h(
          'p',
          null,
          'Each event records the SHA-256 hash of its content and of the event before it in its stream. Verification reads all of the tenant’s events and recomputes every hash and link: a changed event, or one deleted from the middle of a stream, is reported. ',
          'It cannot see the last events of a stream deleted, or a stream rewritten with every hash recomputed: compare against an export kept elsewhere for that.',
        ),
        h('div', { class: 'actions' }, verifyButton),
        outcome,
      ),
      h(
        'section',
        { 'aria-labelledby': 'export-heading' },
        h('h2', { id: 'export-heading' }, 'Export'),
        h(
          'p',
          null,
          'The tenant’s whole history as JSON Lines (application/x-ndjson): one event per line, every user, group and uniqueness-reservation stream, in the store’s order. ',
          'Each line has streamName, revision, position, id, type, schemaVersion, data, metadata (who, when, from where, and the hash chain) and recordedAt. ',
          'It can be checked offline with the script in docs/audit.md, and kept where the database’s administrators cannot change it.',
        ),
        h('p', null, h('a', { href: adminUrl(`${base}/export`), download: `${tenantId}-history.jsonl`, class: 'download' }, `Download ${tenantId}-history.jsonl`)),
        h('p', { class: 'hint' }, 'The file is streamed as it is read: a long history takes a while, and a download that breaks off is reported by the browser as failed, never as a complete file.'),
      ),
      h('section', { 'aria-labelledby': 'lookup-heading' }, h('h2', { id: 'lookup-heading' }, 'History of a resource'), lookup),
    ),
  };
};

function verificationView(result: ChainVerification, milliseconds: number): HTMLElement {
  const counts = `${formatCount(result.eventsChecked)} events in ${formatCount(result.streamsChecked)} streams checked${result.lastPosition ? `, up to position ${result.lastPosition}` : ''}, in ${formatElapsed(milliseconds)}.`;
  if (result.ok) return successBox(h('p', null, badge('OK', 'ok'), ' Every hash chain checks out.'), h('p', null, counts));
  const kinds = Object.entries(result.problemCounts).filter(([, count]) => count > 0);
  return h(
    'div',
    { class: 'notice error', role: 'alert' },
    h('p', null, badge('FAILED', 'bad'), ` ${formatCount(result.problemCount)} problem${result.problemCount === 1 ? '' : 's'}: the history of tenant ${result.tenantId} does not check out.`),
    h('p', null, counts),
    h('ul', null, kinds.map(([kind, count]) => h('li', null, `${kind}: ${formatCount(count)} (${KIND_MEANING[kind] ?? kind})`))),
    h('p', null, 'The history of a stream’s resource shows its events as they are stored now; compare them with an export kept elsewhere to see what they were.'),
    table(
      result.problemCount > result.problems.length ? `The first ${result.problems.length} problems` : 'Problems',
      ['Stream', 'Revision', 'Event id', 'Problem', 'Detail'],
      result.problems.map((problem) => {
        const resource = resourceOfStream(result.tenantId, problem.streamName);
        const stream = h('code', null, problem.streamName);
        return [
          resource ? h('a', { href: hrefOf({ name: 'history', tenantId: result.tenantId, ...resource }) }, stream) : stream,
          problem.revision,
          h('code', null, problem.eventId),
          `${problem.kind}: ${KIND_MEANING[problem.kind] ?? problem.kind}`,
          problem.detail,
        ];
      }),
    ),
  );
}
