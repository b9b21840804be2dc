/**
 * The part of the gateway's Kafka contract (docs/kafka.md) this subscriber relies on. A downstream app keeps its
 * own copy of these few types rather than importing the gateway's code: the contract is the JSON, not a library.
 */
export interface ScimResource {
  readonly id: string;
  readonly schemas: readonly string[];
  readonly meta: { readonly resourceType: 'User' | 'Group'; readonly lastModified: string; readonly version: string };
  readonly [attribute: string]: unknown;
}

export interface GroupMember {
  readonly value: string;
  readonly type?: 'User' | 'Group';
  readonly display?: string;
}

export interface ScimEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly tenantid: string;
  readonly data: {
    readonly resource: ScimResource | null;
    readonly change:
      | null
      | { readonly added: readonly GroupMember[] }
      | { readonly removed: readonly string[]; readonly reason: string }
      | { readonly members: readonly GroupMember[] }
      | Readonly<Record<string, unknown>>;
    readonly revision: number;
    readonly position: string;
  };
}
