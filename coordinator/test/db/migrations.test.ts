import test from 'ava';
import { openTestDatabase } from '../helpers/test-database.js';
import { migrationsList } from '../../src/db/migrations/index.js';

test('the migrations build exactly the schema the entities describe', async (t) => {
  const db = await openTestDatabase();
  try {
    const executed = await db.orm.getMigrator().getExecutedMigrations();
    t.deepEqual(executed.map((m) => m.name), migrationsList.map((m) => m.name));
    t.is((await db.orm.schema.getUpdateSchemaSQL({ wrap: false })).trim(), '');
  } finally {
    await db.close();
  }
});

test('the database enforces what the code relies on', async (t) => {
  const db = await openTestDatabase();
  const conn = db.orm.em.getConnection();
  try {
    const now = new Date().toISOString();
    await conn.execute(`insert into users (id, email, name, role, disabled, created_at, updated_at) values ('00000000-0000-4000-8000-000000000001', 'a@b.test', 'A', 'artist', false, ?, ?)`, [now, now]);
    const dup = conn.execute(`insert into users (id, email, name, role, disabled, created_at, updated_at) values ('00000000-0000-4000-8000-000000000002', 'a@b.test', 'B', 'artist', false, ?, ?)`, [now, now]);
    await t.throwsAsync(dup, { message: /unique/i });
    const orphan = conn.execute(
      `insert into api_keys (id, user_id, name, prefix, hash, created_at) values ('00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-00000000dead', 'k', 'p', 'h', ?)`,
      [now],
    );
    await t.throwsAsync(orphan, { message: /foreign key/i });
  } finally {
    await db.close();
  }
});

test('migrating again is a no-op', async (t) => {
  const db = await openTestDatabase();
  try {
    t.deepEqual(await db.orm.getMigrator().getPendingMigrations(), []);
    await db.orm.getMigrator().up();
    t.is((await db.orm.getMigrator().getExecutedMigrations()).length, migrationsList.length);
  } finally {
    await db.close();
  }
});
