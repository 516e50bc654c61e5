/**
 * TLS: FerretDB listening with a certificate from a throw-away CA (openssl). With `tls=true&tlsCAFile=<the CA>` a
 * migration runs as over a plain connection; with a CA that did not sign the certificate, or none, the connection
 * fails with a short error that names the fix.
 */
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import { isMigrationError, migrate, testConnection } from '../../src/core';
import { sharedFixture } from '../helpers/fixtures';
import { startFerretDb, uniqueDbName, type TestServer } from '../helpers/mongoServer';
import { cleanupTempDirs, tempDir } from '../helpers/sqliteBuilders';
import { makeTestCertificates, type TestCertificates } from '../helpers/tlsCertificates';

describe('TLS connections (FerretDB with --listen-tls)', function () {
  let certs: TestCertificates;
  let server: TestServer;
  let tlsUrl: string;

  before(async function () {
    certs = makeTestCertificates(tempDir());
    server = await startFerretDb({ tls: { certFile: certs.certFile, keyFile: certs.keyFile } });
    tlsUrl = server.tlsUrl!;
  });

  after(async function () {
    await server?.stop();
    cleanupTempDirs();
  });

  it('migrates app.db over tls=true&tlsCAFile=<the CA>, and the documents read back over TLS', async function () {
    const url = `${tlsUrl}&tlsCAFile=${encodeURIComponent(certs.caFile)}`;
    const database = uniqueDbName('tls');
    const report = await migrate({ sqlitePath: sharedFixture('app.db'), mongoUrl: url, database, ifExists: 'fail' });
    assert.equal(report.status, 'succeeded', report.error?.message);
    const client = await MongoClient.connect(url);
    try {
      const ids = (
        await client
          .db(database)
          .collection('resources')
          .find({}, { projection: { _id: 1 } })
          .sort({ _id: 1 })
          .toArray()
      ).map((d) => d._id);
      assert.deepEqual(ids, [1, 2, 3]);
    } finally {
      await client.close();
    }
  });

  for (const [what, ca] of [
    ['a CA that did not sign the certificate', () => `&tlsCAFile=${encodeURIComponent(certs.otherCaFile)}`],
    ['no CA (the system store does not know ours)', () => ''],
  ] as const) {
    it(`with ${what}: a short error that says the certificate is not trusted and how to fix it`, async function () {
      const url = `${tlsUrl}${ca()}`;
      const error = await testConnection(url, 'tls_untrusted', 3000).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isMigrationError(error), `expected a MigrationError, got ${String(error)}`);
      assert.equal(error.code, 'TARGET_UNREACHABLE');
      assert.match(
        error.message,
        /^The TLS certificate of mongodb:\/\/127\.0\.0\.1:\d+\/\?tls=true.* is not trusted \([A-Z_]+\)\.$/,
      );
      assert.match(error.hint ?? '', /tlsCAFile=/);
    });
  }
});
