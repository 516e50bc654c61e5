/**
 * Change detection without reading rows: a table's digest is a hash of every page of its b-tree (interior, leaf and
 * overflow pages, in key order). A row inserted, updated or deleted changes at least one of those pages, so an
 * equal digest proves the table's content is unchanged. The reverse does not hold (a page can change without its
 * rows changing, e.g. after VACUUM): that only costs a comparison that finds nothing to write.
 */
import { createHash } from 'node:crypto';
import { walkBtree, readTableRecords, type PageSource } from './btree';

/** One row of sqlite_master. */
export interface SchemaEntry {
  type: string;
  name: string;
  tableName: string;
  rootPage: number;
  sql: string;
}

export interface TableDigest {
  table: string;
  digest: string;
  /** Pages hashed (b-tree and overflow pages). */
  pages: number;
}

/** SQLite compares identifiers case-insensitively (ASCII only). */
export function sameName(a: string, b: string): boolean {
  return (
    a.length === b.length && a.replace(/[A-Z]/g, (c) => c.toLowerCase()) === b.replace(/[A-Z]/g, (c) => c.toLowerCase())
  );
}

/** The schema as stored in sqlite_master (page 1), read from pages. */
export function readSchemaEntries(src: PageSource): SchemaEntry[] {
  return readTableRecords(src, 1).map(({ values }) => ({
    type: String(values[0] ?? ''),
    name: String(values[1] ?? ''),
    tableName: String(values[2] ?? ''),
    rootPage: typeof values[3] === 'number' ? values[3] : 0,
    sql: typeof values[4] === 'string' ? values[4] : '',
  }));
}

/**
 * A signature of what the given tables and views are: their CREATE statements. Indexes and triggers are left out
 * (they do not change the documents). Root page numbers are left out too: VACUUM moves tables without changing them.
 */
export function schemaSignature(entries: SchemaEntry[], names: string[]): string {
  const hash = createHash('sha256');
  const wanted = [...names].sort();
  for (const name of wanted) {
    const e = entries.find((x) => (x.type === 'table' || x.type === 'view') && sameName(x.name, name));
    hash.update(`${name}\u0000${e ? `${e.type}\u0000${e.sql}` : 'missing'}\u0001`);
  }
  return hash.digest('hex');
}

/** Digests of the named tables (views and virtual tables have no pages and are left out). */
export function digestTables(src: PageSource, entries: SchemaEntry[], names: string[]): TableDigest[] {
  const out: TableDigest[] = [];
  for (const name of names) {
    const e = entries.find((x) => x.type === 'table' && sameName(x.name, name));
    if (!e || e.rootPage <= 0) continue;
    const hash = createHash('sha256');
    let pages = 0;
    walkBtree(src, e.rootPage, (_pgno, page) => {
      hash.update(page);
      pages++;
    });
    out.push({ table: e.name, digest: hash.digest('hex'), pages });
  }
  return out;
}
