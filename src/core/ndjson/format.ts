import type { MappingPlan } from '../plan/types';
import type { SchemaInfo } from '../sqlite/types';

/**
 * The intermediate file: NDJSON in MongoDB Extended JSON v2 (canonical), so every BSON type survives the trip.
 *   line 1      {"sqlite2mongo":{"format":"ndjson","version":1}, "createdAt", "source", "plan", "schema"}
 *   each row    {"table":"resources","collection":"resources","doc":{ …canonical EJSON… }}
 *   last line   {"end":{"documents":{"resources":3}, "completedAt": …}}
 * A file without the end line was cut short (interrupted export) and is refused on import.
 * docs/ndjson-format.md documents the same.
 */
export const NDJSON_FORMAT_VERSION = 1;

export interface NdjsonHeader {
  sqlite2mongo: { format: 'ndjson'; version: number };
  createdAt: string;
  source: { path: string; sizeBytes: number; fingerprint: string };
  plan: MappingPlan;
  schema: SchemaInfo;
}

export interface NdjsonTrailer {
  end: { documents: Record<string, number>; completedAt: string };
}
