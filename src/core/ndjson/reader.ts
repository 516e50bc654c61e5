import { createReadStream, promises as fs } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Document } from 'mongodb';
import { MigrationError } from '../errors';
import { parseCanonical } from './ejson';
import type { NdjsonHeader, NdjsonTrailer } from './format';

export interface NdjsonRow {
  table: string;
  collection: string;
  doc: Document;
  line: number;
}

function invalid(file: string, message: string): MigrationError {
  return new MigrationError(
    'INPUT_FILE_INVALID',
    `${file}: ${message}`,
    'Export it again with `sqlite2mongo export --output-file …`.',
  );
}

/** Reads the header line alone (to plan an import before streaming the rows). */
export async function readNdjsonHeader(file: string): Promise<NdjsonHeader> {
  for await (const item of readNdjson(file, { headerOnly: true })) {
    if ('header' in item) return item.header;
  }
  throw invalid(file, 'the file is empty');
}

/**
 * Streams an intermediate file: first `{header}`, then `{row}` items, then `{trailer}`. Canonical EJSON is parsed
 * back into exact BSON types (Int32/Long/Double wrappers, Dates, Binary). Missing end line → INPUT_FILE_INVALID.
 */
export async function* readNdjson(
  file: string,
  opts: {
    headerOnly?: boolean;
    /** Rows of other collections are yielded unparsed (doc = {}), which is much cheaper. */ collection?: string;
  } = {},
): AsyncGenerator<{ header: NdjsonHeader } | { row: NdjsonRow } | { trailer: NdjsonTrailer }> {
  try {
    const stat = await fs.stat(file);
    if (stat.isDirectory()) throw invalid(file, 'is a directory');
  } catch (e) {
    if (e instanceof MigrationError) throw e;
    throw new MigrationError('INPUT_FILE_INVALID', `${file}: no such file`, 'Check the path given to --input-file.');
  }
  const lines = createInterface({
    input: createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }),
    crlfDelay: Infinity,
  });
  let lineNo = 0;
  let sawTrailer = false;
  try {
    for await (const text of lines) {
      lineNo++;
      if (text.trim() === '') continue;
      if (sawTrailer) throw invalid(file, `line ${lineNo}: data after the end marker`);
      let parsed: Document;
      if (opts.collection !== undefined && lineNo > 1 && !text.startsWith('{"end"')) {
        const m = /^\{"table":("(?:[^"\\]|\\.)*"),"collection":("(?:[^"\\]|\\.)*")/.exec(text);
        if (m && JSON.parse(m[2]) !== opts.collection) {
          yield { row: { table: JSON.parse(m[1]), collection: JSON.parse(m[2]), doc: {}, line: lineNo } };
          continue;
        }
      }
      try {
        // Header and end marker are plain JSON; documents are canonical EJSON.
        // parseCanonical = EJSON.parse(text, { relaxed: false }), several times faster (src/core/ndjson/ejson.ts).
        parsed = (lineNo === 1 || text.startsWith('{"end"') ? JSON.parse(text) : parseCanonical(text)) as Document;
      } catch (e) {
        throw invalid(file, `line ${lineNo} is not valid Extended JSON (${(e as Error).message})`);
      }
      if (lineNo === 1) {
        if (!parsed.sqlite2mongo || parsed.sqlite2mongo.format !== 'ndjson')
          throw invalid(file, 'not a sqlite2mongo NDJSON file (no header line)');
        yield { header: parsed as NdjsonHeader };
        if (opts.headerOnly) return;
        continue;
      }
      if (parsed.end) {
        sawTrailer = true;
        yield { trailer: parsed as NdjsonTrailer };
        continue;
      }
      if (typeof parsed.collection !== 'string' || typeof parsed.doc !== 'object')
        throw invalid(file, `line ${lineNo} has no collection/doc`);
      yield {
        row: { table: String(parsed.table), collection: parsed.collection, doc: parsed.doc as Document, line: lineNo },
      };
    }
  } finally {
    lines.close();
  }
  if (lineNo === 0) throw invalid(file, 'the file is empty');
  if (!sawTrailer) throw invalid(file, 'the file ends without its end marker (the export was interrupted)');
}
