import type { AdminClient } from '../admin-client.js';
import { flagText, requiredPositional, UsageError, type AdminCommand, type CommandOutput, type ParsedArguments } from '../admin-command.js';

/** The admin API's answers (apps/gateway/src/tenancy/*.service.ts), as far as the CLI prints them. */
interface Tenant {
  id: string;
  displayName: string | null;
  status: string;
  createdAt: string;
  disabledAt: string | null;
}

interface TenantSettings {
  tenantId: string;
  externalIdUniqueness: string;
  unknownGroupMembers: string;
  externalIdReservations?: { reserved: number; released: number };
}

interface Token {
  id: string;
  tenantId: string;
  label: string;
  status: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  rotatedFrom: string | null;
  replacedBy: string | null;
}

interface IssuedToken extends Token {
  token: string;
}

interface AdminToken {
  id: string;
  label: string;
  status: string;
  createdAt: string;
  revokedAt: string | null;
}

const path = (...segments: string[]) => segments.map((segment) => `/${encodeURIComponent(segment)}`).join('');

/** `--json` prints the API's answer as it is (for scripts); otherwise a table or a few lines for people. */
function printJson(args: ParsedArguments, output: CommandOutput, value: unknown): boolean {
  if (!args.flags.has('json')) return false;
  output.out(JSON.stringify(value, null, 2));
  return true;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

function describeTenant(tenant: Tenant): string {
  return [
    `tenant      ${tenant.id}${tenant.displayName ? ` (${tenant.displayName})` : ''}`,
    `status      ${tenant.status}${tenant.disabledAt ? ` since ${tenant.disabledAt}` : ''}`,
    `created     ${tenant.createdAt}`,
  ].join('\n');
}

function describeSettings(settings: TenantSettings): string {
  const lines = [
    `tenant                  ${settings.tenantId}`,
    `externalId uniqueness   ${settings.externalIdUniqueness}`,
    `unknown group members   ${settings.unknownGroupMembers}`,
  ];
  const moved = settings.externalIdReservations;
  if (moved) lines.push('', `externalId reservations: ${moved.reserved} reserved, ${moved.released} released (events in the reservation streams)`);
  return lines.join('\n');
}

function tokenTable(tokens: readonly Token[]): string {
  if (tokens.length === 0) return '(no tokens)';
  return table([
    ['ID', 'STATUS', 'LABEL', 'CREATED', 'EXPIRES', 'LAST USED', 'REPLACED BY'],
    ...tokens.map((t) => [t.id, t.status, t.label || '-', t.createdAt, t.expiresAt ?? 'never', t.lastUsedAt ?? '-', t.replacedBy ?? '-']),
  ]);
}

function printIssued(output: CommandOutput, issued: IssuedToken, heading: string): void {
  output.out(
    [
      heading,
      `  token id   ${issued.id}`,
      `  label      ${issued.label || '-'}`,
      `  expires    ${issued.expiresAt ?? 'never'}`,
      '',
      "SCIM bearer token (Entra: Provisioning > Admin Credentials > Secret Token), shown only this once; store it now:",
      '',
      `    ${issued.token}`,
      '',
    ].join('\n'),
  );
}

/** --expires-in-days n | --expires-at ISO → the API's body fields. */
function expiryFields(args: ParsedArguments): Record<string, unknown> {
  const days = flagText(args, 'expires-in-days');
  const at = flagText(args, 'expires-at');
  if (days !== undefined && at !== undefined) throw new UsageError('give --expires-in-days or --expires-at, not both');
  if (days !== undefined) return { expiresInDays: integerFlag(days, 'expires-in-days') };
  return at !== undefined ? { expiresAt: at } : {};
}

function integerFlag(text: string, name: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a whole number (got "${text}")`);
  return Number(text);
}

function command(name: string, usage: string, summary: string, run: (args: ParsedArguments, client: AdminClient, output: CommandOutput) => Promise<void>): AdminCommand {
  return { name, usage: `${usage} [--json]`, summary, run };
}

export const TENANT_COMMANDS: readonly AdminCommand[] = [
  command('tenants create', 'tenants create <tenantId> [--display-name <text>]', 'create a tenant (id: a-z, 0-9, "-", at most 63)', async (args, client, output) => {
    const id = requiredPositional(args, 0, '<tenantId>');
    const displayName = flagText(args, 'display-name');
    const tenant = await client.json<Tenant>('POST', '/tenants', { id, ...(displayName !== undefined ? { displayName } : {}) });
    if (printJson(args, output, tenant)) return;
    output.out(`${describeTenant(tenant)}\n\nnext: npm run admin -- tokens create ${tenant.id} --label entra`);
  }),
  command('tenants list', 'tenants list', 'list the tenants', async (args, client, output) => {
    const { tenants } = await client.json<{ tenants: Tenant[] }>('GET', '/tenants');
    if (printJson(args, output, { tenants })) return;
    output.out(
      table([
        ['ID', 'STATUS', 'DISPLAY NAME', 'CREATED'],
        ...tenants.map((t) => [t.id, t.status, t.displayName ?? '-', t.createdAt]),
      ]),
    );
  }),
  command('tenants show', 'tenants show <tenantId>', 'a tenant and its tokens (never the tokens themselves)', async (args, client, output) => {
    const tenant = await client.json<Tenant & { tokens: Token[] }>('GET', path('tenants', requiredPositional(args, 0, '<tenantId>')));
    if (printJson(args, output, tenant)) return;
    output.out(`${describeTenant(tenant)}\n\n${tokenTable(tenant.tokens)}`);
  }),
  command('tenants disable', 'tenants disable <tenantId>', "refuse all of the tenant's tokens (401)", async (args, client, output) => {
    const tenant = await client.json<Tenant>('POST', `${path('tenants', requiredPositional(args, 0, '<tenantId>'))}/disable`);
    if (printJson(args, output, tenant)) return;
    output.out(`${describeTenant(tenant)}\n\nits tokens are refused from now on (other gateway processes: within 5 s)`);
  }),
  command('tenants enable', 'tenants enable <tenantId>', "accept the tenant's tokens again", async (args, client, output) => {
    const tenant = await client.json<Tenant>('POST', `${path('tenants', requiredPositional(args, 0, '<tenantId>'))}/enable`);
    if (printJson(args, output, tenant)) return;
    output.out(describeTenant(tenant));
  }),
  command('tenants settings', 'tenants settings <tenantId>', "the tenant's externalId uniqueness and unknown-member policy", async (args, client, output) => {
    const settings = await client.json<TenantSettings>('GET', `${path('tenants', requiredPositional(args, 0, '<tenantId>'))}/settings`);
    if (printJson(args, output, settings)) return;
    output.out(describeSettings(settings));
  }),
  command(
    'tenants set',
    'tenants set <tenantId> [--external-id-uniqueness none|server] [--unknown-group-members skip|reject]',
    'change tenant settings (turning externalId uniqueness on is refused while resources share one)',
    async (args, client, output) => {
      const tenantId = requiredPositional(args, 0, '<tenantId>');
      const externalIdUniqueness = flagText(args, 'external-id-uniqueness');
      const unknownGroupMembers = flagText(args, 'unknown-group-members');
      if (externalIdUniqueness === undefined && unknownGroupMembers === undefined) {
        throw new UsageError('give --external-id-uniqueness none|server and/or --unknown-group-members skip|reject');
      }
      const settings = await client.json<TenantSettings>('PATCH', `${path('tenants', tenantId)}/settings`, {
        ...(externalIdUniqueness !== undefined ? { externalIdUniqueness } : {}),
        ...(unknownGroupMembers !== undefined ? { unknownGroupMembers } : {}),
      });
      if (printJson(args, output, settings)) return;
      output.out(describeSettings(settings));
    },
  ),
  command(
    'tokens create',
    'tokens create <tenantId> [--label <text>] [--expires-in-days <n> | --expires-at <ISO time>]',
    'issue a SCIM token (printed once)',
    async (args, client, output) => {
      const tenantId = requiredPositional(args, 0, '<tenantId>');
      const label = flagText(args, 'label');
      const issued = await client.json<IssuedToken>('POST', `${path('tenants', tenantId)}/tokens`, { ...(label !== undefined ? { label } : {}), ...expiryFields(args) });
      if (printJson(args, output, issued)) return;
      printIssued(output, issued, `created a token for tenant ${tenantId}`);
    },
  ),
  command('tokens list', 'tokens list <tenantId>', "a tenant's tokens: status, expiry, last use", async (args, client, output) => {
    const { tokens } = await client.json<{ tokens: Token[] }>('GET', `${path('tenants', requiredPositional(args, 0, '<tenantId>'))}/tokens`);
    if (printJson(args, output, { tokens })) return;
    output.out(tokenTable(tokens));
  }),
  command(
    'tokens rotate',
    'tokens rotate <tenantId> <tokenId> [--grace-seconds <n>] [--label <text>] [--expires-in-days <n> | --expires-at <ISO time>]',
    'new token (printed once); the old one works for the grace period',
    async (args, client, output) => {
      const tenantId = requiredPositional(args, 0, '<tenantId>');
      const tokenId = requiredPositional(args, 1, '<tokenId>');
      const grace = flagText(args, 'grace-seconds');
      const label = flagText(args, 'label');
      const rotated = await client.json<IssuedToken & { previous: Token }>('POST', `${path('tenants', tenantId, 'tokens', tokenId)}/rotate`, {
        ...(grace !== undefined ? { gracePeriodSeconds: integerFlag(grace, 'grace-seconds') } : {}),
        ...(label !== undefined ? { label } : {}),
        ...expiryFields(args),
      });
      if (printJson(args, output, rotated)) return;
      printIssued(output, rotated, `rotated token ${tokenId} of tenant ${tenantId}`);
      output.out(
        `the old token ${rotated.previous.id} keeps working until ${rotated.previous.expiresAt}: paste the new token into Entra's Secret Token before then, ` +
          'then Test Connection',
      );
    },
  ),
  command('tokens revoke', 'tokens revoke <tenantId> <tokenId>', 'refuse a token from now on (other gateway processes: within 5 s)', async (args, client, output) => {
    const tenantId = requiredPositional(args, 0, '<tenantId>');
    const tokenId = requiredPositional(args, 1, '<tokenId>');
    const token = await client.json<Token>('POST', `${path('tenants', tenantId, 'tokens', tokenId)}/revoke`);
    if (printJson(args, output, token)) return;
    output.out(`revoked token ${token.id} of tenant ${tenantId} at ${token.revokedAt}`);
  }),
  command('admin-tokens create', 'admin-tokens create [--label <text>]', 'issue another admin token (printed once)', async (args, client, output) => {
    const label = flagText(args, 'label');
    const issued = await client.json<AdminToken & { token: string }>('POST', '/admin-tokens', label !== undefined ? { label } : {});
    if (printJson(args, output, issued)) return;
    output.out(
      [
        'created an admin token',
        `  token id   ${issued.id}`,
        `  label      ${issued.label || '-'}`,
        '',
        'admin token (ADMIN_TOKEN for npm run admin), shown only this once; store it now:',
        '',
        `    ${issued.token}`,
        '',
      ].join('\n'),
    );
  }),
  command('admin-tokens list', 'admin-tokens list', 'the admin tokens: status, label, creation', async (args, client, output) => {
    const { tokens } = await client.json<{ tokens: AdminToken[] }>('GET', '/admin-tokens');
    if (printJson(args, output, { tokens })) return;
    output.out(table([['ID', 'STATUS', 'LABEL', 'CREATED', 'REVOKED'], ...tokens.map((t) => [t.id, t.status, t.label || '-', t.createdAt, t.revokedAt ?? '-'])]));
  }),
  command('admin-tokens revoke', 'admin-tokens revoke <tokenId>', 'refuse an admin token from its next request on (not the last active one)', async (args, client, output) => {
    const token = await client.json<AdminToken>('POST', `${path('admin-tokens', requiredPositional(args, 0, '<tokenId>'))}/revoke`);
    if (printJson(args, output, token)) return;
    output.out(`revoked admin token ${token.id} at ${token.revokedAt}`);
  }),
];
