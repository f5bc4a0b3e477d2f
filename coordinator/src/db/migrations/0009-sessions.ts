import { Migration } from '@mikro-orm/migrations';

/**
 * Sign-in for the web console: users get an optional password (scrypt), browsers get sessions
 * (kept by the sha256 of their cookie's token), and admins invite people with one-time tokens.
 */
export class Migration0009Sessions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "users" add column "password_hash" varchar(255) null;`);
    this.addSql(`create table "sessions" ("id" varchar(64) not null, "user_id" uuid not null, "csrf_token" varchar(64) not null, "created_at" timestamptz not null, "last_seen_at" timestamptz not null, "expires_at" timestamptz not null, "ip" varchar(64) null, "user_agent" varchar(512) null, constraint "sessions_pkey" primary key ("id"));`);
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);
    this.addSql(`create index "sessions_expires_at_index" on "sessions" ("expires_at");`);
    this.addSql(`alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`create table "invites" ("id" uuid not null, "email" varchar(254) not null, "role" varchar(16) not null, "hash" varchar(64) not null, "created_by" uuid null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "user_id" uuid null, constraint "invites_pkey" primary key ("id"));`);
    this.addSql(`create index "invites_email_index" on "invites" ("email");`);
    this.addSql(`alter table "invites" add constraint "invites_hash_unique" unique ("hash");`);
    this.addSql(`alter table "invites" add constraint "invites_created_by_foreign" foreign key ("created_by") references "users" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "invites" cascade;`);
    this.addSql(`drop table if exists "sessions" cascade;`);
    this.addSql(`alter table "users" drop column "password_hash";`);
  }
}
