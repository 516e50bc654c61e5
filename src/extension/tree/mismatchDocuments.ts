import * as vscode from 'vscode';
import type { DocumentPair } from '../../core';
import type { ValidationRecord } from './validationModel';

export const MISMATCH_SCHEME = 'sqlite2mongo-doc';

type Side = 'expected' | 'actual';

interface DocRef {
  stamp: string;
  collection: string;
  id: string;
  side: Side;
}

/** Loads both sides of one mismatch (runs in the engine worker). */
export type PairLoader = (rec: ValidationRecord, collection: string, id: string) => Promise<DocumentPair>;

/**
 * Read-only virtual documents for the side-by-side view of a mismatch: the document the SQLite row becomes
 * (left) and the MongoDB document with the same _id (right), as Extended JSON. Both sides are loaded once.
 */
export class MismatchDocuments implements vscode.TextDocumentContentProvider {
  private readonly pairs = new Map<string, Promise<DocumentPair>>();

  constructor(
    private readonly record: () => ValidationRecord | undefined,
    private readonly load: PairLoader,
  ) {}

  static uris(rec: ValidationRecord, collection: string, id: string): { left: vscode.Uri; right: vscode.Uri } {
    const make = (side: Side) => {
      const ref: DocRef = { stamp: rec.stamp, collection, id, side };
      const safeId = id.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40) || 'id';
      const label = side === 'expected' ? 'sqlite' : 'mongodb';
      return vscode.Uri.from({
        scheme: MISMATCH_SCHEME,
        path: `/${collection}/${safeId}.${label}.jsonc`,
        query: encodeURIComponent(JSON.stringify(ref)),
      });
    };
    return { left: make('expected'), right: make('actual') };
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    let ref: DocRef;
    try {
      ref = JSON.parse(decodeURIComponent(uri.query)) as DocRef;
    } catch {
      return '// Not a document reference.';
    }
    const rec = this.record();
    if (!rec || rec.stamp !== ref.stamp)
      return '// These validation results were replaced; open the mismatch again from the Validation view.';
    const key = `${ref.stamp}\u0000${ref.collection}\u0000${ref.id}`;
    let pair = this.pairs.get(key);
    if (!pair) {
      pair = this.load(rec, ref.collection, ref.id);
      this.pairs.set(key, pair);
      pair.catch(() => this.pairs.delete(key));
    }
    try {
      const p = await pair;
      const text = ref.side === 'expected' ? p.expected : p.actual;
      if (text !== null) return text + '\n';
      return ref.side === 'expected'
        ? `// No row of ${rec.sourcePath} becomes a document with _id ${ref.id}.\n`
        : `// MongoDB has no document with _id ${ref.id} in ${rec.database}.${ref.collection}.\n`;
    } catch (e) {
      return `// Could not load the ${ref.side === 'expected' ? 'SQLite row' : 'MongoDB document'}: ${e instanceof Error ? e.message : String(e)}\n`;
    }
  }
}
