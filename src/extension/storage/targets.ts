import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import { maskUrl } from '../../core';
import type { RecentTarget } from '../../webview/panel/protocol';

const RECENT_KEY = 'sqlite2mongo.recentTargets';
const SECRET_PREFIX = 'sqlite2mongo.target.';
const KEEP = 10;

interface StoredTarget extends RecentTarget {
  lastUsed: number;
}

/**
 * Recently used MongoDB targets. The connection string (which may carry a password) lives only in SecretStorage;
 * globalState keeps the masked label and database name so the list can be shown without reading secrets.
 */
export class TargetStore {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly state: vscode.Memento,
  ) {}

  static idOf(url: string): string {
    return createHash('sha256').update(url.trim()).digest('hex').slice(0, 16);
  }

  list(): RecentTarget[] {
    return this.stored().map(({ id, label, database }) => ({ id, label, database }));
  }

  /** Remembers a target after it was used; returns its id (the key of its secret URL). */
  async remember(url: string, database: string): Promise<string> {
    const id = TargetStore.idOf(url);
    await this.secrets.store(SECRET_PREFIX + id, url.trim());
    const others = this.stored().filter((t) => !(t.id === id && t.database === database));
    const next = [{ id, label: maskUrl(url.trim()), database, lastUsed: Date.now() }, ...others];
    for (const dropped of next.slice(KEEP))
      if (!next.slice(0, KEEP).some((t) => t.id === dropped.id)) await this.secrets.delete(SECRET_PREFIX + dropped.id);
    await this.state.update(RECENT_KEY, next.slice(0, KEEP));
    return id;
  }

  /** The full URL of a remembered target, or undefined when it was forgotten. */
  url(id: string): Thenable<string | undefined> {
    return this.secrets.get(SECRET_PREFIX + id);
  }

  async forgetAll(): Promise<number> {
    const all = this.stored();
    for (const t of all) await this.secrets.delete(SECRET_PREFIX + t.id);
    await this.state.update(RECENT_KEY, []);
    return all.length;
  }

  private stored(): StoredTarget[] {
    const v = this.state.get<StoredTarget[]>(RECENT_KEY, []);
    return Array.isArray(v) ? [...v].sort((a, b) => b.lastUsed - a.lastUsed) : [];
  }
}
