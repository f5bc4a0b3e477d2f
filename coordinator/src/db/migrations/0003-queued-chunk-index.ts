import { Migration } from '@mikro-orm/migrations';

/** The scheduler's hot path: a job's next queued chunk, by a partial index on queued chunks. */
export class Migration0003QueuedChunkIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "chunks_queued_index" on "chunks" ("job_id", "index") where "state" = 'QUEUED';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "chunks_queued_index";`);
  }
}
