import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import os from 'node:os'; import path from 'node:path';
import { startCodeServer, launchBrowser, newPage, openWorkbench, runCommand, screenshot, makeWorkspace } from './codeServer';
(async () => {
  const ext = mkdtempSync(path.join(os.tmpdir(), 'probe-'));
  writeFileSync(path.join(ext, 'package.json'), JSON.stringify({ name: 's2m-e2e-probe', publisher: 'sqlite2mongo-test', version: '0.0.1', engines: { vscode: '^1.90.0' }, main: './extension.js', activationEvents: [], contributes: { commands: [{ command: 's2mProbe.hello', title: 'Write Probe File', category: 'S2M Probe' }] } }));
  writeFileSync(path.join(ext, 'extension.js'), `const vscode=require('vscode');exports.activate=(c)=>{c.subscriptions.push(vscode.commands.registerCommand('s2mProbe.hello',()=>{require('fs').writeFileSync(require('path').join(vscode.workspace.workspaceFolders[0].uri.fsPath,'probe.txt'),'x');vscode.window.showInformationMessage('probe ran')}))}`);
  const ws = makeWorkspace();
  const cs = await startCodeServer({ workspaceDir: ws });
  const b = await launchBrowser(); const p = await newPage(b, cs.url);
  const u = new URL(cs.url);
  const payload = JSON.stringify([['extensionDevelopmentPath', `vscode-remote://${u.host}${ext}`]]);
  const url = cs.url + '&payload=' + encodeURIComponent(payload);
  console.log(url);
  await openWorkbench(p, url);
  try { await runCommand(p, 'S2M Probe: Write Probe File'); await new Promise(r => setTimeout(r, 3000)); console.log('probe exists', existsSync(path.join(ws, 'probe.txt'))); } catch (e) { console.log(String(e)); }
  await screenshot(p, '_try.png');
  console.log(cs.logs().slice(-2000));
  await b.close(); await cs.stop();
})();
