/**
 * The migration panel (browser code). It talks to the extension host only through ./protocol.ts: it posts `ready`
 * first, then requests by id; it keeps everything it shows in one state object persisted with setState (page.ts).
 * The form and its buttons are wired in form.ts, the plan's tools in planTools.ts; host messages land in messages.ts.
 */
import { FromPanel, type ToPanelMessage } from './protocol';
import { buildLayout } from './layout';
import { onMessage } from './messages';
import { post, restored } from './page';
import { wireForm, writeForm } from './form';
import { render } from './render';

window.addEventListener('message', (e: MessageEvent<ToPanelMessage>) => onMessage(e.data));

buildLayout();
wireForm();
if (restored) {
  writeForm();
  render();
}
post({ type: FromPanel.ready, restored: !!restored });
