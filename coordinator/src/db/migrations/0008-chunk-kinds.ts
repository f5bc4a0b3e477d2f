import { Migration } from '@mikro-orm/migrations';

/**
 * A job's tasks besides its frame chunks are chunks too (same leases, fencing, retries): the
 * comp's sound (`audio`) and the deliverable's encode (`assemble`), which waits (WAITING) until
 * every other chunk of its job is done.
 */
export class Migration0008ChunkKinds extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "chunks" add column "kind" varchar(16) not null default 'frames';`);
    this.addSql(`create index "chunks_assemble_index" on "chunks" ("job_id") where "kind" = 'assemble';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "chunks_assemble_index";`);
    this.addSql(`alter table "chunks" drop column "kind";`);
  }
}
