import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The groups read model; members are in ScimGroupMemberEntity. `version` is the stream revision last applied. */
@Entity({ name: 'scim_groups' })
@Index('scim_groups_display_name_lower', ['tenantId', 'displayNameLower'])
@Index('scim_groups_external_id', ['tenantId', 'externalId'])
export class ScimGroupEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @PrimaryColumn({ name: 'id', type: 'uuid' })
  id!: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName!: string;

  @Column({ name: 'display_name_lower', type: 'text' })
  displayNameLower!: string;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  externalId!: string | null;

  @Column({ name: 'attributes', type: 'jsonb' })
  attributes!: Record<string, unknown>;

  @Column({ name: 'version', type: 'bigint' })
  version!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_modified_at', type: 'timestamptz' })
  lastModifiedAt!: Date;
}

@Entity({ name: 'scim_group_members' })
@Index('scim_group_members_member', ['tenantId', 'memberId'])
export class ScimGroupMemberEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @PrimaryColumn({ name: 'group_id', type: 'uuid' })
  groupId!: string;

  @PrimaryColumn({ name: 'member_id', type: 'text' })
  memberId!: string;

  @Column({ name: 'member_type', type: 'text', nullable: true })
  memberType!: string | null;

  @Column({ name: 'display', type: 'text', nullable: true })
  display!: string | null;
}
