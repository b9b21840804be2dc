import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { UniquenessError } from '#scim/scim-error.js';
import type { ExternalIdConflicts, ExternalIdReservations } from '../external-id-reservations.js';
import type { ScimCallContext } from '../http/request-context.js';
import type { SchemaRegistries } from '../schemas/schema-registries.js';
import type { TenantSettingsChange } from './tenancy-input.js';
import type { TenantSettings, TenantSettingsValues } from './tenant-settings.js';
import { requireTenant, tenantNotFound } from './tenants.service.js';
import { updatedRows } from './updated-rows.js';

const logger = new Logger('TenantSettings');

/** A tenant's settings as the admin API shows them. */
export interface TenantSettingsView extends TenantSettingsValues {
  readonly tenantId: string;
}

/** What a change of externalId uniqueness did to the reservation streams (PATCH answers only). */
export interface ExternalIdReservationChanges {
  readonly reserved: number;
  readonly released: number;
}

/**
 * Reading and changing a tenant's settings (docs/admin.md "Tenant settings"). The unknown-member policy is a
 * plain setting. externalId uniqueness also moves reservations, in an order that lets no duplicate slip in:
 *
 * - on: refused (409) while resources share an externalId, listing them. Otherwise the setting is stored first,
 *   so every write decided from then on reserves its externalId; after `propagationMs` (the time every gateway
 *   process takes to read the change) the existing resources' externalIds are reserved. A duplicate written in
 *   between shows up as a conflict there: the setting goes back to `none`, the reservations are released, and
 *   the answer is the same 409.
 * - off: stored first, then every externalId reservation of the tenant is released.
 */
export class TenantSettingsService {
  /** Per tenant, the change in progress in this process: two changes of one tenant run one after the other. */
  private readonly changing = new Map<string, Promise<unknown>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly registries: SchemaRegistries,
    private readonly settings: TenantSettings,
    private readonly reservations: ExternalIdReservations,
    private readonly propagationMs: number,
  ) {}

  async get(tenantId: string): Promise<TenantSettingsView> {
    await requireTenant(this.dataSource, tenantId);
    await this.registries.refresh();
    return { tenantId, ...this.settings.forTenant(tenantId) };
  }

  /** `context` carries the admin request's metadata for the reservation events it writes. */
  async update(context: ScimCallContext, change: TenantSettingsChange): Promise<TenantSettingsView & { externalIdReservations?: ExternalIdReservationChanges }> {
    const tenantId = context.tenantId;
    const previous = this.changing.get(tenantId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.apply(context, change));
    this.changing.set(tenantId, run);
    try {
      return await run;
    } finally {
      if (this.changing.get(tenantId) === run) this.changing.delete(tenantId);
    }
  }

  private async apply(context: ScimCallContext, change: TenantSettingsChange) {
    const tenantId = context.tenantId;
    const before = await this.get(tenantId);
    let externalIdReservations: ExternalIdReservationChanges | undefined;
    // externalId first: when turning it on is refused, the request changes nothing.
    if (change.externalIdUniqueness === 'server' && before.externalIdUniqueness === 'none') {
      externalIdReservations = await this.turnOn(context);
    } else if (change.externalIdUniqueness === 'none' && before.externalIdUniqueness === 'server') {
      await this.store(tenantId, { externalIdUniqueness: 'none' });
      externalIdReservations = { reserved: 0, released: await this.reservations.releaseAll(context) };
    }
    if (change.unknownGroupMembers !== undefined && change.unknownGroupMembers !== before.unknownGroupMembers) {
      await this.store(tenantId, { unknownGroupMembers: change.unknownGroupMembers });
    }
    return { tenantId, ...this.settings.forTenant(tenantId), ...(externalIdReservations ? { externalIdReservations } : {}) };
  }

  private async turnOn(context: ScimCallContext): Promise<ExternalIdReservationChanges> {
    const tenantId = context.tenantId;
    const duplicates = await this.reservations.duplicates(tenantId);
    if (duplicates.resources > 0) throw conflictError(tenantId, duplicates);
    await this.store(tenantId, { externalIdUniqueness: 'server' });
    let outcome: Awaited<ReturnType<ExternalIdReservations['reserveAll']>>;
    try {
      // Until every process has read the setting, one of them may still write without reserving.
      await new Promise((resolve) => setTimeout(resolve, this.propagationMs));
      outcome = await this.reservations.reserveAll(context);
    } catch (error) {
      await this.rollBack(context).catch((rollBackError: unknown) => logger.error(`tenant ${tenantId}: rolling externalId uniqueness back failed: ${String(rollBackError)}`));
      throw error;
    }
    if (outcome.conflicts.resources === 0) return { reserved: outcome.reserved, released: outcome.released };
    await this.rollBack(context);
    throw conflictError(tenantId, outcome.conflicts);
  }

  /** Back to `none` with every externalId reservation released (also the ones this turn-on made). */
  private async rollBack(context: ScimCallContext): Promise<void> {
    if (this.settings.forTenant(context.tenantId).externalIdUniqueness === 'none') return;
    await this.store(context.tenantId, { externalIdUniqueness: 'none' });
    await this.reservations.releaseAll(context);
  }

  private async store(tenantId: string, values: Partial<TenantSettingsValues>): Promise<void> {
    await this.registries.change(async (manager: EntityManager) => {
      const rows = await manager.query(
        `UPDATE tenants SET external_id_uniqueness = COALESCE($2, external_id_uniqueness), unknown_group_members = COALESCE($3, unknown_group_members)
         WHERE id = $1 RETURNING id`,
        [tenantId, values.externalIdUniqueness ?? null, values.unknownGroupMembers ?? null],
      );
      if (updatedRows(rows).length === 0) throw tenantNotFound(tenantId);
    });
  }
}

function conflictError(tenantId: string, conflicts: ExternalIdConflicts): UniquenessError {
  const listed = conflicts.listed.map((conflict) => `${conflict.resourceType} externalId ${JSON.stringify(conflict.externalId)}: ${conflict.ids.join(', ')}`);
  const shown = conflicts.listed.reduce((sum, conflict) => sum + conflict.ids.length, 0);
  return new UniquenessError(
    `externalId uniqueness cannot be turned on for tenant "${tenantId}": ${conflicts.resources} resources share ${conflicts.externalIds} externalId${conflicts.externalIds === 1 ? '' : 's'} ` +
      `(${shown < conflicts.resources ? `the first ${shown} listed` : 'all listed'}); give each its own externalId (or remove it) and try again. ${listed.join('; ')}`,
  );
}
