/** Plan check of embeds at any depth and of junction arrays of sub-documents (docs/mapping-plan.md, "Embedding"). */
import type { SchemaInfo, TableInfo } from '../sqlite/types';
import { FIELD_TYPES, type ArrayFieldPlan, type EmbedPlan, type FieldPlan } from './types';

/** Deeper than this is almost certainly a mistake (and each level is one more join per query). */
export const MAX_EMBED_DEPTH = 8;

const badName = (f: string) => typeof f !== 'string' || !f || f.includes('.') || f.startsWith('$');

/** True when `columns` are the table's primary key or a (non-partial) unique key: a lookup finds one row at most. */
function isUniqueKey(table: TableInfo, columns: string[]): boolean {
  const same = (cols: Array<string | null>) =>
    cols.length === columns.length && cols.every((x) => x !== null && columns.includes(x));
  return same(table.primaryKey) || table.indexes.some((ix) => ix.unique && !ix.partial && same(ix.columns));
}

/** Problems of sub-document fields read from `table`; names go into `names` (after `prefix`). */
function fieldProblems(
  fields: FieldPlan[],
  table: TableInfo,
  where: string,
  names: Set<string>,
  prefix = '',
): string[] {
  if (!Array.isArray(fields)) return [`${where}: fields must be an array`];
  const problems: string[] = [];
  for (const f of fields) {
    if (!table.columns.some((x) => x.name === f?.column))
      problems.push(`${where}: column ${JSON.stringify(f?.column)} not in ${table.name}`);
    if (!FIELD_TYPES.includes(f?.type))
      problems.push(`${where}: field ${f?.field} has unknown type ${JSON.stringify(f?.type)}`);
    if (badName(f?.field)) problems.push(`${where}: field name ${JSON.stringify(f?.field)} is not allowed`);
    const name = prefix + f?.field;
    if (names.has(name)) problems.push(`${where}: field ${name} appears twice`);
    names.add(name);
  }
  return problems;
}

/**
 * Problems of `embeds` of `parent` (the collection's table, or an enclosing embed's): each names existing tables and
 * columns, a 'document' follows a unique key, names do not clash, no embed follows its enclosing embed's
 * relationship back (a cycle), and the nesting stays within MAX_EMBED_DEPTH. `names` holds the names used where the embeds land (after `prefix`).
 */
export function embedProblems(
  embeds: EmbedPlan[] | undefined,
  parent: TableInfo,
  schema: SchemaInfo,
  at: string,
  names: Set<string>,
  path: string[] = [parent.name],
  prefix = '',
  via?: EmbedPlan,
  fieldPath: string[] = [],
): string[] {
  if (embeds === undefined) return [];
  if (!Array.isArray(embeds)) return [`${at}: embeds must be an array`];
  const problems: string[] = [];
  for (const e of embeds) {
    const where = `${at}: embedded ${[...fieldPath, e?.field].join(' → ')}`;
    const child = schema.tables.find((t) => t.name === e?.table);
    if (!child) {
      problems.push(`${where}: table ${JSON.stringify(e?.table)} not found`);
      continue;
    }
    if (path.length > MAX_EMBED_DEPTH) {
      problems.push(`${where}: embeds nest at most ${MAX_EMBED_DEPTH} levels deep`);
      continue;
    }
    if (via && goesBack(e, via, path)) {
      problems.push(
        `${where}: ${path.slice(-2).join(' → ')} → ${child.name} follows the same relationship back (a cycle: each ${child.name} row would embed itself); remove it or make ${path.at(-1)} its own collection`,
      );
      continue;
    }
    if (!['array', 'document'].includes(e.kind)) problems.push(`${where}: kind must be array or document`);
    if (!e.parentColumns?.length || e.parentColumns.length !== e.childColumns?.length)
      problems.push(`${where}: parentColumns and childColumns must pair up`);
    for (const col of e.parentColumns ?? [])
      if (!parent.columns.some((x) => x.name === col)) problems.push(`${where}: column ${col} not in ${parent.name}`);
    for (const col of e.childColumns ?? [])
      if (!child.columns.some((x) => x.name === col)) problems.push(`${where}: column ${col} not in ${child.name}`);
    // A lookup must find at most one row: the child columns must be its primary key or a unique key.
    if (e.kind === 'document' && Array.isArray(e.childColumns) && !isUniqueKey(child, e.childColumns))
      problems.push(
        `${where}: ${e.childColumns.join(', ')} is not a primary or unique key of ${child.name}, so one ${parent.name} row may match several; embed it as an array instead`,
      );
    if (e.merge && e.kind !== 'document') problems.push(`${where}: only a document embed can be merged`);
    const merged = e.merge && e.kind === 'document';
    const inner = merged ? names : new Set<string>();
    const innerPrefix = merged ? prefix + (e.mergePrefix ?? '') : '';
    problems.push(...fieldProblems(e.fields, child, where, inner, innerPrefix));
    problems.push(
      ...embedProblems(e.embeds, child, schema, at, inner, [...path, child.name], innerPrefix, e, [
        ...fieldPath,
        e.field,
      ]),
    );
    if (!merged) {
      if (badName(e.field)) problems.push(`${where}: field name ${JSON.stringify(e.field)} is not allowed`);
      if (names.has(prefix + e.field)) problems.push(`${where}: clashes with another field`);
      names.add(prefix + e.field);
    }
  }
  return problems;
}

/** True when `e` joins back to the table `via` came from, on the columns `via` joined (orders → customer → orders). */
function goesBack(e: EmbedPlan, via: EmbedPlan, path: string[]): boolean {
  const same = (a: string[] | undefined, b: string[] | undefined) =>
    Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]);
  return e.table === path.at(-2) && same(e.childColumns, via.parentColumns) && same(e.parentColumns, via.childColumns);
}

/** Problems of a junction array's `valueDocument`: the referenced table, its key and the sub-document's fields. */
export function valueDocumentProblems(a: ArrayFieldPlan, schema: SchemaInfo, at: string): string[] {
  const ref = a.valueDocument;
  if (ref === undefined) return [];
  const where = `${at}: array ${a.field} of sub-documents`;
  const table = schema.tables.find((t) => t.name === ref?.table);
  if (!table) return [`${where}: table ${JSON.stringify(ref?.table)} not found`];
  const problems: string[] = [];
  if (!table.columns.some((x) => x.name === ref.keyColumn))
    problems.push(`${where}: keyColumn ${JSON.stringify(ref.keyColumn)} not in ${table.name}`);
  else if (!isUniqueKey(table, [ref.keyColumn]))
    problems.push(
      `${where}: ${ref.keyColumn} is not a primary or unique key of ${table.name}, so a value may match several rows`,
    );
  return [...problems, ...fieldProblems(ref.fields, table, where, new Set())];
}
