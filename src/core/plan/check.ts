import { MigrationError } from '../errors';
import { plural } from '../format';
import type { SchemaInfo } from '../sqlite/types';
import { FIELD_TYPES, NAMING_CONVENTIONS, PLAN_VERSION, type MappingPlan } from './types';
import { zoneOffset } from '../convert/zones';
import { findRelation } from '../sqlite/schema';
import { declaredRelationshipProblems, ruleProblems, shardKeyProblems } from './checkRules';
import { embedProblems, valueDocumentProblems } from './checkEmbeds';
import { withDeclaredRelationships } from './suggest';
import { RESERVED_COLLECTIONS } from './collectionNames';

/** Why MongoDB (or this tool) would refuse a collection name, or undefined when it is usable. */
export function collectionNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'a collection name must be non-empty text';
  if (name.includes('$') || name.includes('\u0000')) return 'a collection name must not contain "$" or NUL';
  if (name.startsWith('system.')) return '"system." names are reserved by the server';
  if (name.startsWith('.')) return 'a collection name must not start with "."';
  if (RESERVED_COLLECTIONS.includes(name)) return `${name} is where sqlite2mongo keeps its own records`;
  if (Buffer.byteLength(name, 'utf8') > 200) return 'a collection name must be at most 200 bytes';
  return undefined;
}

/**
 * Checks a plan (usually hand-edited) against the source schema and lists every problem at once, so a user
 * fixing a plan file does not have to rerun once per mistake.
 */
export function checkPlan(plan: MappingPlan, schema: SchemaInfo): MappingPlan {
  if (!plan || typeof plan !== 'object') throw new MigrationError('PLAN_INVALID', 'The plan is not a JSON object.');
  const problems = planProblems(plan, schema);
  if (problems.length > 0) {
    throw new MigrationError(
      'PLAN_INVALID',
      `The mapping plan has ${plural(problems.length, 'problem')}: ${problems.join('; ')}`,
      'Print a fresh default with `sqlite2mongo plan` and compare.',
    );
  }
  return plan;
}

