import { Migration } from '@mikro-orm/migrations';

/**
 * What each done attempt was charged, fixed when it ends: its GPU seconds at its node's tier price
 * then. Job costs, spending and earnings are sums of these, so a later price edit never rewrites
 * what was already billed. Each node keeps its running total beside them, so showing a node never
 * sums its whole history.
 */
export class Migration0010AttemptCharges extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "chunk_attempts" add column "tier_id" varchar(40) null, add column "gpu_seconds" double precision null, add column "charged_micros" bigint null;`);
    this.addSql(`alter table "nodes" add column "charged_micros" bigint not null default 0;`);
    this.addSql(`create index "chunk_attempts_done_ended_at_index" on "chunk_attempts" ("ended_at") where "outcome" = 'done';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "chunk_attempts_done_ended_at_index";`);
    this.addSql(`alter table "nodes" drop column "charged_micros";`);
    this.addSql(`alter table "chunk_attempts" drop column "charged_micros", drop column "gpu_seconds", drop column "tier_id";`);
  }
}
