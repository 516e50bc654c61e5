/**
 * Indexes that follow from a collection's arrays: a junction array (`tracks: [3, 7]`) and the references inside
 * embedded child rows (`Order Details.ProductID`, `orders.lines.productId` through nested embeds) are what an
 * application looks documents up by ("orders containing product 7"), so the default plan and every designer edit
 * give each one a (multikey) index.
 */
import type { SchemaInfo } from '../sqlite/types';
import type { ArrayFieldPlan, CollectionPlan, EmbedPlan, IndexPlan } from './types';

/** An embed, possibly with embeds of its own (nested embeds: the child's children inside each child). */
type EmbedTree = EmbedPlan & { embeds?: EmbedTree[] };

const signature = (ix: IndexPlan) => ix.keys.map(([f, d]) => `${f}:${d}`).join(',');

/**
 * The child table's foreign keys (other than the join to its parent) whose columns are all fields of the embedded
 * rows, as index paths under `prefix` — recursing into nested embeds, whose paths sit under their parent's.
 */
function embedReferenceIndexes(embeds: EmbedTree[] | undefined, prefix: string, schema: SchemaInfo): IndexPlan[] {
  const out: IndexPlan[] = [];
  for (const e of embeds ?? []) {
    if (e.merge) continue;
    const path = `${prefix}${e.field}`;
    const child = schema.tables.find((t) => t.name === e.table);
    if (e.kind === 'array' && child) {
      for (const fk of child.foreignKeys) {
        const isJoin =
          fk.columns.length === e.childColumns.length && fk.columns.every((c, i) => c === e.childColumns[i]);
        if (isJoin) continue;
        const fields = fk.columns.map((c) => e.fields.find((f) => f.column === c)?.field);
        if (fields.some((f) => f === undefined)) continue;
        const keys = fields.map((f) => [`${path}.${f}`, 1] as [string, 1]);
        out.push({ name: `${keys.map(([k]) => k).join('_')}_fk`, keys, unique: false, origin: 'foreign-key' });
      }
    }
    out.push(...embedReferenceIndexes(e.embeds, `${path}.`, schema));
  }
  return out;
}

/** A junction array's index: on its ids, or (sub-document elements) on the field holding the referenced key. */
function junctionIndex(a: ArrayFieldPlan): IndexPlan {
  const key = a.valueDocument?.fields.find((f) => f.column === a.valueDocument?.keyColumn);
  const path = key ? `${a.field}.${key.field}` : a.field;
  return { name: `${path}_1`, keys: [[path, 1]], unique: false, origin: 'junction' };
}

/** The indexes a collection's junction arrays and embedded arrays call for. */
export function derivedIndexes(c: CollectionPlan, schema: SchemaInfo): IndexPlan[] {
  return [...c.arrays.map(junctionIndex), ...embedReferenceIndexes(c.embeds, '', schema)];
}

/**
 * Whether an index was derived from an array or an embed: a junction index, or a foreign-key index on a path
 * inside a sub-document other than `_id` (the collection's own foreign keys index top-level fields).
 */
function isDerived(ix: IndexPlan): boolean {
  if (ix.origin === 'junction') return true;
  return ix.origin === 'foreign-key' && ix.keys.some(([f]) => f.includes('.') && !f.startsWith('_id.'));
}

/**
 * The collection with its derived indexes brought in line with its arrays and embeds (after a designer edit added, removed
 * or renamed one): stale ones go, missing ones are added; the others (SQLite's, the user's) are kept as they are.
 */
export function withDerivedIndexes(c: CollectionPlan, schema: SchemaInfo): CollectionPlan {
  const wanted = derivedIndexes(c, schema);
  const wantedSignatures = new Set(wanted.map(signature));
  const kept = c.indexes.filter((ix) => !isDerived(ix) || wantedSignatures.has(signature(ix)));
  const have = new Set(kept.map(signature));
  return { ...c, indexes: [...kept, ...wanted.filter((ix) => !have.has(signature(ix)))] };
}
