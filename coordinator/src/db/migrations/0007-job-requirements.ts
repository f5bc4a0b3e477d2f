import { Migration } from '@mikro-orm/migrations';

/** What a job's render nodes must have installed (fonts, third-party effects), for node matching. */
export class Migration0007JobRequirements extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "jobs" add column "requirements" jsonb not null default '{"fonts":[],"effects":[]}';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "jobs" drop column "requirements";`);
  }
}
