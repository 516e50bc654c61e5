/** Errors stay short, whatever the SQL behind them: a wide table's SELECT runs to tens of KB. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { iterateQuery, openSqliteSource } from '../../../src/core/sqlite';
import { makeDb, tempDir } from '../../helpers/sqliteBuilders';

describe('sqlite: error messages', () => {
  it('a failing query over 2,000 columns gives a message of a few lines, not the whole SELECT', async () => {
    const cols = Array.from({ length: 2000 }, (_, i) => `"column number ${i}"`);
    const file = makeDb(path.join(tempDir(), 'wide.db'), `CREATE TABLE wide (${cols.join(', ')});`);
    const source = await openSqliteSource(file);
    try {
      // 2,001 result columns: SQLite refuses the statement ("too many columns in result set").
      const sql = `SELECT rowid, ${cols.join(', ')} FROM wide`;
      assert.ok(sql.length > 30_000);
      assert.throws(
        () => [...iterateQuery(source, sql)],
        (e: Error) => /too many columns/.test(e.message) && e.message.length < 600 && e.message.split('\n').length <= 3,
      );
    } finally {
      source.close();
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });
});
