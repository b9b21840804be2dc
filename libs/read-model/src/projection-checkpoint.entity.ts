import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Where each projection stopped in the global log; written in the same transaction as its rows. */
@Entity({ name: 'projection_checkpoints' })
export class ProjectionCheckpointEntity {
  @PrimaryColumn({ name: 'projection', type: 'text' })
  projection!: string;

  @Column({ name: 'commit_position', type: 'bigint' })
  commitPosition!: string;

  @Column({ name: 'prepare_position', type: 'bigint' })
  preparePosition!: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
