/** What the panel does with each message from the host (see ./protocol.ts). */
import { FromPanel, ToPanel, type ToPanelMessage } from './protocol';
import { applyDefaults, applyRunEvent, finishRun, interruptRun, newRun } from './state';
import { clearFinishedRun, inspect, writeForm } from './form';
import { pending, post, request, save, saveSoon, state } from './page';
import { render, renderRun } from './render';

export function onMessage(m: ToPanelMessage): void {
  switch (m.type) {
    case ToPanel.init: {
      const fresh = state.sourcePath !== m.sourcePath;
      state.sourcePath = m.sourcePath;
      state.recentTargets = m.recentTargets;
      state.historyCollection = m.historyCollection;
      if (fresh || !state.defaultsApplied) applyDefaults(state, m.defaults, m.defaultDatabase, m.defaultOutputFile);
      if (fresh && m.recentTargets.length > 0 && state.form.url === 'mongodb://localhost:27017') {
        // Offer the most recent target again.
        post({ type: FromPanel.useRecentTarget, requestId: request('recent'), targetId: m.recentTargets[0].id });
      } else if (!state.form.url && state.form.targetId) {
        post({ type: FromPanel.useRecentTarget, requestId: request('recent'), targetId: state.form.targetId });
      }
      if (
        state.run &&
        (state.run.phase === 'running' || state.run.phase === 'cancelling') &&
        m.activeRunId !== state.run.runId
      )
        interruptRun(state.run);
      writeForm();
      inspect();
      break;
    }
    case ToPanel.inspection:
      if (!pending.delete(m.requestId)) return;
      if ([...pending.values()].includes('inspect')) return; // a newer request is on its way
      state.inspecting = false;
      if (m.ok) {
        state.inspection = m.inspection;
        state.planFile = m.planFile;
        state.inspectionError = undefined;
      } else {
        state.inspection = undefined;
        state.inspectionError = m.error;
      }
      break;
    case ToPanel.planChanged:
      clearFinishedRun();
      save();
      inspect();
      return;
    case ToPanel.connectionResult:
      if (!pending.delete(m.requestId)) return;
      state.connection = m.ok
        ? {
            phase: 'ok',
            serverVersion: m.serverVersion,
            existingCollections: m.existingCollections,
            database: state.form.database,
            historyRuns: m.historyRuns,
            historyCollection: state.historyCollection,
          }
        : { phase: 'failed', error: m.error };
      break;
    case ToPanel.outputFilePicked:
      if (!pending.delete(m.requestId) || !m.path) return;
      state.form.outputFile = m.path;
      writeForm();
      break;
    case ToPanel.targetUrl:
      if (!pending.delete(m.requestId) || !m.url) return;
      state.form.url = m.url;
      state.form.targetId = m.targetId;
      if (m.database) state.form.database = m.database;
      state.connection = undefined;
      writeForm();
      break;
    case ToPanel.runStarted:
      state.run = newRun(m.runId, m.steps, m.target);
      window.scrollTo({ top: 0, behavior: 'smooth' });
      break;
    case ToPanel.runEvent:
      if (state.run?.runId !== m.runId) return;
      applyRunEvent(state.run, m.event);
      // Progress comes up to ten times a second per step: redraw only the run, persist a little later.
      saveSoon();
      renderRun();
      return;
    case ToPanel.runFinished:
      if (state.run?.runId !== m.runId) return;
      if (m.ok) {
        state.run.reportUri = m.reportUri;
        finishRun(state.run, m.report);
      } else finishRun(state.run, undefined, m.error);
      break;
  }
  save();
  render();
}
