/**
 * The designer's engine worker: one long-lived worker per open file, which keeps the database open between edits
 * (see DesignSession in src/core/design.ts), instead of a new worker that re-reads, hashes and checks the whole
 * file for every edit. No vscode import.
 */
import { Worker } from 'node:worker_threads';
import type { DesignState } from '../../core';
import { EngineError } from './engineError';
import type { DesignInput, HostToWorker, Job, WorkerToHost } from './workerProtocol';

interface Pending {
  resolve: (state: DesignState) => void;
  reject: (e: EngineError) => void;
}

export class DesignSessionClient {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextRequest = 1;
  private disposed = false;

  constructor(
    private readonly workerFile: string,
    readonly file: string,
  ) {}

  /** The worker's thread id while it runs (the log and the tests tell workers apart by it). */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  /** Answered in the order asked. A worker that died is replaced at the next request. */
  design(input: DesignInput): Promise<DesignState> {
    if (this.disposed) return Promise.reject(new EngineError('CANCELLED', 'The designer was closed.'));
    const worker = (this.worker ??= this.start());
    const requestId = this.nextRequest++;
    return new Promise<DesignState>((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      worker.postMessage({ type: 'design', requestId, input } satisfies HostToWorker);
    });
  }

  private start(): Worker {
    const job: Job = { op: 'designSession', input: { file: this.file } };
    const worker = new Worker(this.workerFile, { workerData: job });
    worker.on('message', (m: WorkerToHost) => {
      if (m.type !== 'designed') return;
      const p = this.pending.get(m.requestId);
      this.pending.delete(m.requestId);
      if (m.ok) p?.resolve(m.value);
      else p?.reject(new EngineError(m.error.code, m.error.message, m.error.hint));
    });
    const fail = (error: EngineError) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.rejectAll(error);
    };
    worker.on('error', (e) => fail(new EngineError('INTERNAL', `The engine worker crashed: ${e.message}`)));
    worker.on('exit', (code) =>
      fail(new EngineError('INTERNAL', `The engine worker stopped unexpectedly (exit code ${code}).`)),
    );
    return worker;
  }

  private rejectAll(error: EngineError): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  dispose(): void {
    this.disposed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.rejectAll(new EngineError('CANCELLED', 'The designer was closed.'));
    void worker?.terminate();
  }
}
