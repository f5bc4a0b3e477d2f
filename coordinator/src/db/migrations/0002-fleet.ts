import { Migration } from '@mikro-orm/migrations';

/** Render nodes at work: chunk attempts, per-job blocklists, handshake nonces, node health counters. */
export class Migration0002Fleet extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "agent_nonces" ("node_id" uuid not null, "nonce" varchar(64) not null, "seen_at" timestamptz not null, constraint "agent_nonces_pkey" primary key ("node_id", "nonce"));`);
    this.addSql(`create index "agent_nonces_seen_at_index" on "agent_nonces" ("seen_at");`);
    this.addSql(`create table "node_job_blocks" ("node_id" uuid not null, "job_id" uuid not null, "reason" text not null, "created_at" timestamptz not null, constraint "node_job_blocks_pkey" primary key ("node_id", "job_id"));`);
    this.addSql(`create table "chunk_attempts" ("id" uuid not null, "chunk_id" uuid not null, "job_id" uuid not null, "node_id" uuid not null, "epoch" int not null, "outcome" varchar(16) not null, "reason" varchar(32) null, "message" text null, "started_at" timestamptz not null, "ended_at" timestamptz null, constraint "chunk_attempts_pkey" primary key ("id"));`);
    this.addSql(`create index "chunk_attempts_node_id_started_at_index" on "chunk_attempts" ("node_id", "started_at");`);
    this.addSql(`create index "chunk_attempts_job_id_node_id_index" on "chunk_attempts" ("job_id", "node_id");`);
    this.addSql(`alter table "chunk_attempts" add constraint "chunk_attempts_chunk_id_epoch_unique" unique ("chunk_id", "epoch");`);
    this.addSql(`alter table "node_job_blocks" add constraint "node_job_blocks_node_id_foreign" foreign key ("node_id") references "nodes" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "node_job_blocks" add constraint "node_job_blocks_job_id_foreign" foreign key ("job_id") references "jobs" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "chunk_attempts" add constraint "chunk_attempts_chunk_id_foreign" foreign key ("chunk_id") references "chunks" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "chunk_attempts" add constraint "chunk_attempts_job_id_foreign" foreign key ("job_id") references "jobs" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "chunk_attempts" add constraint "chunk_attempts_node_id_foreign" foreign key ("node_id") references "nodes" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "nodes" add column "current_chunk_id" uuid null, add column "disabled_reason" text null, add column "consecutive_failures" int not null default 0, add column "chunks_done" int not null default 0, add column "chunks_failed" int not null default 0;`);
    this.addSql(`alter table "jobs" add column "min_vram_mb" int not null default 0;`);
    this.addSql(`alter table "chunks" add column "warnings" jsonb not null default '[]';`);
  }
}
