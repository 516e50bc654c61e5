/**
 * Checks a document against a `$jsonSchema` of the subset plan/jsonSchema.ts generates (bsonType, required,
 * properties, items, enum, maxLength), on our side: FerretDB has no validators, and on MongoDB a user wants to know
 * which documents would break a schema before applying it.
 */
import type { Document } from 'mongodb';
import type { JsonSchemaNode } from '../plan/jsonSchema';
import { bsonTypeOf, showValue } from './compare';

export interface SchemaViolation {
  /** Dotted path of the offending value ('' for the document itself). */
  path: string;
  rule: 'bsonType' | 'required' | 'enum' | 'maxLength';
  detail: string;
}

const NUMBER_TYPES = new Set(['int', 'long', 'double', 'decimal']);

function typeMatches(allowed: string | string[], actual: string): boolean {
  const list = typeof allowed === 'string' ? [allowed] : allowed;
  return list.includes(actual) || (list.includes('number') && NUMBER_TYPES.has(actual));
}

function scalarKey(v: unknown): string {
  const t = bsonTypeOf(v);
  return NUMBER_TYPES.has(t) ? `n:${Number(String(v))}` : `${t}:${String(v)}`;
}

function checkNode(value: unknown, node: JsonSchemaNode, path: string, out: SchemaViolation[]): void {
  const actual = bsonTypeOf(value);
  if (node.bsonType !== undefined && !typeMatches(node.bsonType, actual)) {
    out.push({
      path,
      rule: 'bsonType',
      detail: `${actual} ${showValue(value, 60)} is not ${[node.bsonType].flat().join(' or ')}`,
    });
    return;
  }
  if (node.enum && !node.enum.some((e) => scalarKey(e) === scalarKey(value))) {
    out.push({
      path,
      rule: 'enum',
      detail: `${showValue(value, 60)} is not one of ${node.enum.map((e) => JSON.stringify(e)).join(', ')}`,
    });
  }
  if (node.maxLength !== undefined && typeof value === 'string') {
    const length = [...value].length;
    if (length > node.maxLength)
      out.push({ path, rule: 'maxLength', detail: `${length} characters, more than ${node.maxLength}` });
  }
  if (actual === 'object') {
    const doc = value as Document;
    for (const name of node.required ?? []) {
      if (!Object.prototype.hasOwnProperty.call(doc, name))
        out.push({ path: join(path, name), rule: 'required', detail: 'missing' });
    }
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      if (Object.prototype.hasOwnProperty.call(doc, name)) checkNode(doc[name], child, join(path, name), out);
    }
  }
  if (actual === 'array' && node.items) {
    (value as unknown[]).forEach((item, i) =>
      checkNode(item, node.items as JsonSchemaNode, join(path, String(i)), out),
    );
  }
}

const join = (path: string, name: string) => (path ? `${path}.${name}` : name);

/** Every way the document breaks the schema (empty when it conforms). */
export function checkJsonSchema(doc: Document, schema: JsonSchemaNode): SchemaViolation[] {
  const out: SchemaViolation[] = [];
  checkNode(doc, schema, '', out);
  return out;
}
