/**
 * What the mapping designer shows under each sample document, beyond the document itself: how many rows a row
 * filter keeps and skips (one COUNT, only for a filtered table), the rows a computed field refuses among the first
 * rows (built exactly as the migration builds them), and the collection's generated `$jsonSchema` validator.
 */
import { DocumentBuilder } from './convert/documents';
import type { RefusedRow } from './convert/documentParts';
import { collectionJsonSchema, type CollectionValidator } from './plan/jsonSchema';
import { filteredFrom } from './plan/filter';
import type { CollectionPlan, MappingPlan } from './plan/types';
import { iterateQuery, type SqliteSource } from './sqlite';
import type { SchemaInfo } from './sqlite/types';

/** Rows built to find computed-field errors: enough to show a pattern, cheap on every edit. */
export const PREVIEW_ROWS = 500;
/** Refusal reasons shown per collection. */
const EXAMPLES = 3;

export interface CollectionPreview {
  /** With a row filter: rows kept and skipped (or why SQLite cannot count them). */
  filter?: { kept: number; skipped: number } | { error: string };
  /** With computed fields: rows refused among the first `checked` rows, with the first reasons. */
  refused?: { checked: number; count: number; examples: RefusedRow[] };
  /** The generated validator, or why it cannot be generated. */
  jsonSchema: CollectionValidator | { error: string };
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function filterCounts(source: SqliteSource, schema: SchemaInfo, c: CollectionPlan): CollectionPreview['filter'] {
  const table = schema.tables.find((t) => t.name === c.table);
  if (!c.filter || !table) return undefined;
  try {
    const [row] = [...iterateQuery(source, `SELECT count(*) FROM ${filteredFrom(table, c.filter, 'p')}`)];
    const kept = Number(row?.[0] ?? 0);
    return { kept, skipped: table.rowCount - kept };
  } catch (e) {
    const inner = e instanceof Error && e.cause instanceof Error ? e.cause : e;
    return { error: message(inner) };
  }
}

function refusedRows(
  source: SqliteSource,
  schema: SchemaInfo,
  c: CollectionPlan,
  plan: MappingPlan,
): CollectionPreview['refused'] {
  if (!c.computed?.length) return undefined;
  const examples: RefusedRow[] = [];
  try {
    const builder = new DocumentBuilder(source, schema, c, plan.options);
    const it = builder.documents(() => undefined, {
      refuse: (r) => void (examples.length < EXAMPLES && examples.push(r)),
    });
    while (builder.counts.rows < PREVIEW_ROWS && !it.next().done);
    it.return(undefined);
    return { checked: builder.counts.rows, count: builder.counts.refused, examples };
  } catch {
    // A plan the check refuses (a bad expression) is reported there; nothing to count.
    return undefined;
  }
}

/** One preview per planned collection, keyed by collection name. */
export function collectionPreviews(
  source: SqliteSource,
  schema: SchemaInfo,
  plan: MappingPlan,
): Record<string, CollectionPreview> {
  const out: Record<string, CollectionPreview> = {};
  for (const c of plan.collections) {
    let jsonSchema: CollectionPreview['jsonSchema'];
    try {
      jsonSchema = collectionJsonSchema(c, schema, plan.options);
    } catch (e) {
      jsonSchema = { error: message(e) };
    }
    const filter = filterCounts(source, schema, c);
    const refused = refusedRows(source, schema, c, plan);
    out[c.collection] = { jsonSchema, ...(filter ? { filter } : {}), ...(refused ? { refused } : {}) };
  }
  return out;
}
