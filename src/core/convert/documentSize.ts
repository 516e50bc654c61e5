/**
 * MongoDB's 16 MiB document limit, checked while building: exact BSON sizing costs about as much as building the
 * document, so it runs only when a cheap upper bound — the values read for the document and its field names — could
 * pass the limit; and the 'reference' policy of embedded arrays for documents that do pass it.
 */
import { BSON, type Document } from 'mongodb';
import { MAX_DOCUMENT_BYTES } from '../mongo/writer';
import type { CollectionPlan, EmbedPlan } from '../plan/types';
import { compositeIdNames } from '../plan/fieldNames';
import type { ConversionWarning } from './values';
import type { EmbedNode, ReferenceSlot } from './embedTree';
import { setField } from './documentParts';

/** An upper bound of the BSON bytes of `names` as element names (3 bytes a UTF-16 unit, type byte and NUL). */
export function nameBytes(names: Iterable<string>): number {
  let n = 0;
  for (const name of names) n += 3 * name.length + 2;
  return n;
}

function embedNameBytes(embeds: EmbedPlan[] | undefined): number {
  let n = 0;
  for (const e of embeds ?? [])
    n += nameBytes([e.field, e.mergePrefix ?? '']) + nameBytes(e.fields.map((f) => f.field)) + embedNameBytes(e.embeds);
  return n;
}

export class DocumentSizeGuard {
  /** Names of the top-level document, its `_id` parts, embedded documents and junction arrays, plus headers. */
  private readonly fixedBytes: number;
  /** Embedded arrays and computed fields have no cheap bound: their documents are always sized exactly. */
  private readonly alwaysExact: boolean;

  constructor(plan: CollectionPlan, streamedEmbeds: number) {
    const id = plan.id;
    const idNames = id.kind === 'composite' ? compositeIdNames(id) : id.kind === 'rowid' ? [id.rowidField] : [];
    this.fixedBytes =
      64 +
      nameBytes(['_id', ...idNames]) +
      nameBytes(plan.fields.map((f) => f.field)) +
      nameBytes(plan.arrays.map((a) => a.field)) +
      embedNameBytes(plan.embeds);
    this.alwaysExact = streamedEmbeds > 0 || (plan.computed?.length ?? 0) > 0;
  }

  /**
   * The document's exact size when it is over 16 MiB, else undefined. `boundBytes` bounds the BSON bytes of its
   * values (roughBytes of its row plus whatever junction arrays took); names are added here.
   */
  oversize(doc: Document, boundBytes: number): number | undefined {
    if (!this.alwaysExact && boundBytes + this.fixedBytes <= MAX_DOCUMENT_BYTES) return undefined;
    const size = BSON.calculateObjectSize(doc);
    return size > MAX_DOCUMENT_BYTES ? size : undefined;
  }
}

/**
 * The 16 MiB policy, at every depth: when the document is too large, each embedded array under the 'reference'
 * policy becomes the array of its child keys (one warning per relationship, with the rows it covers).
 */
export function referenceIfTooLarge(doc: Document, slots: ReferenceSlot[], warn: (w: ConversionWarning) => void): void {
  if (slots.length === 0 || BSON.calculateObjectSize(doc) <= MAX_DOCUMENT_BYTES) return;
  const referenced = new Map<EmbedNode, number>();
  for (const s of slots) {
    setField(s.target, s.name, s.keys);
    referenced.set(s.node, (referenced.get(s.node) ?? 0) + s.keys.length);
  }
  for (const [n, rows] of referenced)
    warn({ kind: 'embed-too-large', column: n.path, value: `${rows} ${n.child.name} rows kept as references` });
}
