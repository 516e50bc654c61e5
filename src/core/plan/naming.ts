/**
 * The naming convention (issue 14): collection and field names as in SQLite ('as-is'), in camelCase or in
 * snake_case, applied to a whole plan by one pure function. camelCase and snake_case re-case the plan's current
 * names (a name the user typed keeps its words); 'as-is' gives every name that comes from a table or column its
 * source name back. Names that collide after the change get `_2`, `_3`, … like the field-name rule.
 */
import { collectionNameFor } from './collectionNames';
import { sanitizeFieldName } from './fieldNames';
import type { CollectionPlan, EmbedPlan, FieldPlan, MappingPlan, NamingConvention } from './types';

/** 'OrderDetails', 'order details', 'customerID', 'XMLHttp2' → their words ('XML', 'Http2'). */
export function nameWords(name: string): string[] {
  return name
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** One name in a convention; leading and trailing underscores (`_rowid`, `_id_`) are kept as they are. */
export function convertName(name: string, convention: NamingConvention): string {
  if (convention === 'as-is') return name;
  const [, lead, core, trail] = /^(_*)(.*?)(_*)$/su.exec(name)!;
  const words = nameWords(core);
  if (words.length === 0) return name;
  const lower = words.map((w) => w.toLowerCase());
  const body =
    convention === 'snake_case'
      ? lower.join('_')
      : lower[0] +
        lower
          .slice(1)
          .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
          .join('');
  return `${lead}${body}${trail}`;
}

/** Makes each name unique against `taken` (and the ones before it) with `_2`, `_3`, …. */
function unique(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate); n++) candidate = `${name}_${n}`;
  taken.add(candidate);
  return candidate;
}

type Rename = Map<string, { name: string; inner?: Rename }>;

/** Renames a field list in place (one document level), recording old → new in `renames`. */
function renameFields(fields: FieldPlan[], convention: NamingConvention, taken: Set<string>, renames: Rename): void {
  for (const f of fields) {
    // A sub-document's `_id` (a junction element's key) keeps its name in every convention.
    if (f.field === '_id') continue;
    const next = unique(convention === 'as-is' ? sanitizeFieldName(f.column) : convertName(f.field, convention), taken);
    renames.set(f.field, { name: next });
    f.field = next;
  }
}

/** An embedded child's own names (its fields and nested embeds), then the embed's name in its parent. */
function renameEmbed(e: EmbedPlan, convention: NamingConvention, taken: Set<string>, renames: Rename): void {
  const inner: Rename = new Map();
  const innerTaken = new Set<string>();
  renameFields(e.fields, convention, innerTaken, inner);
  for (const nested of e.embeds ?? []) renameEmbed(nested, convention, innerTaken, inner);
  if (e.mergePrefix) e.mergePrefix = convertName(e.mergePrefix, convention);
  const source = e.kind === 'array' ? sanitizeFieldName(e.table) : e.field;
  const next = unique(convention === 'as-is' ? source : convertName(e.field, convention), taken);
  renames.set(e.field, { name: next, inner });
  e.field = next;
}

/** `order_lines.sku` renamed through the collection's renames, level by level. */
function renamePath(path: string, renames: Rename): string {
  const out: string[] = [];
  let level: Rename | undefined = renames;
  for (const part of path.split('.')) {
    const r: { name: string; inner?: Rename } | undefined = level?.get(part);
    out.push(r?.name ?? part);
    level = r?.inner;
  }
  return out.join('.');
}

function renameCollection(c: CollectionPlan, convention: NamingConvention): void {
  const taken = new Set(['_id']);
  const renames: Rename = new Map();
  if (c.id.kind === 'rowid') taken.add(c.id.rowidField);
  if (c.id.kind === 'composite') {
    if (convention === 'as-is') delete c.id.fields;
    else {
      const idTaken = new Set<string>();
      c.id.fields = c.id.columns.map((col) => unique(convertName(sanitizeFieldName(col), convention), idTaken));
    }
  }
  renameFields(c.fields, convention, taken, renames);
  for (const e of c.embeds ?? []) renameEmbed(e, convention, taken, renames);
  for (const a of c.arrays) {
    if (a.valueDocument) renameFields(a.valueDocument.fields, convention, new Set(['_id']), new Map());
    const next = unique(convertName(a.field, convention), taken);
    renames.set(a.field, { name: next });
    a.field = next;
  }
  for (const f of c.computed ?? []) f.field = unique(convertName(f.field, convention), taken);
  for (const ix of c.indexes) ix.keys = ix.keys.map(([k, d]) => [renamePath(k, renames), d]);
}

/** The plan with every collection and field name in `convention` (a new plan; the input is not changed). */
export function applyNaming(plan: MappingPlan, convention: NamingConvention): MappingPlan {
  const next: MappingPlan = structuredClone(plan);
  const collections = new Set<string>();
  for (const c of next.collections) {
    c.collection =
      convention === 'as-is'
        ? collectionNameFor(c.table, collections)
        : unique(convertName(c.collection, convention), collections);
    renameCollection(c, convention);
  }
  if (convention === 'as-is') delete next.options.naming;
  else next.options.naming = convention;
  return next;
}
