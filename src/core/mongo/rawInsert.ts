import { MongoNetworkTimeoutError, MongoServerError, type Db, type Document, type WriteConcern } from 'mongodb';
import { serializeDocument } from './bsonWriter';
// The driver's OP_MSG document sequence (kind-1 section): documents go on the wire as the BSON bytes given, so a
// document the engine serialised once (to compare it, or to measure it) is not serialised again. Internal to the
// driver (used by its own bulkWrite); FerretDB and MongoDB read it like any driver's insert.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DocumentSequence } = require('mongodb/lib/cmap/commands') as {
  DocumentSequence: new (field: string) => { push(doc: Document, bson: Uint8Array): number };
};

/** Document bytes per insert command: well under the 48 MB message limit (one 16 MiB document always fits). */
const MAX_COMMAND_BYTES = 32 * 1024 * 1024;

export interface RawInsertResult {
  inserted: number;
  /** Per-document failures, by index in the batch. */
  writeErrors: Array<{ index: number; code?: number; errmsg?: string }>;
}

/** One unordered `insert` command per ≤ 32 MiB of documents, from their serialised bytes. */
export async function insertSerialized(
  db: Db,
  collection: string,
  batch: Array<{ doc: Document; bson: Uint8Array }>,
  writeConcern?: WriteConcern,
): Promise<RawInsertResult> {
  const result: RawInsertResult = { inserted: 0, writeErrors: [] };
  for (let start = 0; start < batch.length;) {
    const documents = new DocumentSequence('documents');
    let bytes = 0;
    let end = start;
    while (end < batch.length && (end === start || bytes + batch[end].bson.length <= MAX_COMMAND_BYTES)) {
      bytes += batch[end].bson.length;
      documents.push(batch[end].doc, batch[end].bson);
      end++;
    }
    const r = await db.command({
      insert: collection,
      documents,
      ordered: false,
      ...(writeConcern ? { writeConcern } : {}),
    });
    if (r.writeConcernError) throw new MongoServerError(r.writeConcernError as Document);
    result.inserted += Number(r.n ?? 0);
    for (const we of (r.writeErrors ?? []) as RawInsertResult['writeErrors'])
      result.writeErrors.push({ ...we, index: we.index + start });
    start = end;
  }
  return result;
}

/** The document's BSON, or undefined when it cannot be serialised (over the serializer's buffer, i.e. far over 16 MiB). */
export function serializeOrUndefined(doc: Document): Uint8Array | undefined {
  try {
    return serializeDocument(doc);
  } catch {
    return undefined;
  }
}

/** An insert's outcome by document: inserted, `_id` conflicts (code 11000, by index) and other refusals. */
export interface InsertOutcome {
  inserted: number;
  newIds: unknown[];
  conflicts: number[];
  refused: Array<{ index: number; code?: number; reason: string }>;
}

/** Unordered insert of serialised documents (answered within a deadline); splits the outcome by document. */
export async function insertClassified(
  db: Db,
  collection: string,
  batch: Array<{ doc: Document; bson: Uint8Array }>,
  writeConcern?: WriteConcern,
): Promise<InsertOutcome> {
  const r = await answeredWithin(insertSerialized(db, collection, batch, writeConcern));
  const conflicts: number[] = [];
  const refused: InsertOutcome['refused'] = [];
  for (const we of r.writeErrors) {
    if (we.code === 11000) conflicts.push(we.index);
    else refused.push({ index: we.index, code: we.code, reason: we.errmsg ?? 'refused by the server' });
  }
  if (r.writeErrors.length === 0)
    return { inserted: r.inserted, newIds: batch.map((p) => p.doc._id), conflicts, refused };
  const failed = new Set(r.writeErrors.map((we) => we.index));
  return {
    inserted: r.inserted,
    newIds: batch.filter((_, i) => !failed.has(i)).map((p) => p.doc._id),
    conflicts,
    refused,
  };
}

/** Longest wait for the answer to one insert command (a 1,000-document batch takes well under a second). */
const ANSWER_DEADLINE_MS = 60_000;

/**
 * An insert in flight when the server was killed was seen to never settle (the driver neither answered nor failed
 * it, with the server gone): past the deadline it counts as a lost connection, so it is retried — and with the
 * server still gone the run stops with its --resume hint instead of hanging.
 */
function answeredWithin<T>(op: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new MongoNetworkTimeoutError(`no answer from the server within ${ANSWER_DEADLINE_MS / 1000} s`)),
      ANSWER_DEADLINE_MS,
    );
  });
  return Promise.race([op, deadline]).finally(() => clearTimeout(timer));
}
