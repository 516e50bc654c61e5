/**
 * The field-name rule. MongoDB accepts `.` and a leading `$` in field names since 5.0, but drivers, query
 * language paths, tools (and FerretDB) break on them, so by default: every `.` becomes `_`, a leading `$`
 * becomes `_`, an empty name becomes `_`, and `_id` (reserved for the key) becomes `_id_`. A name that then
 * collides with another field gets `_2`, `_3`, … appended. docs/mapping-plan.md documents the same rule.
 */
export function sanitizeFieldName(name: string): string {
  let out = name.replace(/\./g, '_').replace(/^\$/, '_');
  if (out === '') out = '_';
  if (out === '_id') out = '_id_';
  // NUL cannot appear in a BSON key (C string).
  out = out.replace(/\u0000/g, '_');
  return out;
}

/** Assigns unique sanitized names, in order; `taken` holds names already used (e.g. '_id', array fields). */
export function assignFieldNames(names: string[], taken: Iterable<string> = []): string[] {
  const used = new Set(taken);
  return names.map((name) => {
    const base = sanitizeFieldName(name);
    let candidate = base;
    for (let n = 2; used.has(candidate); n++) candidate = `${base}_${n}`;
    used.add(candidate);
    return candidate;
  });
}

/**
 * The field names of a composite `_id`, one per key column: the plan's own list, or the field-name rule applied
 * with collisions resolved (`a.b` and `a_b` become `a_b` and `a_b_2`), so two rows never share an `_id`.
 */
export function compositeIdNames(id: { columns: string[]; fields?: string[] }): string[] {
  return id.fields ?? assignFieldNames(id.columns);
}
