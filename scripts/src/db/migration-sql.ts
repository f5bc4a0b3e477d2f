// Prints the SQL that would bring a database migrated with the current migrations up to the
// entities: the body of the next migration. `npx tsx scripts/src/db/migration-sql.ts`
import { openDatabase } from '@cloudexport/coordinator';

const db = await openDatabase({ kind: 'embedded-memory' });
try {
  const sql = await db.orm.schema.getUpdateSchemaSQL({ wrap: false });
  console.log(sql.trim() || '-- the migrations already match the entities');
} finally {
  await db.close();
}
