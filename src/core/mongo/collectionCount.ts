import type { Db } from 'mongodb';

/**
 * A collection's document count from its storage statistics (`$collStats`, summed over shards): metadata on
 * MongoDB, and on FerretDB (SQLite backend) a count of the table's rows that decodes no document — where
 * `estimatedDocumentCount` (the `count` command) reads and decodes every document, a scan as long as a third of a
 * validation pass. Servers without `$collStats` fall back to `estimatedDocumentCount`.
 */
export async function storedDocumentCount(db: Db, collection: string): Promise<number> {
  try {
    const shards = await db
      .collection(collection)
      .aggregate<{ count?: unknown }>([{ $collStats: { count: {} } }])
      .toArray();
    if (shards.length > 0 && shards.every((s) => typeof s.count === 'number'))
      return shards.reduce((n, s) => n + (s.count as number), 0);
  } catch {
    // An older or partial server: the count command below.
  }
  return db.collection(collection).estimatedDocumentCount();
}
