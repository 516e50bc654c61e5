/**
 * How each foreign key and junction table of a schema is mapped by a plan, as the designer shows and edits it: a
 * relationship as a reference or embedded (array or document), a junction table as arrays of ids or a collection.
 */
import type { SchemaInfo } from '../sqlite/types';
import { junctionSides, junctionTables } from './junctions';
import { isArrayEmbedOf, isDocumentEmbedOf, listRelationships, relationshipId } from './relationships';
import type { MappingPlan } from './types';

/**
 * How a foreign key maps: keep the key as a field ('reference'); embed the child rows in the parent as an array
 * ('array', or 'array-keep' to keep the child's own collection too); look the parent row up into the child as a
 * sub-document ('document') or merge its fields into the child's ('merge').
 */
export const RELATIONSHIP_MODES = ['reference', 'array', 'array-keep', 'document', 'merge'] as const;
export type RelationshipMode = (typeof RELATIONSHIP_MODES)[number];

/** A junction table: an array of ids in its owner (the table of its first key column), the other table, both, or its own collection. */
export const JUNCTION_MODES = ['owner', 'other', 'both', 'collection'] as const;
export type JunctionMode = (typeof JUNCTION_MODES)[number];

export interface DesignRelationship {
  /** Stable id: `child(col,…)->parent`. */
  id: string;
  child: string;
  columns: string[];
  parent: string;
  refColumns: string[];
  mode: RelationshipMode;
  /** The embedded field's name when embedded. */
  field?: string;
  /** The collection holding the embedded data when embedded. */
  collection?: string;
}

export interface DesignJunction {
  table: string;
  owner: string;
  other: string;
  mode: JunctionMode;
}

export function designRelationships(plan: MappingPlan, schema: SchemaInfo): DesignRelationship[] {
  const junctions = junctionTables(schema);
  return listRelationships(schema)
    .filter((r) => !junctions.has(r.child))
    .map((r) => {
      const base = { id: relationshipId(r), ...r };
      for (const c of plan.collections) {
        for (const e of c.embeds ?? []) {
          if (c.table === r.parent && isArrayEmbedOf(e, r)) {
            const kept = plan.collections.some((x) => x.table === r.child);
            return {
              ...base,
              mode: kept && r.child !== r.parent ? 'array-keep' : 'array',
              field: e.field,
              collection: c.collection,
            } as DesignRelationship;
          }
          if (c.table === r.child && isDocumentEmbedOf(e, r))
            return {
              ...base,
              mode: e.merge ? 'merge' : 'document',
              field: e.field,
              collection: c.collection,
            } as DesignRelationship;
        }
      }
      return { ...base, mode: 'reference' } as DesignRelationship;
    });
}

export function designJunctions(plan: MappingPlan, schema: SchemaInfo): DesignJunction[] {
  const out: DesignJunction[] = [];
  for (const t of schema.tables) {
    const sides = junctionSides(t, schema);
    if (!sides) continue;
    const has = (side: 'owner' | 'other') =>
      plan.collections.some(
        (c) =>
          c.table === sides[side].table &&
          c.arrays.some((a) => a.junctionTable === t.name && a.ownerColumn === sides[side].array.ownerColumn),
      );
    const mode: JunctionMode =
      has('owner') && has('other') ? 'both' : has('other') ? 'other' : has('owner') ? 'owner' : 'collection';
    out.push({ table: t.name, owner: sides.owner.table, other: sides.other.table, mode });
  }
  return out;
}
