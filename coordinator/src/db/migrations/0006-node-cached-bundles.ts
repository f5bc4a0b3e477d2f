import { Migration } from '@mikro-orm/migrations';

/** The bundles a node holds in its cache: the scheduler prefers it for their projects. */
export class Migration0006NodeCachedBundles extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "nodes" add column "cached_bundles" jsonb not null default '[]';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "nodes" drop column "cached_bundles";`);
  }
}
