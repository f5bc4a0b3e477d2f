import { Migration } from '@mikro-orm/migrations';

/** Bundles and outputs: sealed files per owner (blobs), bundle manifests, and the frames nodes upload. */
export class Migration0005Bundles extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "blobs" ("id" uuid not null, "owner_id" uuid not null, "sha256" varchar(64) not null, "size" bigint not null, "sealed_size" bigint not null, "record_size" int not null, "storage_key" varchar(200) not null, "wrapped_key" varchar(100) not null, "upload_id" text null, "part_size" int null, "stored_at" timestamptz null, "used_at" timestamptz not null, "created_at" timestamptz not null, constraint "blobs_pkey" primary key ("id"));`);
    this.addSql(`create index "blobs_used_at_index" on "blobs" ("used_at");`);
    this.addSql(`alter table "blobs" add constraint "blobs_owner_id_sha256_unique" unique ("owner_id", "sha256");`);
    this.addSql(`alter table "blobs" add constraint "blobs_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on update cascade;`);

    this.addSql(`create table "bundles" ("id" uuid not null, "owner_id" uuid not null, "manifest_id" varchar(64) not null, "manifest" jsonb not null, "files" int not null, "bytes" bigint not null, "created_at" timestamptz not null, "used_at" timestamptz not null, constraint "bundles_pkey" primary key ("id"));`);
    this.addSql(`create index "bundles_used_at_index" on "bundles" ("used_at");`);
    this.addSql(`alter table "bundles" add constraint "bundles_owner_id_manifest_id_unique" unique ("owner_id", "manifest_id");`);
    this.addSql(`alter table "bundles" add constraint "bundles_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on update cascade;`);

    this.addSql(`create table "job_outputs" ("id" uuid not null, "job_id" uuid not null, "chunk_id" uuid not null, "epoch" int not null, "name" varchar(128) not null, "size" bigint not null, "sha256" varchar(64) not null, "sealed_size" bigint not null, "record_size" int not null, "storage_key" varchar(400) not null, "wrapped_key" varchar(100) not null, "created_at" timestamptz not null, constraint "job_outputs_pkey" primary key ("id"));`);
    this.addSql(`create index "job_outputs_job_id_index" on "job_outputs" ("job_id");`);
    this.addSql(`create index "job_outputs_created_at_index" on "job_outputs" ("created_at");`);
    this.addSql(`alter table "job_outputs" add constraint "job_outputs_chunk_id_epoch_name_unique" unique ("chunk_id", "epoch", "name");`);
    this.addSql(`alter table "job_outputs" add constraint "job_outputs_job_id_foreign" foreign key ("job_id") references "jobs" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "job_outputs" add constraint "job_outputs_chunk_id_foreign" foreign key ("chunk_id") references "chunks" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "job_outputs" cascade;`);
    this.addSql(`drop table if exists "bundles" cascade;`);
    this.addSql(`drop table if exists "blobs" cascade;`);
  }
}
