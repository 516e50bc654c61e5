/**
 * The summary a click on a collection in the Validation tree opens: a read-only Markdown document with the
 * collection's counts (SQLite rows, documents written, validation), its first documents read from MongoDB, and how
 * to open it in MongoDB for VS Code or mongosh.
 */
import * as vscode from 'vscode';
import { formatCount as fmt, hostOf, readableSample, type CollectionPeek } from '../../core';
import type { CollectionResult, ValidationRecord } from './validationModel';

export const SUMMARY_SCHEME = 'sqlite2mongo-collection';
/** MongoDB for VS Code's extension id: when it is installed, the summary offers to open the collection there. */
export const MONGODB_EXTENSION_ID = 'mongodb.mongodb-vscode';

export type CollectionPeeker = (rec: ValidationRecord, collection: string) => Promise<CollectionPeek>;

/** The connection string with the database as its path: `mongodb://h:1/?x=1` + `shop` → `mongodb://h:1/shop?x=1`. */
export function withDatabase(url: string, database: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/i.exec(url.trim());
  return m ? `${m[1]}/${database}${m[2] ?? ''}` : url;
}

/** The shell command that lists the collection's first documents (the password stays masked: type yours in). */
export function mongoshCommand(rec: Pick<ValidationRecord, 'targetLabel' | 'database'>, collection: string): string {
  return `mongosh "${withDatabase(rec.targetLabel, rec.database)}" --eval 'db.getCollection(${JSON.stringify(collection)}).find().limit(20)'`;
}

export function summaryMarkdown(
  rec: ValidationRecord,
  c: CollectionResult,
  peek: CollectionPeek | { error: string },
): string {
  const v = c.validation;
  const lines = [
    `# ${c.collection}`,
    '',
    `Table \`${c.table}\` of \`${rec.sourcePath}\` → database \`${rec.database}\` on ${hostOf(rec.targetLabel)}.`,
    '',
    '| What | Count |',
    '|---|---:|',
    `| Rows in SQLite | ${fmt(c.sourceRows)} |`,
    `| Documents written | ${fmt(c.imported)} |`,
    `| Rows refused | ${fmt(c.failed)} |`,
    ...(v
      ? [
          `| Validated OK | ${fmt(v.matched)} |`,
          `| Differing | ${fmt(v.differing)} |`,
          `| Missing in MongoDB | ${fmt(v.missing)} |`,
          `| Not in SQLite | ${fmt(v.extra)} |`,
        ]
      : ['| Validated | not yet |']),
    '',
    `Checked ${new Date(c.checkedAt).toLocaleString()}.`,
    '',
  ];
  if ('error' in peek) lines.push('## In MongoDB now', '', `Could not read the collection: ${peek.error}`, '');
  else {
    lines.push(
      '## In MongoDB now',
      '',
      `${fmt(peek.documents)} document${peek.documents === 1 ? '' : 's'}. The first ${peek.samples.length}:`,
      '',
    );
    // As the panel shows samples: ISO dates, binaries by size, long strings cut (the report has the exact values).
    for (const s of peek.samples) lines.push('```json', readableSample(s), '```', '');
  }
  lines.push(
    '## Open it',
    '',
    'In a terminal, with mongosh:',
    '',
    '```sh',
    mongoshCommand(rec, c.collection),
    '```',
    '',
  );
  return lines.join('\n');
}

/** Serves the summary documents; each is built when opened (counts from the tree, documents from the server). */
export class CollectionSummaries implements vscode.TextDocumentContentProvider {
  constructor(
    private readonly record: () => ValidationRecord | undefined,
    private readonly peek: CollectionPeeker,
  ) {}

  static uri(rec: ValidationRecord, collection: string): vscode.Uri {
    return vscode.Uri.from({
      scheme: SUMMARY_SCHEME,
      path: `/${collection}.md`,
      query: encodeURIComponent(JSON.stringify({ stamp: rec.stamp, collection })),
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const { collection } = JSON.parse(decodeURIComponent(uri.query)) as { collection: string };
    const rec = this.record();
    const c = rec?.collections.find((x) => x.collection === collection);
    if (!rec || !c)
      return `# ${collection}\n\nNo validation result for this collection any more (the Validation view was cleared or re-run).\n`;
    const peek = await this.peek(rec, collection).catch((e: unknown) => ({
      error: e instanceof Error ? e.message : String(e),
    }));
    return summaryMarkdown(rec, c, peek);
  }
}
