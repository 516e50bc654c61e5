import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import type { Document } from 'mongodb';
import { MigrationError } from '../errors';
import { stringifyCanonical } from './ejson';
import { NDJSON_FORMAT_VERSION, type NdjsonHeader, type NdjsonTrailer } from './format';

/** Lines are collected into chunks of about this many characters before they go to the stream. */
const CHUNK_CHARS = 256 * 1024;

/**
 * Writes the intermediate file to `<file>.partial` and renames it into place only when complete, so a file under
 * the real name is always whole. Honours stream backpressure. Lines are handed to the stream in chunks of
 * ~256 KiB (one write per line cost more than encoding the line).
 */
export class NdjsonWriter {
  private readonly partialPath: string;
  private readonly stream: WriteStream;
  private readonly counts: Record<string, number> = {};
  private failed: Error | undefined;
  private pending = '';
  /** Bytes handed to the file so far (lines still in the current chunk are counted when it is written). */
  bytesWritten = 0;

  private constructor(readonly path: string) {
    this.partialPath = `${path}.partial`;
    this.stream = createWriteStream(this.partialPath, { encoding: 'utf8', highWaterMark: 1 << 20 });
    this.stream.on('error', (e) => (this.failed = e));
  }

  static async create(path: string, header: Omit<NdjsonHeader, 'sqlite2mongo' | 'createdAt'>): Promise<NdjsonWriter> {
    const writer = new NdjsonWriter(path);
    const full: NdjsonHeader = {
      sqlite2mongo: { format: 'ndjson', version: NDJSON_FORMAT_VERSION },
      createdAt: new Date().toISOString(),
      ...header,
    };
    // The header holds plain JSON (plan, schema): no BSON types, so plain JSON keeps numbers as numbers.
    await writer.writeLine(JSON.stringify(full));
    return writer;
  }

  async writeDocument(table: string, collection: string, doc: Document): Promise<void> {
    this.counts[collection] = (this.counts[collection] ?? 0) + 1;
    // stringifyCanonical = EJSON.stringify(doc, { relaxed: false }), byte for byte, faster (src/core/ndjson/ejson.ts).
    await this.writeLine(
      `{"table":${JSON.stringify(table)},"collection":${JSON.stringify(collection)},"doc":${stringifyCanonical(doc)}}`,
    );
  }

  private async writeLine(line: string): Promise<void> {
    if (this.failed) throw this.ioError(this.failed);
    this.pending += line + '\n';
    if (this.pending.length >= CHUNK_CHARS) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.failed) throw this.ioError(this.failed);
    if (this.pending === '') return;
    const chunk = this.pending;
    this.pending = '';
    this.bytesWritten += Buffer.byteLength(chunk);
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        this.stream.once('drain', resolve);
        this.stream.once('error', reject);
      }).catch((e) => {
        throw this.ioError(e as Error);
      });
    }
  }

  /** Writes the end marker and moves the file into place. */
  async finish(): Promise<void> {
    const trailer: NdjsonTrailer = { end: { documents: this.counts, completedAt: new Date().toISOString() } };
    await this.writeLine(JSON.stringify(trailer));
    await this.flush();
    await new Promise<void>((resolve, reject) =>
      this.stream.end((e?: Error | null) => (e ? reject(this.ioError(e)) : resolve())),
    );
    await fs.rename(this.partialPath, this.path);
  }

  /** Abandons the file (cancel or failure): the partial file is removed, an earlier complete file is left alone. */
  async abort(): Promise<void> {
    this.pending = '';
    await new Promise<void>((resolve) => this.stream.end(() => resolve()));
    await fs.rm(this.partialPath, { force: true });
  }

  private ioError(e: Error): MigrationError {
    return new MigrationError(
      'INTERNAL',
      `Cannot write ${this.path}: ${e.message}`,
      'Check the folder exists, is writable and the disk has room.',
      { cause: e },
    );
  }
}
