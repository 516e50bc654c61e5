import { ToPanel, type ToPanelMessage } from '../../webview/panel/protocol';

/**
 * What a re-created webview (hidden and shown again, or restored) needs to show the current or last run again:
 * runStarted, every step boundary and log line, only the newest progress of the current step, and runFinished.
 */
export class RunReplay {
  private messages: ToPanelMessage[] = [];
  private lastProgress: ToPanelMessage | undefined;

  get all(): readonly ToPanelMessage[] {
    return this.messages;
  }

  /** Forgets the last run (a new one starts, or it no longer describes what Start would do). */
  clear(): void {
    this.messages = [];
    this.lastProgress = undefined;
  }

  add(m: ToPanelMessage): void {
    if (m.type === ToPanel.runEvent && m.event.type === 'progress') {
      if (this.lastProgress) this.messages.splice(this.messages.indexOf(this.lastProgress), 1);
      this.lastProgress = m;
    } else if (m.type === ToPanel.runEvent && m.event.type === 'step-end') this.lastProgress = undefined;
    this.messages.push(m);
  }
}
