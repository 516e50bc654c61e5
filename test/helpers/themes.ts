/** Colour themes in the e2e workbench: switch the way a user does, and photograph a state in dark and light. */
import type { FrameLocator } from 'playwright-core';
import type { WorkbenchSession } from './e2eSession';
import { docScreenshot, runCommand } from './workbench';

export const THEMES = { dark: 'Default Dark Modern', light: 'Default Light Modern' } as const;

/** Switches the colour theme the way a user does: "Preferences: Color Theme", then the theme's name. */
export async function setTheme(s: WorkbenchSession, kind: keyof typeof THEMES, webview?: FrameLocator): Promise<void> {
  const page = s.page;
  await runCommand(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(THEMES[kind]);
  // Rows read "Light Modern, Default Light Modern": the label, then the theme's id as its description.
  await page
    .locator(`.quick-input-widget .quick-input-list .monaco-list-row[aria-label$=", ${THEMES[kind]}"]`)
    .first()
    .click();
  await input.waitFor({ state: 'hidden', timeout: 15_000 });
  await page
    .locator(`.monaco-workbench.${kind === 'dark' ? 'vs-dark' : 'vs'}`)
    .waitFor({ state: 'attached', timeout: 30_000 });
  // The webview repaints when VS Code hands it the new theme's colours: its body class says which.
  await webview?.locator(`body.vscode-${kind}`).waitFor({ state: 'attached', timeout: 30_000 });
}

/** `<name>-dark.png` and `<name>-light.png` of what the user sees now; the theme is dark again afterwards. */
export async function shootBothThemes(s: WorkbenchSession, name: string, webview?: FrameLocator): Promise<void> {
  await docScreenshot(s.page, `${name}-dark.png`);
  await setTheme(s, 'light', webview);
  await docScreenshot(s.page, `${name}-light.png`);
  await setTheme(s, 'dark', webview);
}
