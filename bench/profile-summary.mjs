#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function, optionally within a time window, and
// inclusive ("total") time for the heaviest frames. Usage: node bench/profile-summary.mjs FILE [--from s] [--to s] [--top N]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args[0];
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const from = opt('--from', 0) * 1e6,
  to = opt('--to', Infinity) * 1e6,
  top = opt('--top', 30);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n) =>
  `${n.callFrame.functionName || '(anon)'} ${(n.callFrame.url || '').split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
const self = new Map(),
  total = new Map();
let t = 0,
  sampled = 0;
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i];
  if (t < from || t > to) continue;
  const dt = p.timeDeltas[i + 1] ?? 0;
  sampled += dt;
  let n = byId.get(p.samples[i]);
  self.set(label(n), (self.get(label(n)) ?? 0) + dt);
  const seen = new Set();
  for (let id = p.samples[i]; id !== undefined; id = parent.get(id)) {
    const l = label(byId.get(id));
    if (seen.has(l)) continue;
    seen.add(l);
    total.set(l, (total.get(l) ?? 0) + dt);
  }
}
const show = (m, title) => {
  console.log(`\n${title} (window ${(sampled / 1e6).toFixed(1)} s sampled)`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${(v / 1e6).toFixed(2).padStart(8)} s ${((100 * v) / sampled).toFixed(1).padStart(5)}%  ${k}`);
};
show(self, 'self time');
show(total, 'inclusive time');
