import * as vscode from 'vscode';
import { maskUrl } from '../core';

/**
 * The "SQLite to MongoDB" log channel. Every line is passed through maskUrl, so a connection string never reaches
 * the log with its password. Errors shown to the user offer "Show log".
 */
export class Log implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('SQLite to MongoDB', { log: true });

  info(message: string): void {
    this.channel.info(maskAll(message));
  }

  warn(message: string): void {
    this.channel.warn(maskAll(message));
  }

  error(message: string): void {
    this.channel.error(maskAll(message));
  }

  show(): void {
    this.channel.show(true);
  }

  /** An information message, also written to the log (what the user was told stays on record). */
  showInfo(message: string): void {
    this.info(message);
    void vscode.window.showInformationMessage(maskAll(message));
  }

  /** An error notification with a "Show log" action (plus any extra actions); resolves to the action chosen. */
  async showError<T extends string>(message: string, ...actions: T[]): Promise<T | undefined> {
    this.error(message);
    const choice = await vscode.window.showErrorMessage<string>(maskAll(message), ...actions, 'Show log');
    if (choice === 'Show log') {
      this.show();
      return undefined;
    }
    return choice as T | undefined;
  }

  dispose(): void {
    this.channel.dispose();
  }
}

/** Masks every MongoDB URL inside a message. */
export function maskAll(text: string): string {
  return text.replace(/mongodb(?:\+srv)?:\/\/\S+/gi, (url) => maskUrl(url));
}
