/**
 * The engine in a worker thread, so a long migration never blocks the extension host. No vscode here: the job
 * comes in `workerData`, events and questions go out through `parentPort`, cancel comes in as a message and
 * becomes an AbortSignal for the engine.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  DesignSession,
  inspectSource,
  listHistory,
  loadDocumentPair,
  peekCollection,
  migrate,
  rollback,
  testConnection,
  watchDatabase,
} from '../core';
import { errorInfo } from './common/errors';
import type { DesignInput, ExistingAnswer, HostToWorker, Job, JobTypes, WorkerToHost } from './engine/workerProtocol';

const port = parentPort;
if (!port) throw new Error('engineWorker must run in a worker thread');

const controller = new AbortController();
const pendingAnswers = new Map<number, (answer: ExistingAnswer) => void>();
let nextRequest = 1;

const post = (m: WorkerToHost) => port.postMessage(m);

port.on('message', (m: HostToWorker) => {
  if (m.type === 'cancel') {
    controller.abort();
    // A question still open is answered "cancel": nothing has been written yet at that point.
    for (const resolve of pendingAnswers.values()) resolve('cancel');
    pendingAnswers.clear();
  } else if (m.type === 'answer') {
    pendingAnswers.get(m.requestId)?.(m.answer);
    pendingAnswers.delete(m.requestId);
  } else if (m.type === 'design') {
    designQueue = designQueue.then(() => design(m.requestId, m.input));
  }
});

// ------------------------------------------------------------------------------------------------ design session
let session: DesignSession | undefined;
let designQueue: Promise<void> = Promise.resolve();

/** Answers one design request of the session's file; a file that cannot be opened is tried again next time. */
async function design(requestId: number, input: DesignInput): Promise<void> {
  try {
    session ??= await DesignSession.open((workerData as Extract<Job, { op: 'designSession' }>).input.file);
    post({ type: 'designed', requestId, ok: true, value: await session.design(input) });
  } catch (e) {
    post({ type: 'designed', requestId, ok: false, error: errorInfo(e, { withStack: true }) });
  }
}

async function run(job: Job): Promise<JobTypes[Job['op']]['output']> {
  switch (job.op) {
    case 'inspect':
      return inspectSource(job.input.file, {
        planOptions: job.input.planOptions,
        includeViews: job.input.includeViews,
        plan: job.input.plan,
        evaluateExpressions: job.input.evaluateExpressions,
      });
    case 'designSession':
      return new Promise<never>(() => undefined); // lives until the host terminates it
    case 'testConnection':
      return testConnection(job.input.url, job.input.database, job.input.timeoutMs);
    case 'documentPair':
      return loadDocumentPair(job.input);
    case 'peekCollection':
      return peekCollection(job.input);
    case 'history':
      return (
        await listHistory({
          mongoUrl: job.input.url,
          database: job.input.database,
          historyDatabase: job.input.historyDatabase,
        })
      ).map(({ plan: _plan, ...entry }) => entry);
    case 'rollback':
      return rollback({
        mongoUrl: job.input.url,
        database: job.input.database,
        runId: job.input.runId,
        historyDatabase: job.input.historyDatabase,
      });
    case 'keepInSync': {
      const { url, ...rest } = job.input;
      return (
        (await watchDatabase({
          ...rest,
          mongoUrl: url,
          signal: controller.signal,
          onEvent: (event) => post({ type: 'syncEvent', event }),
        })) ?? null
      );
    }
    case 'migrate': {
      const { ask, ...options } = job.input;
      return migrate({
        ...options,
        signal: controller.signal,
        onEvent: (event) => post({ type: 'event', event }),
        askExisting: ask
          ? (existing) =>
              new Promise<ExistingAnswer>((resolve) => {
                if (controller.signal.aborted) return resolve('cancel');
                const requestId = nextRequest++;
                pendingAnswers.set(requestId, resolve);
                post({ type: 'ask', requestId, existing });
              })
          : undefined,
      });
    }
  }
}

run(workerData as Job).then(
  (value) => post({ type: 'result', value }),
  (e: unknown) => {
    post({ type: 'error', error: errorInfo(e, { withStack: true }) });
  },
);
