/** The plan's tools: its filter, Expand/Collapse all, cards opened by hand, and the source table's jump links. */
import { byId } from '../common/dom';
import { openCardsOf } from './state';
import { input, save, saveSoon, state } from './page';
import { renderPlan } from './render';

/** The plan's filter, Expand/Collapse all, cards opened by hand, and the source table's jump links. */
export function wirePlanTools(): void {
  input('planFilter').addEventListener('input', () => {
    state.planFilter = input('planFilter').value;
    saveSoon();
    renderPlan();
  });
  const setAll = (open: boolean) => {
    state.openCards = open ? (state.inspection?.plan.collections.map((c) => c.collection) ?? []) : [];
    save();
    renderPlan();
  };
  byId('expandAll').addEventListener('click', () => setAll(true));
  byId('collapseAll').addEventListener('click', () => setAll(false));
  byId('plan-body').addEventListener(
    'toggle',
    (ev) => {
      const card = ev.target as HTMLElement;
      const name = card.dataset?.collection;
      if (!name) return;
      const open = openCardsOf(state);
      if ((card as HTMLDetailsElement).open) open.add(name);
      else open.delete(name);
      state.openCards = [...open];
      saveSoon();
    },
    true,
  );
  byId('source-body').addEventListener('click', (ev) => {
    const link = (ev.target as HTMLElement).closest<HTMLElement>('[data-jump]');
    if (!link) return;
    ev.preventDefault();
    jumpToCard(link.dataset.jump!);
  });
}

/** Opens a collection's plan card (clearing a filter that hides it), scrolls to it and marks it for a moment. */
function jumpToCard(collection: string): void {
  state.openCards = [...openCardsOf(state).add(collection)];
  if (state.planFilter) {
    state.planFilter = '';
    input('planFilter').value = '';
  }
  save();
  renderPlan();
  const card = document.getElementById(`card-${collection}`);
  if (!card) return;
  card.scrollIntoView({ block: 'start', behavior: 'smooth' });
  card.classList.add('flash');
  setTimeout(() => card.classList.remove('flash'), 1500);
}
