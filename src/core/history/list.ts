import { connectMongo } from '../mongo/connect';
import { HistoryStore, type MigrationRecord } from './records';

/** The runs recorded in a target database, newest first. */
export async function listHistory(opts: {
  mongoUrl: string;
  database: string;
  limit?: number;
  connectTimeoutMs?: number;
}): Promise<MigrationRecord[]> {
  const client = await connectMongo(opts.mongoUrl, { timeoutMs: opts.connectTimeoutMs });
  try {
    return await new HistoryStore(client.db(opts.database)).list(opts.limit);
  } finally {
    await client.close();
  }
}
