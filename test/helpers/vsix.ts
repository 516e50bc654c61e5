import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './codeServer';

let built: string | undefined;

/**
 * The .vsix under test, built once per test run exactly as `npm run package` builds it (scripts/package.mjs,
 * which also checks its contents). SQLITE2MONGO_E2E_VSIX=path uses that file instead.
 */
export function packagedExtension(): string {
  if (built) return built;
  const given = process.env.SQLITE2MONGO_E2E_VSIX;
  if (given) built = path.resolve(given);
  else {
    execFileSync(process.execPath, ['scripts/package.mjs'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 180_000,
    });
    built = path.join(REPO_ROOT, 'dist-vsix', 'sqlite2mongo.vsix');
  }
  if (!existsSync(built)) throw new Error(`${built} was not built`);
  return built;
}
