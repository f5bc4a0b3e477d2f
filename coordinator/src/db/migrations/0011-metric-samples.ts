import { Migration } from '@mikro-orm/migrations';

/** The console's fleet charts: one sample per slot (the primary key keeps coordinators from doubling one). */
export class Migration0011MetricSamples extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "metric_samples" ("at" timestamptz not null, "window_ms" int not null, "nodes_online" int not null, "nodes_busy" int not null, "frames_done" int not null, "queue_depth" int not null, "jobs_running" int not null, constraint "metric_samples_pkey" primary key ("at"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "metric_samples" cascade;`);
  }
}
