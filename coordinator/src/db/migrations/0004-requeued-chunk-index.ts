import { Migration } from '@mikro-orm/migrations';

/** The scheduler asks which queued chunks some node already failed: few rows, their own index. */
export class Migration0004RequeuedChunkIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "chunks_queued_failed_index" on "chunks" ("job_id") where "state" = 'QUEUED' and "failed_node_ids" <> '[]'::jsonb;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "chunks_queued_failed_index";`);
  }
}
