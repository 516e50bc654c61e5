/**
 * Proves the test server (FerretDB, or the real mongod of MONGODB_URL) behaves as the product's tests assume:
 * BSON types round-trip through the real driver, per-row write errors look the way the engine expects, and a
 * crashed server keeps what it acknowledged. No mocks: everything goes through the `mongodb` driver.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Binary, Double, Int32, Long, MongoBulkWriteError, MongoClient, MongoServerError, ObjectId } from 'mongodb';
import {
  ferretDbBinary,
  getTestMongoUrl,
  isRealMongo,
  startFerretDb,
  uniqueDbName,
  type TestServer,
} from '../helpers/mongoServer';

// Test documents use numeric _ids and arbitrary fields: untyped collections.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDoc = any;

describe('test MongoDB server', function () {
  let client: MongoClient;
  const dbNames: string[] = [];
  const freshDb = (prefix: string) => {
    const name = uniqueDbName(prefix);
    dbNames.push(name);
    return client.db(name);
  };

  before(async function () {
    client = new MongoClient(getTestMongoUrl(), { serverSelectionTimeoutMS: 5000 });
    await client.connect();
  });

  after(async function () {
    for (const name of dbNames)
      await client
        .db(name)
        .dropDatabase()
        .catch(() => undefined);
    await client?.close();
  });

  it('answers ping', async function () {
    const res = await client.db('admin').command({ ping: 1 });
    assert.equal(res.ok, 1);
  });

  it('uniqueDbName gives distinct names the server accepts', async function () {
    const names = new Set(
      Array.from({ length: 50 }, () => uniqueDbName('Some weird/prefix.with.dots and a very long tail')),
    );
    assert.equal(names.size, 50);
    for (const n of names) {
      assert.match(n, /^[A-Za-z0-9_-]+$/);
      assert.ok(n.length <= 38, `${n} is ${n.length} chars`);
    }
    const db = freshDb('Some weird/prefix.with.dots');
    await db.collection<AnyDoc>('c').insertOne({ ok: true });
    assert.equal(await db.collection<AnyDoc>('c').countDocuments(), 1);
  });

  it('round-trips Long, Date, Binary, Double, Int32, nested documents and arrays with their BSON types', async function () {
    const col = freshDb('types').collection<AnyDoc>('docs');
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const oid = new ObjectId();
    const when = new Date('2024-02-29T12:34:56.789Z');
    await col.insertOne({
      _id: 1,
      big: Long.fromString('9007199254740993'), // 2^53 + 1: not representable as a JS number
      negBig: Long.fromString('-9223372036854775808'),
      when,
      blob: new Binary(bytes),
      dbl: new Double(2), // an integral double must stay a double
      frac: 0.1 + 0.2,
      i32: new Int32(-7),
      text: 'héllo ✓ 𝄞',
      flag: true,
      nothing: null,
      oid,
      nested: { a: { b: { c: 'deep', n: new Long(5) } }, list: [1, 'two', { three: 3 }] },
      arr: [new Long(1), new Double(1.5), 'x', new Date(0), { k: 'v' }],
    });

    // Raw BSON classes (no promotion to JS numbers), so each value's BSON type is visible.
    const raw = await col.findOne({ _id: 1 }, { promoteValues: false, promoteLongs: false, promoteBuffers: false });
    assert.ok(raw);
    const type = (v: unknown) => (v as { _bsontype?: string })._bsontype;
    assert.equal(type(raw.big), 'Long');
    assert.equal((raw.big as Long).toString(), '9007199254740993');
    assert.equal((raw.negBig as Long).toString(), '-9223372036854775808');
    assert.ok(raw.when instanceof Date);
    assert.equal((raw.when as Date).toISOString(), when.toISOString());
    assert.equal(type(raw.blob), 'Binary');
    assert.equal((raw.blob as Binary).sub_type, 0);
    assert.deepEqual(Buffer.from((raw.blob as Binary).buffer), bytes);
    assert.equal(type(raw.dbl), 'Double');
    assert.equal((raw.dbl as Double).valueOf(), 2);
    assert.equal(type(raw.frac), 'Double');
    assert.equal((raw.frac as Double).valueOf(), 0.1 + 0.2);
    assert.equal(type(raw.i32), 'Int32');
    assert.equal(type(raw.oid), 'ObjectId');
    assert.equal(String(raw.text), 'héllo ✓ 𝄞');
    const nested = raw.nested as { a: { b: { n: unknown; c: unknown } } };
    assert.equal(type(nested.a.b.n), 'Long');
    assert.equal(String(nested.a.b.c), 'deep');
    assert.ok(Array.isArray(raw.arr));
    assert.deepEqual((raw.arr as unknown[]).map(type), ['Long', 'Double', undefined, undefined, undefined]);

    // Server-side $type agrees (the server, not the driver, holds these types).
    for (const [field, bsonType] of [
      ['big', 'long'],
      ['when', 'date'],
      ['blob', 'binData'],
      ['dbl', 'double'],
      ['i32', 'int'],
      ['nested', 'object'],
      ['arr', 'array'],
      ['nothing', 'null'],
      ['flag', 'bool'],
    ] as const) {
      assert.equal(await col.countDocuments({ _id: 1, [field]: { $type: bsonType } }), 1, `${field} is ${bsonType}`);
    }

    // The default (promoting) read gives plain JS values.
    const plain = await col.findOne({ _id: 1 });
    assert.equal(plain!.dbl, 2);
    assert.equal(plain!.i32, -7);
    assert.deepEqual(plain!.nested.list, [1, 'two', { three: 3 }]);
  });

  it('reports per-row errors (writeErrors index + code) in one unordered insertMany: +Infinity and duplicate _id', async function () {
    const col = freshDb('rowerrors').collection<AnyDoc>('rows');
    const docs = [
      { _id: 1, v: 1.5 },
      { _id: 2, v: Number.POSITIVE_INFINITY }, // FerretDB refuses; real MongoDB stores it
      { _id: 1, v: 3 }, // duplicate _id of row 0
      { _id: 4, v: 4 },
    ];
    const err = await col.insertMany(docs, { ordered: false }).then(
      () => assert.fail('insertMany should have failed'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof MongoBulkWriteError, `expected MongoBulkWriteError, got ${String(err)}`);
    const rowErrors = err.writeErrors as unknown as Array<{ index: number; code: number; errmsg?: string }>;
    const byIndex = new Map((Array.isArray(rowErrors) ? rowErrors : [rowErrors]).map((w) => [w.index, w]));

    assert.equal(byIndex.get(2)?.code, 11000, 'duplicate _id → E11000 at index 2');
    assert.match(byIndex.get(2)?.errmsg ?? '', /duplicate key/);
    if (isRealMongo()) {
      assert.equal(byIndex.size, 1);
      assert.equal(err.result.insertedCount, 3);
    } else {
      // FerretDB v1: code 2 (BadValue) "invalid value: { "v": +Inf } (infinity values are not allowed)"
      assert.equal(byIndex.get(1)?.code, 2, 'FerretDB rejects +Infinity with code 2 at index 1');
      assert.match(byIndex.get(1)?.errmsg ?? '', /infinity values are not allowed/);
      assert.equal(byIndex.size, 2);
      assert.equal(err.result.insertedCount, 2);
      // The other rows of the same unordered batch were written.
      assert.deepEqual(
        (await col.find({}, { sort: { _id: 1 } }).toArray()).map((d) => d._id),
        [1, 4],
      );
    }
  });

  it('FerretDB drops the connection (not a per-row error) for a NaN double; the client recovers', async function () {
    if (isRealMongo()) this.skip(); // real MongoDB stores NaN
    const col = freshDb('nan').collection<AnyDoc>('rows');
    await assert.rejects(
      col.insertMany(
        [
          { _id: 1, v: 1 },
          { _id: 2, v: Number.NaN },
        ],
        { ordered: false },
      ),
      (e: Error) => {
        // The whole batch fails at the wire level ("NaN is not supported" in the server log): nothing per row.
        assert.match(e.message, /connection .* closed/i);
        return true;
      },
    );
    assert.equal(await col.countDocuments(), 0, 'nothing of that batch was written');
    await col.insertOne({ _id: 3, v: 3 });
    assert.equal(await col.countDocuments(), 1);
  });
});

describe('startFerretDb (own server per test)', function () {
  this.timeout(60_000);
  let server: TestServer | undefined;

  before(function () {
    if (!existsSync(ferretDbBinary())) this.skip(); // only possible with MONGODB_URL and no FerretDB build
  });

  afterEach(async function () {
    await server?.stop();
    server = undefined;
  });

  it('keeps acknowledged data across kill(SIGKILL) + restart() on the same port and data dir', async function () {
    server = await startFerretDb();
    const { port, dataDir } = server;
    const pid1 = server.pid;
    const dbName = uniqueDbName('crash');
    let client = new MongoClient(server.url, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
    const docs = Array.from({ length: 500 }, (_, i) => ({ _id: i, n: new Long(i), at: new Date(i * 1000) }));
    const res = await client.db(dbName).collection<AnyDoc>('c').insertMany(docs);
    assert.equal(res.insertedCount, 500);
    await client
      .db(dbName)
      .collection<AnyDoc>('c')
      .updateOne({ _id: 7 }, { $set: { updated: true } });

    await server.kill('SIGKILL');
    assert.throws(() => process.kill(pid1, 0), /ESRCH/, 'the old process is gone');
    await client.close(true).catch(() => undefined);

    await server.restart();
    assert.equal(server.port, port);
    assert.equal(server.dataDir, dataDir);
    assert.notEqual(server.pid, pid1);

    client = new MongoClient(server.url, { serverSelectionTimeoutMS: 5000 });
    try {
      const col = client.db(dbName).collection<AnyDoc>('c');
      assert.equal(await col.countDocuments(), 500);
      assert.equal((await col.findOne({ _id: 7 }))?.updated, true);
      const raw = await col.findOne({ _id: 499 }, { promoteLongs: false });
      assert.equal((raw!.n as Long).toString(), '499');
    } finally {
      await client.close();
    }
  });

  it('stop() kills the process and removes its temp dir', async function () {
    server = await startFerretDb();
    const { pid, dataDir } = server;
    assert.ok(existsSync(`${dataDir}/data`));
    await server.stop();
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
    assert.equal(existsSync(dataDir), false);
  });

  it('with auth: right credentials work, a wrong password fails with code 18, no credentials → code 13', async function () {
    server = await startFerretDb({ auth: { username: 'alice', password: 's3cret-pw', database: 'appdb' } });
    assert.ok(server.authUrl);

    const good = new MongoClient(server.authUrl!, { serverSelectionTimeoutMS: 5000 });
    try {
      await good.db('appdb').collection<AnyDoc>('c').insertOne({ a: 1 });
      assert.equal(await good.db('appdb').collection<AnyDoc>('c').countDocuments(), 1);
    } finally {
      await good.close();
    }

    const wrongUrl = `mongodb://alice:wrong@127.0.0.1:${server.port}/?authSource=appdb`;
    const bad = new MongoClient(wrongUrl, { serverSelectionTimeoutMS: 5000 });
    try {
      await assert.rejects(bad.connect(), (e: unknown) => {
        assert.ok(e instanceof MongoServerError, `expected MongoServerError, got ${String(e)}`);
        assert.equal(e.code, 18);
        assert.equal(e.codeName, 'AuthenticationFailed');
        return true;
      });
    } finally {
      await bad.close();
    }

    const anon = new MongoClient(server.url, { serverSelectionTimeoutMS: 5000 });
    try {
      await assert.rejects(anon.db('appdb').collection<AnyDoc>('c').insertOne({ a: 2 }), (e: unknown) => {
        assert.ok(e instanceof MongoServerError);
        assert.equal(e.code, 13); // Unauthorized: "Command insert requires authentication"
        return true;
      });
    } finally {
      await anon.close();
    }
  });
});
