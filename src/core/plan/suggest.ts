/**
 * Relationships SQLite never declared. Many SQLite apps have no FOREIGN KEY clauses; their columns still say
 * `customer_id` and hold customers' ids. This suggests such relationships from names (customer_id / customerId /
 * CustomerId → customers, customer or Customer by its single-column primary key) and checks them against the data:
 * the share of distinct non-NULL values that match a parent key. Suggestions are only shown; a user accepts one by
 * declaring it in the plan (`relationships`), after which it behaves like a declared foreign key.
 */
import { iterateQuery, quoteIdent, type SqliteSource } from '../sqlite';
import type { ForeignKeyInfo, SchemaInfo, TableInfo } from '../sqlite/types';
import { asciiLower } from '../sqlite/sql';
import type { DeclaredRelationship } from './types';

export interface SuggestedRelationship extends DeclaredRelationship {
  /** Distinct non-NULL values checked (at most SAMPLE_VALUES) and how many of them match a parent key. */
  checked: number;
  matched: number;
  /** matched / checked, 0–1. */
  share: number;
  /** Why it was suggested, in words. */
  reason: string;
}

/** Distinct values checked per candidate: enough to tell, cheap on a large table. */
const SAMPLE_VALUES = 10_000;
/** Below this share of matching values a name match is a coincidence, not a relationship. */
export const MIN_SHARE = 0.9;

/** 'customers' → ['customers', 'customer'], 'category' → ['category', 'categories', 'categorys'] (lower case). */
function nameForms(table: string): string[] {
  const t = asciiLower(table).replace(/[\s_-]+/g, '');
  const forms = new Set([t, `${t}s`, `${t}es`]);
  if (t.endsWith('ies')) forms.add(`${t.slice(0, -3)}y`);
  if (t.endsWith('es')) forms.add(t.slice(0, -2));
  if (t.endsWith('s')) forms.add(t.slice(0, -1));
  if (t.endsWith('y')) forms.add(`${t.slice(0, -1)}ies`);
  return [...forms];
}

/** The referenced name in `customer_id`, `customerId`, `CustomerID`, `id_customer`, or null. */
function referencedName(column: string): string | null {
  const m = /^(.+?)[\s_-]?(id|key|ref)$/i.exec(column) ?? /^(?:id|fk)[\s_-](.+)$/i.exec(column);
  if (!m || m[1].length < 2) return null;
  return asciiLower(m[1]).replace(/[\s_-]+/g, '');
}

function singleKey(t: TableInfo): string | null {
  if (t.primaryKey.length === 1) return t.primaryKey[0];
  const rowidAlias = t.columns.find((c) => asciiLower(c.name) === 'id');
  return t.primaryKey.length === 0 && rowidAlias ? rowidAlias.name : null;
}

function alreadyDeclared(t: TableInfo, column: string): boolean {
  return t.foreignKeys.some((fk) => fk.columns.length === 1 && fk.columns[0] === column);
}

/** Candidate (child column → parent key) pairs from names alone. */
function nameCandidates(
  schema: SchemaInfo,
): Array<{ child: TableInfo; column: string; parent: TableInfo; key: string; reason: string }> {
  const out: Array<{ child: TableInfo; column: string; parent: TableInfo; key: string; reason: string }> = [];
  const keyed = schema.tables
    .map((t) => ({ t, key: singleKey(t), forms: nameForms(t.name) }))
    .filter((p) => p.key !== null);
  for (const child of schema.tables) {
    for (const c of child.columns) {
      if (child.primaryKey.length === 1 && child.primaryKey[0] === c.name) continue;
      if (alreadyDeclared(child, c.name)) continue;
      const ref = referencedName(c.name);
      for (const p of keyed) {
        const key = p.key as string;
        const byTableName = ref !== null && p.forms.includes(ref);
        const byKeyName = p.t !== child && asciiLower(key) !== 'id' && asciiLower(key) === asciiLower(c.name);
        if (!byTableName && !byKeyName) continue;
        if (p.t === child && asciiLower(key) === asciiLower(c.name)) continue;
        const reason = byKeyName
          ? `${child.name}.${c.name} has the name of ${p.t.name}'s key`
          : `${c.name} names ${p.t.name}`;
        out.push({ child, column: c.name, parent: p.t, key, reason });
      }
    }
  }
  return out;
}

/** Suggestions, best first, each checked against the data (one DISTINCT scan and key lookups per candidate). */
export function suggestRelationships(source: SqliteSource, schema: SchemaInfo): SuggestedRelationship[] {
  const out: SuggestedRelationship[] = [];
  for (const cand of nameCandidates(schema)) {
    const sql =
      `SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM ${quoteIdent(cand.parent.name)} p WHERE p.${quoteIdent(cand.key)} = v.x)), 0) ` +
      `FROM (SELECT DISTINCT ${quoteIdent(cand.column)} AS x FROM ${quoteIdent(cand.child.name)} WHERE ${quoteIdent(cand.column)} IS NOT NULL LIMIT ${SAMPLE_VALUES}) v`;
    const [row] = [...iterateQuery(source, sql)];
    const checked = Number(row?.[0] ?? 0),
      matched = Number(row?.[1] ?? 0);
    const share = checked === 0 ? 0 : matched / checked;
    if (checked === 0 || share < MIN_SHARE) continue;
    const reason = `${cand.reason}; ${matched.toLocaleString('en-US')} of ${checked.toLocaleString('en-US')} distinct values match ${cand.parent.name}.${cand.key}`;
    out.push({
      table: cand.child.name,
      columns: [cand.column],
      refTable: cand.parent.name,
      refColumns: [cand.key],
      checked,
      matched,
      share,
      reason,
    });
  }
  return out.sort((a, b) => b.share - a.share || b.checked - a.checked || a.table.localeCompare(b.table));
}

/**
 * The schema as the plan sees it: SQLite's declared foreign keys plus the relationships the plan declares, so the
 * designer, embeds and the plan check treat an accepted suggestion exactly like a FOREIGN KEY clause.
 */
export function withDeclaredRelationships(
  schema: SchemaInfo,
  declared: DeclaredRelationship[] | undefined,
): SchemaInfo {
  if (!declared?.length) return schema;
  return {
    ...schema,
    tables: schema.tables.map((t) => {
      const extra: ForeignKeyInfo[] = declared
        .filter(
          (d) =>
            d.table === t.name &&
            !t.foreignKeys.some((fk) => sameColumns(fk.columns, d.columns) && fk.refTable === d.refTable),
        )
        .map((d) => ({ columns: [...d.columns], refTable: d.refTable, refColumns: [...d.refColumns] }));
      return extra.length ? { ...t, foreignKeys: [...t.foreignKeys, ...extra] } : t;
    }),
  };
}

const sameColumns = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
