/**
 * `--apply-schema`: the generated $jsonSchema of each collection (plan/jsonSchema.ts) becomes the collection's
 * validator once the copy is validated. Whether the server can hold validators is probed before anything is
 * written (FerretDB v1.24 answers `create` with a validator "not implemented yet" and has no collMod), so such a
 * run stops with nothing written instead of failing at the end.
 */
import type { Db } from 'mongodb';
import { MigrationError } from '../errors';
import { collectionJsonSchema } from '../plan/jsonSchema';
import type { RunContext } from './context';
import type { SourceStage } from './source';

const PROBE = '_sqlite2mongo_validator_probe';

function serverMessage(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

/** Throws TARGET_NO_VALIDATORS when the server cannot create a collection with a validator. */
export async function checkValidatorSupport(db: Db): Promise<void> {
  try {
    await db.createCollection(PROBE, { validator: { $jsonSchema: { bsonType: 'object' } } });
  } catch (e) {
    if ((e as { codeName?: string }).codeName === 'NamespaceExists') return;
    throw new MigrationError(
      'TARGET_NO_VALIDATORS',
      `--apply-schema needs collection validators, and this server refuses them ("${serverMessage(e)}"). Nothing was written.`,
      'FerretDB v1 does not implement validators. Run without --apply-schema (validation still checks every document against the generated schema on our side), or migrate into MongoDB.',
      { cause: e },
    );
  } finally {
    await db
      .collection(PROBE)
      .drop()
      .catch(() => undefined);
  }
}

/** Sets each planned collection's validator (creating empty collections), after a clean validation. */
export async function applySchemas(ctx: RunContext, src: SourceStage, db: Db): Promise<void> {
  if (src.kind !== 'sqlite') return;
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const c of src.plan.collections) {
    const validator = collectionJsonSchema(c, src.schema, src.plan.options);
    if (existing.has(c.collection))
      await db.command({ collMod: c.collection, validator, validationLevel: 'strict', validationAction: 'error' });
    else await db.createCollection(c.collection, { validator, validationLevel: 'strict', validationAction: 'error' });
  }
  ctx.report.notes.push(
    `Applied the generated $jsonSchema validator to ${src.plan.collections.length} collection(s) (strict, error): later writes that break it are refused by the server.`,
  );
}
