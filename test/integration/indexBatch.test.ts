/**
 * Planned indexes are created in one createIndexes command (one collection scan on MongoDB); when that fails —
 * here a UNIQUE column holding several NULLs, which MongoDB's unique index refuses — they are created one by one,
 * so the others are still built and the unique one is built without UNIQUE, each outcome read back from the server.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { migrate } from '../../src/core';
import { getTestMongoUrl, uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { cleanupTempDirs, makeDb, tempDir } from '../helpers/sqliteBuilders';

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

function indexSummary(indexes: Array<{ name?: string; key: object; unique?: boolean }>): string[] {
  return indexes
    .filter((ix) => ix.name !== '_id_')
    .map((ix) => `${ix.name} ${JSON.stringify(ix.key)}${ix.unique ? ' unique' : ''}`)
    .sort();
}

describe('planned indexes: all in one command, one by one when that fails', () => {
  it('three indexes of a clean table are all created (together), unique kept', async () => {
    const file = path.join(tempDir(), 'clean.db');
    makeDb(
      file,
      `CREATE TABLE person (id INTEGER PRIMARY KEY, email TEXT UNIQUE, city TEXT, age INTEGER);
       CREATE INDEX ix_city ON person (city);
       CREATE INDEX ix_age ON person (age);
       INSERT INTO person VALUES (1, 'a@x', 'Oslo', 30), (2, 'b@x', 'Rome', 40), (3, 'c@x', 'Oslo', 50);`,
    );
    const database = uniqueDbName('ixbatch');
    const report = await migrate({ sqlitePath: file, mongoUrl: getTestMongoUrl(), database, ifExists: 'fail' });
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    const outcomes = report.collections.find((c) => c.collection === 'person')?.indexes ?? [];
    assert.equal(outcomes.length, 3, JSON.stringify(outcomes));
    assert.ok(
      outcomes.every((o) => o.status === 'created'),
      JSON.stringify(outcomes),
    );
    const onServer = indexSummary(await client.db(database).collection('person').indexes());
    assert.equal(onServer.length, 3, JSON.stringify(onServer));
    assert.ok(
      onServer.some((s) => s.includes('{"email":1} unique')),
      JSON.stringify(onServer),
    );
  });

  it('a UNIQUE column with several NULLs: the batch fails, one by one builds it non-unique and the others as planned', async () => {
    const file = path.join(tempDir(), 'nulls.db');
    makeDb(
      file,
      `CREATE TABLE person (id INTEGER PRIMARY KEY, email TEXT UNIQUE, city TEXT);
       CREATE INDEX ix_city ON person (city);
       INSERT INTO person VALUES (1, NULL, 'Oslo'), (2, NULL, 'Rome'), (3, 'c@x', 'Oslo');`,
    );
    const database = uniqueDbName('ixbatch');
    const report = await migrate({ sqlitePath: file, mongoUrl: getTestMongoUrl(), database, ifExists: 'fail' });
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    const outcomes = report.collections.find((c) => c.collection === 'person')?.indexes ?? [];
    const byKeys = new Map(outcomes.map((o) => [o.keys, o.status]));
    assert.equal(byKeys.get('email:1'), 'created-non-unique', JSON.stringify(outcomes));
    assert.equal(byKeys.get('city:1'), 'created', JSON.stringify(outcomes));
    const onServer = indexSummary(await client.db(database).collection('person').indexes());
    assert.equal(onServer.length, 2, JSON.stringify(onServer));
    assert.ok(
      onServer.every((s) => !s.endsWith(' unique')),
      JSON.stringify(onServer),
    );
  });
});
