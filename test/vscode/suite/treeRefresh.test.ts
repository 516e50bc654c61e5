/**
 * In-host check of ConfirmedRefresh against a real window: VS Code loses the refresh of an element that leaves the
 * extension host in the same turn as its answer for that element's children (the History view's lost sync row,
 * docs/testing.md "sixth session"). With ConfirmedRefresh the element is refreshed again and VS Code asks for it.
 *
 * Needs the probe view, which the code-server runner extension contributes (test/e2e/inHost.test.ts); skipped where
 * no extension contributes it (`npm run test:electron`).
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ConfirmedRefresh } from '../../../src/extension/common/confirmedRefresh';
import { REFRESH_PROBE_VIEW } from './refreshProbe';
import { waitFor } from './waitFor';

interface Probe {
  id: string;
}

function probeViewContributed(): boolean {
  return vscode.extensions.all.some((e) =>
    (e.packageJSON as { contributes?: { views?: Record<string, Array<{ id: string }>> } }).contributes?.views?.[
      'explorer'
    ]?.some((v) => v.id === REFRESH_PROBE_VIEW),
  );
}

describe('in-host: tree refreshes VS Code would lose', function () {
  it('a change refreshed right behind the answer for its element still reaches the view', async function () {
    if (!probeViewContributed()) this.skip();
    const parent: Probe = { id: 'parent' };
    let children = ['before'];
    const answers: string[][] = [];
    let changeAfterNextAnswer = true;
    const changed = new vscode.EventEmitter<Probe[] | undefined>();
    const refreshes = new ConfirmedRefresh<Probe>({
      fire: (items) => changed.fire(items),
      canAsk: () => view.visible, // asked only after the view exists
      confirmMs: 500,
    });
    const provider: vscode.TreeDataProvider<Probe> = {
      onDidChangeTreeData: changed.event,
      getTreeItem: (e) => {
        const item = new vscode.TreeItem(e.id, e === parent ? vscode.TreeItemCollapsibleState.Expanded : undefined);
        item.id = e.id;
        return item;
      },
      getChildren: (e) => {
        if (!e) return [parent];
        if (e !== parent) return [];
        refreshes.asked(parent);
        answers.push([...children]);
        if (changeAfterNextAnswer) {
          changeAfterNextAnswer = false;
          // What a history read finishing just then does: new data, refreshed in the turn that sent the answer.
          setImmediate(() => {
            children = [...children, 'after'];
            refreshes.changed([parent]);
          });
        }
        return children.map((id) => ({ id }));
      },
    };
    const view = vscode.window.createTreeView(REFRESH_PROBE_VIEW, { treeDataProvider: provider });
    try {
      await vscode.commands.executeCommand(`${REFRESH_PROBE_VIEW}.focus`);
      await waitFor('the first answer', () => answers.length > 0);
      await waitFor('VS Code to ask for the changed children', () => answers.some((a) => a.includes('after')));
      assert.deepEqual(answers.at(-1), ['before', 'after']);
      assert.equal(refreshes.waiting, 0, 'nothing left unconfirmed');
    } finally {
      view.dispose();
      changed.dispose();
      refreshes.dispose();
    }
  });
});
