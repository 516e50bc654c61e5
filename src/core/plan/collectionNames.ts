import { HISTORY_COLLECTION, INSERTED_IDS_COLLECTION } from '../history/records';

/** Collections the tool keeps for itself in every target database. */
export const RESERVED_COLLECTIONS = [HISTORY_COLLECTION, INSERTED_IDS_COLLECTION];

/**
 * A collection name MongoDB (and FerretDB) accepts for a table name, unique among `taken`: `$` and NUL become `_`,
 * an empty name `_`, `system.` (reserved by the server) or a leading `.` gets a leading `_`, and the tool's own collections are
 * never reused. Long names are cut to 120 bytes (the namespace, database name included, must stay under 255).
 */
export function collectionNameFor(table: string, taken: Set<string>): string {
  let name = table.replace(/[$\u0000]/g, '_');
  if (name === '') name = '_';
  if (/^(system\.|\.)/.test(name)) name = `_${name}`;
  while (Buffer.byteLength(name, 'utf8') > 120) name = name.slice(0, -1);
  let candidate = name;
  for (let n = 2; taken.has(candidate) || RESERVED_COLLECTIONS.includes(candidate); n++) candidate = `${name}_${n}`;
  taken.add(candidate);
  return candidate;
}
