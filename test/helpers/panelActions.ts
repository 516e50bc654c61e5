/** What the e2e files do in the migration panel and the Migration views, the way a user does it. */
import type { FrameLocator, Page } from 'playwright-core';
import { editorTab, migrationActivity, runExplorerMenuEntry, validationView, webviewFrame } from './workbench';

/** Explorer right-click on `file` → "Migrate to MongoDB…": the panel, once it shows the file's tables. */
export async function openPanelFromExplorer(page: Page, file: string, shot?: string): Promise<FrameLocator> {
  // The extension's menu entries exist once its contributions are registered (its activity bar item shows then).
  await migrationActivity(page).waitFor({ state: 'visible', timeout: 60_000 });
  await runExplorerMenuEntry(page, file, 'Migrate to MongoDB…', shot);
  await editorTab(page, `Migrate ${file}`).waitFor({ state: 'visible', timeout: 30_000 });
  const frame = webviewFrame(page);
  await frame.locator('#source-tables').waitFor({ state: 'visible', timeout: 60_000 });
  return frame;
}

export /** Shows the Migration view container (clicking its activity bar item when it is not already showing). */
async function showValidationView(page: Page): Promise<void> {
  if (
    await validationView(page)
      .isVisible()
      .catch(() => false)
  )
    return;
  await migrationActivity(page).click();
  await validationView(page).waitFor({ state: 'visible', timeout: 30_000 });
}

/** Fills the target and tests the connection until it succeeds. */
export async function configure(
  frame: FrameLocator,
  url: string,
  database: string,
  opts: { ifExists?: string } = {},
): Promise<void> {
  await frame.locator('#url').fill(url);
  await frame.locator('#database').fill(database);
  if (opts.ifExists) await frame.locator('#ifExists').selectOption(opts.ifExists);
  await frame.locator('#test').click();
  await frame.locator('#connection-result .result-ok').waitFor({ state: 'visible', timeout: 30_000 });
}
