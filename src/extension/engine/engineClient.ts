/**
 * Runs engine jobs in a worker thread (dist/engineWorker.js). Each job owns one Worker, terminated when the job
 * ends or is disposed. No vscode import: the host hands in the worker path and callbacks.
 */
import { Worker } from 'node:worker_threads';
import type { ExistingCollection, MigrationEvent, SyncEvent } from '../../core';
import { DesignSessionClient } from './designSession';
import { EngineError } from './engineError';
import type { ExistingAnswer, HostToWorker, Job, JobName, JobTypes, WorkerToHost } from './workerProtocol';

export interface JobHooks {
  onEvent?: (event: MigrationEvent) => void;
  onSyncEvent?: (event: SyncEvent) => void;
  askExisting?: (existing: ExistingCollection[]) => Promise<ExistingAnswer>;
}

export interface EngineJob<T> {
  readonly result: Promise<T>;
  /** Asks the engine to stop at the next safe point; `result` still settles (a migration reports 'cancelled'). */
  cancel(): void;
  /** Terminates the worker at once (window closing, extension deactivating). */
  dispose(): void;
}

export { EngineError };

export class EngineClient {
  /** Jobs still running and design sessions still open: disposed (their workers terminated) with the client. */
  private readonly live = new Set<{ dispose(): void }>();

  constructor(private readonly workerFile: string) {}

  run<K extends JobName>(op: K, input: JobTypes[K]['input'], hooks: JobHooks = {}): EngineJob<JobTypes[K]['output']> {
    const job = { op, input } as Job;
    const worker = new Worker(this.workerFile, { workerData: job });
    let settled = false;
    let rejectResult: (e: EngineError) => void = () => undefined;
    const send = (m: HostToWorker) => {
      if (!settled) worker.postMessage(m);
    };
    const result = new Promise<JobTypes[K]['output']>((resolve, reject) => {
      rejectResult = reject;
      const finish = () => {
        settled = true;
        void worker.terminate();
      };
      worker.on('message', (m: WorkerToHost) => {
        switch (m.type) {
          case 'event':
            hooks.onEvent?.(m.event);
            break;
          case 'syncEvent':
            hooks.onSyncEvent?.(m.event);
            break;
          case 'ask': {
            const ask = hooks.askExisting ?? (async () => 'cancel' as const);
            ask(m.existing).then(
              (answer) => send({ type: 'answer', requestId: m.requestId, answer }),
              () => send({ type: 'answer', requestId: m.requestId, answer: 'cancel' }),
            );
            break;
          }
          case 'result':
            finish();
            resolve(m.value as JobTypes[K]['output']);
            break;
          case 'error':
            finish();
            reject(new EngineError(m.error.code, m.error.message, m.error.hint));
            break;
        }
      });
      worker.on('error', (e) => {
        if (settled) return;
        finish();
        reject(new EngineError('INTERNAL', `The engine worker crashed: ${e.message}`));
      });
      worker.on('exit', (code) => {
        if (settled) return;
        settled = true;
        reject(new EngineError('INTERNAL', `The engine worker stopped unexpectedly (exit code ${code}).`));
      });
    });
    const handle: EngineJob<JobTypes[K]['output']> = {
      result,
      cancel: () => send({ type: 'cancel' }),
      dispose: () => {
        if (!settled) {
          settled = true;
          void worker.terminate();
          rejectResult(new EngineError('CANCELLED', 'Stopped: the engine worker was shut down.'));
        }
      },
    };
    this.live.add(handle);
    result.then(
      () => this.live.delete(handle),
      () => this.live.delete(handle),
    );
    return handle;
  }

  /** A long-lived worker for the designer of one file; dispose it when the designer closes. */
  openDesignSession(file: string): DesignSessionClient {
    const session = new DesignSessionClient(this.workerFile, file);
    this.live.add(session);
    const dispose = session.dispose.bind(session);
    session.dispose = () => {
      this.live.delete(session);
      dispose();
    };
    return session;
  }

  /** Terminates every worker still running (the extension is being deactivated). */
  dispose(): void {
    for (const job of [...this.live]) job.dispose();
    this.live.clear();
  }

  /** Runs a job to completion (no cancel needed): inspect, test connection, load a document pair. */
  call<K extends JobName>(op: K, input: JobTypes[K]['input']): Promise<JobTypes[K]['output']> {
    return this.run(op, input).result;
  }
}