/** Every problem of a plan, one sentence each (empty when the plan is usable); the mapping designer shows them inline. */
export function planProblems(plan: MappingPlan, fileSchema: SchemaInfo): string[] {
  const problems: string[] = declaredRelationshipProblems(plan, fileSchema);
  // Relationships the plan declares count as foreign keys from here on (embeds may follow them).
  const schema = problems.length === 0 ? withDeclaredRelationships(fileSchema, plan.relationships) : fileSchema;
  if (plan.version !== PLAN_VERSION)
    problems.push(`version must be ${PLAN_VERSION} (found ${JSON.stringify(plan.version)})`);
  if (!Array.isArray(plan.collections)) problems.push('collections must be an array');
  if (!Array.isArray(plan.skipped)) problems.push('skipped must be an array (it may be empty)');
  if (!plan.options || typeof plan.options !== 'object')
    problems.push('options must be an object: { "nulls": "keep", "timezone": "UTC", "detectTextDates": true }');
  else {
    if (!['keep', 'omit'].includes(plan.options.nulls)) problems.push('options.nulls must be "keep" or "omit"');
    if (zoneOffset(String(plan.options.timezone)) === null)
      problems.push(
        `options.timezone ${JSON.stringify(plan.options.timezone)} is not "UTC", a fixed offset like "+02:00" or a time zone name like "Europe/Paris"`,
      );
    if (plan.options.naming !== undefined && !NAMING_CONVENTIONS.includes(plan.options.naming))
      problems.push(`options.naming must be one of ${NAMING_CONVENTIONS.join(', ')}`);
  }
  const names = new Set<string>();
  for (const [i, c] of (Array.isArray(plan.collections) ? plan.collections : []).entries()) {
    const at = `collections[${i}] (${c?.collection ?? '?'})`;
    const missing = (['fields', 'arrays', 'indexes'] as const).filter((k) => !Array.isArray(c?.[k]));
    if (missing.length > 0) {
      problems.push(`${at}: ${missing.join(', ')} must be arrays (they may be empty)`);
      continue;
    }
    const nameProblem = collectionNameProblem(c.collection);
    if (nameProblem) problems.push(`${at}: invalid collection name (${nameProblem})`);
    if (names.has(c.collection)) problems.push(`${at}: collection name used twice`);
    names.add(c.collection);
    const table = findRelation(schema, c.table);
    if (!table) {
      problems.push(`${at}: table ${JSON.stringify(c.table)} is not in the database`);
      continue;
    }
    const hasColumn = (col: string) => table.columns.some((x) => x.name === col);
    if (c.id?.kind === 'column' && !hasColumn(c.id.column)) problems.push(`${at}: _id column ${c.id.column} not found`);
    else if (
      c.id?.kind === 'composite' &&
      (!Array.isArray(c.id.columns) || c.id.columns.some((col) => !hasColumn(col)))
    )
      problems.push(`${at}: composite _id columns not all found`);
    else if (c.id?.kind === 'composite' && c.id.fields !== undefined) {
      const f = c.id.fields;
      if (!Array.isArray(f) || f.length !== c.id.columns.length)
        problems.push(`${at}: composite _id fields must name each of its ${c.id.columns.length} columns`);
      else if (new Set(f).size !== f.length || f.some((x) => !x || x.includes('.') || x.startsWith('$')))
        problems.push(`${at}: composite _id fields must be unique, non-empty, without "." and not start with "$"`);
    } else if (c.id?.kind === 'rowid' && (table.withoutRowid || !c.id.rowidField))
      problems.push(`${at}: rowid _id needs a rowid table and a rowidField`);
    else if (!['column', 'composite', 'rowid', 'sequence'].includes(c.id?.kind))
      problems.push(`${at}: id.kind must be column, composite, rowid or sequence`);
    if (table.view && c.id?.kind !== 'sequence')
      problems.push(`${at}: ${c.table} is a view: its id.kind must be "sequence"`);
    const fieldNames = new Set<string>(['_id']);
    for (const f of c.fields ?? []) {
      if (!hasColumn(f.column)) problems.push(`${at}: column ${JSON.stringify(f.column)} not found`);
      if (!FIELD_TYPES.includes(f.type))
        problems.push(
          `${at}: field ${f.field} has unknown type ${JSON.stringify(f.type)} (one of ${FIELD_TYPES.join(', ')})`,
        );
      if (!f.field || f.field.includes('.') || f.field.startsWith('$'))
        problems.push(
          `${at}: field name ${JSON.stringify(f.field)} must be non-empty, without "." and not start with "$"`,
        );
      if (fieldNames.has(f.field)) problems.push(`${at}: field ${f.field} appears twice`);
      fieldNames.add(f.field);
    }
    problems.push(...embedProblems(c.embeds, table, schema, at, fieldNames));
    if (c.incremental && c.incremental.column !== 'rowid' && !hasColumn(c.incremental.column))
      problems.push(`${at}: incremental column ${c.incremental.column} not found`);
    for (const a of c.arrays ?? []) {
      const j = schema.tables.find((t) => t.name === a.junctionTable);
      if (!j) problems.push(`${at}: junction table ${a.junctionTable} not found`);
      else if (![a.ownerColumn, a.valueColumn].every((col) => j.columns.some((x) => x.name === col)))
        problems.push(`${at}: junction columns of ${a.junctionTable} not found`);
      if (!hasColumn(a.ownerKeyColumn)) problems.push(`${at}: ownerKeyColumn ${a.ownerKeyColumn} not found`);
      problems.push(...valueDocumentProblems(a, schema, at));
      if (fieldNames.has(a.field)) problems.push(`${at}: array field ${a.field} clashes with another field`);
      fieldNames.add(a.field);
    }
    problems.push(...ruleProblems(c, table, fieldNames, at), ...shardKeyProblems(c, at));
  }
  return problems;
}
