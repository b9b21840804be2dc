import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A tenant is one SCIM directory (one Entra enterprise application): its own data, uniqueness and tokens. */
@Entity({ name: 'tenants' })
export class TenantEntity {
  @PrimaryColumn({ name: 'id', type: 'text' })
  id!: string;

  @Column({ name: 'status', type: 'text' })
  status!: 'active' | 'disabled';

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'display_name', type: 'text', nullable: true })
  displayName!: string | null;

  /** Set while status is 'disabled': every token of the tenant is refused (401). */
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;

  /** docs/admin.md "Tenant settings"; read through TenantSettings. */
  @Column({ name: 'external_id_uniqueness', type: 'text' })
  externalIdUniqueness!: 'none' | 'server';

  /** null: the deployment's default (SCIM_UNKNOWN_GROUP_MEMBERS). */
  @Column({ name: 'unknown_group_members', type: 'text', nullable: true })
  unknownGroupMembers!: 'skip' | 'reject' | null;
}
