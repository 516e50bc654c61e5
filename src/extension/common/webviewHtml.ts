import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** Webview options: scripts on, and only the extension's dist/ and media/ folders readable. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableFindWidget: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/** A webview's bundled script (in dist/) and its stylesheets (in media/). */
export interface WebviewPage {
  script: string;
  styles: string[];
}

/**
 * A webview's HTML: a strict Content-Security-Policy (nothing by default; the one script by nonce; styles and the
 * codicon font from the extension's own files), the stylesheets, and the bundled webview script.
 */
export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string, page: WebviewPage): string {
  const nonce = randomBytes(16).toString('base64');
  const uri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${uri('dist', 'codicons', 'codicon.css')}">
${page.styles.map((css) => `  <link rel="stylesheet" href="${uri('media', css)}">`).join('\n')}
  <title>${escapeHtml(title)}</title>
</head>
<body>
  <main id="app" aria-live="polite"><p class="loading">Loading…</p></main>
  <script nonce="${nonce}" src="${uri('dist', page.script)}"></script>
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
