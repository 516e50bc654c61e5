/**
 * Locates the shared fixture files (app.db, chinook.sqlite, …). They live in the project's shared/ folder, which
 * sits BESIDE the repository: /work/shared on a developer machine, `<clone>/../shared` in CI (CI clones the repo
 * into another folder and copies shared/ next to it). Override with SQLITE2MONGO_FIXTURES=/path/to/fixtures.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

export function sharedFixturesDir(): string {
  const candidates = [
    process.env.SQLITE2MONGO_FIXTURES,
    path.resolve(REPO_ROOT, '..', 'shared', 'fixtures'),
    '/work/shared/fixtures',
  ].filter((c): c is string => !!c);
  for (const c of candidates) if (existsSync(c)) return c;
  throw new Error(`shared fixtures not found (looked in: ${candidates.join(', ')}); set SQLITE2MONGO_FIXTURES`);
}

/** Absolute path of a shared fixture, e.g. sharedFixture('app.db'). Read-only: copy it before writing. */
export function sharedFixture(name: string): string {
  const file = path.join(sharedFixturesDir(), name);
  if (!existsSync(file)) throw new Error(`shared fixture ${name} not found in ${sharedFixturesDir()}`);
  return file;
}
