/** Designer edits of how a foreign key or a junction table maps (see mappingModes.ts for the modes). */
import { MigrationError } from '../errors';
import type { SchemaInfo } from '../sqlite/types';
import { documentFieldName } from './designEdits';
import { junctionSides } from './junctions';
import type { JunctionMode, RelationshipMode } from './mappingModes';
import {
  applyEmbed,
  isArrayEmbedOf,
  isDocumentEmbedOf,
  listRelationships,
  relationshipId,
  sameColumns,
  type Relationship,
} from './relationships';
import { clone, collectionOf, restoreCollection } from './tableEdits';
import type { MappingPlan } from './types';

export function setRelationship(
  plan: MappingPlan,
  schema: SchemaInfo,
  defaults: MappingPlan,
  id: string,
  mode: RelationshipMode,
): MappingPlan {
  const r = listRelationships(schema).find((x) => relationshipId(x) === id);
  if (!r) throw new MigrationError('PLAN_INVALID', `No foreign key ${id} in the database.`);
  let next = clone(plan);
  // First back to a reference: no embed of this relationship anywhere, and the child's collection back.
  let wasEmbeddedAway = false;
  for (const c of next.collections) {
    const before = c.embeds?.length ?? 0;
    c.embeds = (c.embeds ?? []).filter(
      (e) => !(c.table === r.parent && isArrayEmbedOf(e, r)) && !(c.table === r.child && isDocumentEmbedOf(e, r)),
    );
    if (c.embeds.length !== before && c.table === r.parent) wasEmbeddedAway = true;
    if (c.embeds.length === 0) delete c.embeds;
  }
  const stillEmbedded = next.collections.some((c) =>
    (c.embeds ?? []).some((e) => e.kind === 'array' && e.table === r.child),
  );
  if (
    wasEmbeddedAway &&
    !stillEmbedded &&
    next.skipped.some((s) => s.table === r.child && s.reason.startsWith('embedded into'))
  )
    restoreCollection(next, schema, defaults, r.child);
  if (mode === 'reference') return next;
  if (mode === 'array' || mode === 'array-keep') {
    const into = collectionOf(next, r.parent);
    const field = r.child;
    next = applyEmbed(next, schema, {
      into: into.collection,
      table: r.child,
      kind: 'array',
      field,
      keepCollection: mode === 'array-keep' || r.child === r.parent,
    });
    fixJoin(next, schema, into.collection, field, r, 'array');
    return next;
  }
  const into = collectionOf(next, r.child);
  // Named from the key column (customer_id → customer; a self-reference ReportsTo → ReportsTo_Employee).
  const field = documentFieldName(r.columns, r.parent);
  next = applyEmbed(next, schema, {
    into: into.collection,
    table: r.parent,
    kind: 'document',
    field,
    merge: mode === 'merge',
  });
  const added = next.collections.find((c) => c.collection === into.collection)!.embeds!.at(-1)!;
  fixJoin(next, schema, into.collection, added.field, r, 'document');
  return next;
}

/** applyEmbed takes the first foreign key between two tables; point the embed at the one the user chose. */
function fixJoin(
  plan: MappingPlan,
  schema: SchemaInfo,
  collection: string,
  field: string,
  r: Relationship,
  kind: 'array' | 'document',
): void {
  const e = plan.collections.find((c) => c.collection === collection)?.embeds?.find((x) => x.field === field);
  if (!e) return;
  const parentColumns = kind === 'array' ? r.refColumns : r.columns;
  const childColumns = kind === 'array' ? r.columns : r.refColumns;
  if (sameColumns(e.parentColumns, parentColumns) && sameColumns(e.childColumns, childColumns)) return;
  e.parentColumns = parentColumns;
  e.childColumns = childColumns;
  if (kind === 'array') {
    const child = schema.tables.find((t) => t.name === r.child)!;
    e.fields = child.columns
      .filter((c) => !r.columns.includes(c.name))
      .map((c) => e.fields.find((f) => f.column === c.name) ?? { column: c.name, field: c.name, type: 'auto' });
  }
}

export function setJunction(
  plan: MappingPlan,
  schema: SchemaInfo,
  defaults: MappingPlan,
  table: string,
  mode: JunctionMode,
): MappingPlan {
  const t = schema.tables.find((x) => x.name === table);
  const sides = t && junctionSides(t, schema);
  if (!sides) throw new MigrationError('PLAN_INVALID', `${table} is not a junction table.`);
  const next = clone(plan);
  for (const c of next.collections) c.arrays = c.arrays.filter((a) => a.junctionTable !== table);
  next.collections = next.collections.filter((c) => c.table !== table);
  next.skipped = next.skipped.filter((s) => s.table !== table);
  if (mode === 'collection') {
    restoreCollection(next, schema, defaults, table);
    return next;
  }
  const added: string[] = [];
  for (const side of ['owner', 'other'] as const) {
    if (mode !== side && mode !== 'both') continue;
    const c = collectionOf(next, sides[side].table);
    const array = clone(sides[side].array);
    const taken = new Set([
      '_id',
      ...c.fields.map((f) => f.field),
      ...c.arrays.map((a) => a.field),
      ...(c.embeds ?? []).map((e) => e.field),
    ]);
    while (taken.has(array.field)) array.field = `${array.field}_ids`;
    c.arrays.push(array);
    added.push(`${sides[side].table}.${array.field}`);
  }
  next.skipped.push({ table, reason: `junction table folded into ${added.join(' and ')}` });
  return next;
}
