import { connectMongo } from '../mongo/connect';
import { HistoryStore, type MigrationRecord } from './records';

/** The runs recorded in a target database, newest first. */
export async function listHistory(opts: {
  mongoUrl: string;
  database: string;
  limit?: number;
  connectTimeoutMs?: number;
  /** Where the run history is kept (default: the target database). */
  historyDatabase?: string;
}): Promise<MigrationRecord[]> {
  const client = await connectMongo(opts.mongoUrl, { timeoutMs: opts.connectTimeoutMs });
  try {
    const historyDb = opts.historyDatabase ? client.db(opts.historyDatabase) : undefined;
    return await new HistoryStore(client.db(opts.database), historyDb).list(opts.limit);
  } finally {
    await client.close();
  }
}
