import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The users read model: hot attributes as indexed columns for filters, the whole resource as jsonb for
 * everything else. `version` is the stream revision of the last applied event (idempotent replays).
 */
@Entity({ name: 'scim_users' })
@Index('scim_users_user_name_lower', ['tenantId', 'userNameLower'])
@Index('scim_users_external_id', ['tenantId', 'externalId'])
export class ScimUserEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @PrimaryColumn({ name: 'id', type: 'uuid' })
  id!: string;

  @Column({ name: 'user_name', type: 'text' })
  userName!: string;

  @Column({ name: 'user_name_lower', type: 'text' })
  userNameLower!: string;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  externalId!: string | null;

  @Column({ name: 'display_name', type: 'text', nullable: true })
  displayName!: string | null;

  @Column({ name: 'active', type: 'boolean', nullable: true })
  active!: boolean | null;

  /** Lower-cased values of the work emails; GIN-indexed by migration 1763900002000 (a decorator cannot say GIN). */
  @Column({ name: 'work_emails_lower', type: 'text', array: true, default: () => "'{}'" })
  workEmailsLower!: string[];

  @Column({ name: 'attributes', type: 'jsonb' })
  attributes!: Record<string, unknown>;

  @Column({ name: 'version', type: 'bigint' })
  version!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_modified_at', type: 'timestamptz' })
  lastModifiedAt!: Date;
}
