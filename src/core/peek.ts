/** A look into one collection of the target: how many documents it holds and its first few (the Validation view). */
import { BSON, type Document } from 'mongodb';
import { connectMongo } from './mongo/connect';

export interface CollectionPeekRequest {
  mongoUrl: string;
  database: string;
  collection: string;
  /** Documents to return (default 3), in natural order. */
  limit?: number;
  connectTimeoutMs?: number;
}

export interface CollectionPeek {
  documents: number;
  /** The first documents as relaxed Extended JSON text. */
  samples: string[];
}

export async function peekCollection(req: CollectionPeekRequest): Promise<CollectionPeek> {
  const client = await connectMongo(req.mongoUrl, { timeoutMs: req.connectTimeoutMs });
  try {
    const collection = client.db(req.database).collection(req.collection);
    const documents = await collection.countDocuments({});
    const firsts = await collection
      .find({})
      .limit(req.limit ?? 3)
      .toArray();
    return {
      documents,
      samples: firsts.map((d: Document) => BSON.EJSON.stringify(d, undefined, 2, { relaxed: true })),
    };
  } finally {
    await client.close();
  }
}
