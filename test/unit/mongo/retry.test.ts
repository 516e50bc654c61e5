/** Which failures a write retries (and, once retries run out, reports as "the server went away"). */
import assert from 'node:assert/strict';
import { MongoBulkWriteError, MongoNetworkError, MongoServerError } from 'mongodb';
import { isTransientError } from '../../../src/core/mongo/retry';

describe('transient errors', () => {
  it('socket errors of a restarting server, however the driver wraps them', () => {
    assert.ok(isTransientError(new MongoNetworkError('connection 5 to 127.0.0.1:1 closed')));
    assert.ok(
      isTransientError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:34715'), { code: 'ECONNREFUSED' })),
    );
    assert.ok(isTransientError(new Error('connect ECONNREFUSED 127.0.0.1:34715')));
    assert.ok(
      isTransientError(
        new Error('write failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }),
      ),
    );
    const bulk = new MongoBulkWriteError(
      { message: 'connect ECONNREFUSED 127.0.0.1:1', code: undefined as never, writeErrors: [] } as never,
      { insertedCount: 0 } as never,
    );
    assert.ok(isTransientError(bulk));
  });

  it('never what the server refused on purpose', () => {
    assert.equal(isTransientError(new MongoServerError({ message: 'Document failed validation', code: 121 })), false);
    assert.equal(isTransientError(new MongoServerError({ message: 'not authorized', code: 13 })), false);
    assert.equal(isTransientError(new Error('boom')), false);
    assert.equal(isTransientError('ECONNREFUSED'), false);
  });
});
