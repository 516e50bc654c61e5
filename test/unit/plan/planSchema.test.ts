/**
 * docs/plan.schema.json is what VS Code uses to validate and complete `.sqlite2mongo/*.plan.json` files. It must
 * accept every plan the engine produces (default plans, designer edits) and refuse what the plan check refuses.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { designSource } from '../../../src/core/design';
import { defaultPlanFor } from '../../../src/core/index';
import { openSqliteSource } from '../../../src/core/sqlite';
import type { MappingPlan } from '../../../src/core/plan/types';
import { sharedFixture } from '../../helpers/fixtures';
import { cleanupTempDirs, makeDb, tempDir } from '../../helpers/sqliteBuilders';
import { SHOP_SCHEMA } from '../../helpers/shop';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'docs', 'plan.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

function schemaErrors(plan: unknown): string[] {
  return validate(plan) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

async function defaultPlanOf(file: string, includeViews = false): Promise<MappingPlan> {
  const source = await openSqliteSource(file);
  try {
    return defaultPlanFor(source, undefined, undefined, { includeViews }).plan;
  } finally {
    source.close();
  }
}

describe('plan JSON Schema (docs/plan.schema.json)', () => {
  after(cleanupTempDirs);

  it('accepts the default plans of app.db and Chinook (views included)', async () => {
    for (const name of ['app.db', 'chinook.sqlite']) {
      const plan = await defaultPlanOf(sharedFixture(name), true);
      assert.ok(plan.collections.length > 0, name);
      assert.deepEqual(schemaErrors(plan), [], name);
    }
  });

  it('accepts designer plans with embedded arrays, looked-up and merged documents', async () => {
    const file = path.join(tempDir(), 'shop.db');
    makeDb(file, SHOP_SCHEMA);
    const lines = await designSource({
      file,
      edit: { kind: 'relationship', id: 'order_lines(order_id)->orders', mode: 'array' },
    });
    const merged = await designSource({
      file,
      plan: lines.plan,
      edit: { kind: 'relationship', id: 'orders(customer_id)->customers', mode: 'merge' },
    });
    assert.ok(merged.plan.collections.find((c) => c.table === 'orders')?.embeds?.length === 2);
    assert.deepEqual(schemaErrors(merged.plan), []);
  });

  it('refuses what the plan check refuses: bad version, collection names, field names, types, unknown keys', async () => {
    const good = await defaultPlanOf(sharedFixture('app.db'));
    const broken = (edit: (p: MappingPlan) => void) => {
      const p = structuredClone(good);
      edit(p);
      return schemaErrors(p);
    };
    assert.notDeepEqual(
      broken((p) => ((p as { version: number }).version = 2)),
      [],
    );
    assert.notDeepEqual(
      broken((p) => (p.collections[0].collection = 'system.users')),
      [],
    );
    assert.notDeepEqual(
      broken((p) => (p.collections[0].collection = 'a$b')),
      [],
    );
    assert.notDeepEqual(
      broken((p) => (p.collections[0].fields[0].field = 'a.b')),
      [],
    );
    assert.notDeepEqual(
      broken((p) => (p.collections[0].fields[0].field = '$x')),
      [],
    );
    assert.notDeepEqual(
      broken((p) => ((p.collections[0].fields[0] as { type: string }).type = 'text')),
      [],
    );
    assert.notDeepEqual(
      broken((p) => ((p.collections[0] as unknown as Record<string, unknown>).colection = 'x')),
      [],
    );
    assert.notDeepEqual(
      broken((p) => delete (p as Partial<MappingPlan>).options),
      [],
    );
    assert.notDeepEqual(
      broken((p) => (p.options.timezone = '+25:99x')),
      [],
    );
  });

  it('is contributed to VS Code for .sqlite2mongo/*.plan.json files and shipped in the package', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    const entry = pkg.contributes.jsonValidation?.find((j: { url: string }) => j.url === './docs/plan.schema.json');
    assert.ok(entry, 'package.json contributes.jsonValidation has no entry for ./docs/plan.schema.json');
    assert.match(String(entry.fileMatch), /\.sqlite2mongo\/\*\.plan\.json/);
    assert.match(readFileSync(path.join(REPO_ROOT, '.vscodeignore'), 'utf8'), /^!docs\/plan\.schema\.json$/m);
  });
});
