import { randomUUID } from 'node:crypto';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { createTestTenant } from '../support/test-tenant.js';

/**
 * Replays of what real SCIM clients send (issue 13, "Per-client replay suites"): one gateway per suite, a tenant of
 * the suite's own (a PostgreSQL server keeps earlier runs' resources, and a client that lists every group must
 * see only its own), and one way to send a recorded request and assert the answer the client needs.
 */
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ClientAnswer {
  readonly status: number;
  /** The parsed JSON body; undefined for an empty one (204). */
  // any: a SCIM resource or message that the test reads field by field
  readonly body: any;
  readonly headers: Record<string, string>;
}

/** What a client accepts as success for each method (RFC 7644 §3.3, §3.4.1, §3.5.1, §3.5.2, §3.6). */
const SUCCESS: Record<Method, readonly number[]> = { get: [200], post: [201], put: [200], patch: [200, 204], delete: [204] };

export interface ClientReplay {
  readonly gateway: TestGateway;
  readonly tenantId: string;
  /** A tag unique to this run, for userNames and displayNames (the server database outlives the run). */
  readonly tag: string;
  /**
   * Sends one request as the client would and asserts its status: by default the success the client expects for
   * the method, else the statuses given. A failure names the request and shows the gateway's answer.
   */
  send(method: Method, path: string, body?: unknown, expected?: number | readonly number[]): Promise<ClientAnswer>;
  /** GET with a filter (RFC 7644 §3.4.2.2), encoded as a client encodes it. */
  filter(resource: 'Users' | 'Groups', expression: string, extra?: string): Promise<ClientAnswer>;
  /** The member ids of a group, sorted, read back with GET. */
  memberIds(groupId: string): Promise<string[]>;
  close(): Promise<void>;
}

/** A gateway (on the backend the env names) and a fresh tenant with a SCIM token, for one client's suite. */
export async function startClientReplay(client: string, env: Record<string, string> = {}): Promise<ClientReplay> {
  const gateway = await startTestGateway(env);
  const tag = randomUUID().slice(0, 8);
  const tenant = await createTestTenant(gateway, client);
  const tenantId = tenant.id;

  async function send(method: Method, path: string, body?: unknown, expected?: number | readonly number[]): Promise<ClientAnswer> {
    const response = await tenant.scim(method, path, body);
    const accepted = expected === undefined ? SUCCESS[method] : typeof expected === 'number' ? [expected] : expected;
    const request = `${method.toUpperCase()} ${path}${body === undefined ? '' : ` ${JSON.stringify(body)}`}`;
    // One line per request, so a failure reads as the exchange it was: what was sent, what came back.
    expect(`${request} -> ${accepted.includes(response.status) ? accepted.join('|') : `${response.status} ${response.text}`}`).toBe(
      `${request} -> ${accepted.join('|')}`,
    );
    return { status: response.status, body: response.text ? JSON.parse(response.text) : undefined, headers: response.headers as Record<string, string> };
  }

  return {
    gateway,
    tenantId,
    tag,
    send,
    filter: (resource, expression, extra = '') => send('get', `/scim/v2/${resource}?${extra}filter=${encodeURIComponent(expression)}`),
    async memberIds(groupId) {
      const group = (await send('get', `/scim/v2/Groups/${groupId}`)).body as { members?: { value: string }[] };
      return (group.members ?? []).map((member) => member.value).sort();
    },
    close: () => gateway.close(),
  };
}
