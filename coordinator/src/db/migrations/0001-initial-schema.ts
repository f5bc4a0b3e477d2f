import { Migration } from '@mikro-orm/migrations';

/** Users, API keys, nodes, enrollment tokens, jobs, chunks, tier prices and the audit log. */
export class Migration0001InitialSchema extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "audit_log" ("id" uuid not null, "at" timestamptz not null, "actor_kind" varchar(16) not null, "actor_id" varchar(64) null, "action" varchar(64) not null, "target_type" varchar(32) null, "target_id" varchar(64) null, "details" jsonb not null, "ip" varchar(64) null, constraint "audit_log_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_log_at_index" on "audit_log" ("at");`);
    this.addSql(`create index "audit_log_actor_id_at_index" on "audit_log" ("actor_id", "at");`);
    this.addSql(`create index "audit_log_action_at_index" on "audit_log" ("action", "at");`);
    this.addSql(`create table "tier_prices" ("id" varchar(40) not null, "name" varchar(60) not null, "price_per_minute_micros" int not null, "models" jsonb not null, "position" int not null, "updated_at" timestamptz not null, constraint "tier_prices_pkey" primary key ("id"));`);
    this.addSql(`create table "users" ("id" uuid not null, "email" varchar(254) not null, "name" varchar(100) not null, "role" varchar(16) not null, "disabled" boolean not null default false, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "users_pkey" primary key ("id"));`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);
    this.addSql(`create table "nodes" ("id" uuid not null, "owner_id" uuid not null, "name" varchar(100) not null, "state" varchar(16) not null, "signing_public_key" varchar(64) not null, "box_public_key" varchar(64) not null, "gpus" jsonb not null, "tier_id" varchar(40) null, "vram_mb" int not null default 0, "ae_installs" jsonb not null, "hardware" jsonb not null, "agent_version" varchar(40) null, "last_heartbeat_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "nodes_pkey" primary key ("id"));`);
    this.addSql(`create index "nodes_owner_id_index" on "nodes" ("owner_id");`);
    this.addSql(`alter table "nodes" add constraint "nodes_signing_public_key_unique" unique ("signing_public_key");`);
    this.addSql(`create table "jobs" ("id" uuid not null, "owner_id" uuid not null, "name" varchar(200) not null, "state" varchar(24) not null, "bundle" varchar(128) null, "bundle_bytes" bigint not null default 0, "comp" jsonb not null, "preset" varchar(16) not null, "custom" jsonb null, "complexity" varchar(16) not null, "third_party_plugins" boolean not null, "priority" int not null, "max_tier" varchar(40) null, "chunk_size" int not null, "min_ae_version" int null, "frames_total" int not null, "frames_done" int not null default 0, "chunk_count" int not null, "retries" int not null default 0, "estimated_usd_micros" bigint null, "error" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "finished_at" timestamptz null, constraint "jobs_pkey" primary key ("id"));`);
    this.addSql(`create index "jobs_owner_id_created_at_index" on "jobs" ("owner_id", "created_at");`);
    this.addSql(`create index "jobs_state_priority_created_at_index" on "jobs" ("state", "priority", "created_at");`);
    this.addSql(`create table "chunks" ("id" uuid not null, "job_id" uuid not null, "index" int not null, "frame_start" int not null, "frame_end" int not null, "state" varchar(16) not null, "attempt" int not null default 0, "epoch" int not null default 0, "node_id" uuid null, "failed_node_ids" jsonb not null, "frames_done" int not null default 0, "lease_expires_at" timestamptz null, "error" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "chunks_pkey" primary key ("id"), constraint chunks_frames_check check (frame_end >= frame_start));`);
    this.addSql(`create index "chunks_state_job_id_index" on "chunks" ("state", "job_id");`);
    this.addSql(`create index "chunks_node_id_index" on "chunks" ("node_id");`);
    this.addSql(`alter table "chunks" add constraint "chunks_job_id_index_unique" unique ("job_id", "index");`);
    this.addSql(`create table "enrollment_tokens" ("id" uuid not null, "owner_id" uuid not null, "hash" varchar(64) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "node_id" uuid null, "created_at" timestamptz not null, constraint "enrollment_tokens_pkey" primary key ("id"));`);
    this.addSql(`create index "enrollment_tokens_owner_id_index" on "enrollment_tokens" ("owner_id");`);
    this.addSql(`alter table "enrollment_tokens" add constraint "enrollment_tokens_hash_unique" unique ("hash");`);
    this.addSql(`create table "api_keys" ("id" uuid not null, "user_id" uuid not null, "name" varchar(100) not null, "prefix" varchar(32) not null, "hash" varchar(64) not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, constraint "api_keys_pkey" primary key ("id"));`);
    this.addSql(`create index "api_keys_user_id_index" on "api_keys" ("user_id");`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_hash_unique" unique ("hash");`);
    this.addSql(`alter table "nodes" add constraint "nodes_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on update cascade;`);
    this.addSql(`alter table "jobs" add constraint "jobs_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on update cascade;`);
    this.addSql(`alter table "chunks" add constraint "chunks_job_id_foreign" foreign key ("job_id") references "jobs" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "enrollment_tokens" add constraint "enrollment_tokens_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    for (const table of ['chunks', 'jobs', 'enrollment_tokens', 'nodes', 'api_keys', 'audit_log', 'tier_prices', 'users']) {
      this.addSql(`drop table if exists "${table}" cascade;`);
    }
  }
}
