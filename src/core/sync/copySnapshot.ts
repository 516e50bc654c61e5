/**
 * A snapshot for comparing whole collections. Such a compare takes long enough for a busy application to checkpoint
 * and restart its WAL meanwhile, which would tear a read from the live files; so the main file and then the WAL are
 * first copied, as they are, to a private temporary folder, and the copy is read on demand: memory stays bounded
 * (the copy takes the file's size on disk, in the system's temporary folder, until the sync ends).
 *
 * The copy is consistent when the WAL was not restarted during it (its header is the one seen before) and the main
 * file kept its size: a checkpoint during the copy only writes pages whose frames are still in the WAL, copied after
 * the main file, which override them. Without committed WAL frames, the main file must not have changed at all.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PageImage } from '../sqlite/image';
import { mainPageSize, WalError } from '../sqlite/wal';
import { HEADER_BYTES, hasHotJournal, imagePageSource, readBytes, stateToken, WAL_HEADER_BYTES } from './files';
import { retryWhileTorn, type SyncSnapshot } from './snapshot';

/** Copies `from` to `to` (nothing when `from` does not exist); returns the bytes copied. */
function copyFile(from: string, to: string): number {
  let src: number;
  try {
    src = fs.openSync(from, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  const dest = fs.openSync(to, 'w');
  try {
    const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
    let pos = 0;
    for (let n; (n = fs.readSync(src, buf, 0, buf.length, pos)) > 0; pos += n) fs.writeSync(dest, buf, 0, n);
    return pos;
  } finally {
    fs.closeSync(src);
    fs.closeSync(dest);
  }
}

const PREFIX = 'sqlite2mongo-sync-';

/** Removes the copies of syncs that were killed (their process is gone), so that they do not pile up. */
function removeLeftovers(): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const pid = Number(/^sqlite2mongo-sync-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH')
        fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    }
  }
}

/** One attempt: the main file, then the WAL, copied and opened; undefined when the copy may be torn. */
function tryCopy(file: string, withFingerprint: boolean): SyncSnapshot | undefined {
  removeLeftovers();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  const copy = path.join(dir, 'source.db');
  let image: PageImage | undefined;
  try {
    const walHeaderBefore = readBytes(`${file}-wal`, WAL_HEADER_BYTES).toString('hex');
    const mainBefore = fs.statSync(file, { bigint: true });
    const mainBytes = copyFile(file, copy);
    copyFile(`${file}-wal`, `${copy}-wal`);
    const mainAfter = fs.statSync(file, { bigint: true });
    if (BigInt(mainBytes) !== mainBefore.size || mainAfter.size !== mainBefore.size) return void remove();
    if (readBytes(`${copy}-wal`, WAL_HEADER_BYTES).toString('hex') !== walHeaderBefore) return void remove();
    const header = readBytes(copy, HEADER_BYTES);
    try {
      image = PageImage.open(copy, mainPageSize(header));
    } catch (e) {
      if (e instanceof WalError) return void remove();
      throw e;
    }
    // Without committed WAL frames, any write to the main file during the copy may have torn it.
    const mainChanged = mainAfter.mtimeNs !== mainBefore.mtimeNs || readBytes(file, HEADER_BYTES).compare(header) !== 0;
    if ((image.wal.framesApplied === 0 && mainChanged) || hasHotJournal(file)) {
      image.close();
      return void remove();
    }
    let fingerprint: string | undefined;
    if (withFingerprint) {
      const hash = createHash('sha256');
      image.digest((chunk) => hash.update(chunk));
      fingerprint = hash.digest('hex');
    }
    const opened = image;
    return {
      path: file,
      token: stateToken(header, opened.mainSize, opened.wal),
      sizeBytes: opened.mainSize,
      walFramesApplied: opened.wal.framesApplied,
      ...(fingerprint ? { fingerprint } : {}),
      pages: imagePageSource(opened, header),
      image: opened,
      wal: opened.wal,
      live: false,
      verify: () => undefined, // a private copy cannot change
      close: () => {
        opened.close();
        remove();
      },
    };
  } catch (e) {
    image?.close();
    remove();
    throw e;
  }
}

/** A consistent private copy of the database, read on demand; retried while a writer tears it, then TornReadError. */
export async function copySnapshot(
  filePath: string,
  opts: { attempts?: number; pauseMs?: number; withFingerprint?: boolean } = {},
): Promise<SyncSnapshot> {
  return retryWhileTorn(filePath, opts, tryCopy);
}
