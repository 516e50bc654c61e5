/** The migration panel's state logic (browser code without a DOM): run events, endings, JSON colouring, masking. */
import assert from 'node:assert/strict';
import { hasPassword, maskUrl } from '../../../../src/core/maskUrl';
import { eta, jsonTokens, readableSample } from '../../../../src/webview/common/format';
import { applyRunEvent, finishRun, interruptRun, newRun } from '../../../../src/webview/panel/state';
import type { MigrationReport } from '../../../../src/core/pipeline/report';

const STEPS = ['export', 'import', 'indexes', 'validate'] as const;

describe('webview state', () => {
  it('follows step-start, progress and step-end events', () => {
    const run = newRun(1, [...STEPS]);
    assert.deepEqual(
      run.steps.map((s) => s.status),
      ['pending', 'pending', 'pending', 'pending'],
    );
    applyRunEvent(run, { type: 'step-start', step: 'export', index: 1, total: 4, label: 'Exporting', totalItems: 100 });
    applyRunEvent(run, {
      type: 'progress',
      step: 'export',
      done: 40,
      total: 100,
      ratePerSec: 20,
      collection: 'resources',
    });
    assert.deepEqual(
      { ...run.steps[0] },
      {
        name: 'export',
        label: 'Exporting',
        status: 'running',
        done: 40,
        total: 100,
        ratePerSec: 20,
        collection: 'resources',
      },
    );
    applyRunEvent(run, { type: 'step-end', step: 'export', index: 1, durationMs: 2000, done: 100 });
    assert.equal(run.steps[0].status, 'done');
    assert.equal(run.steps[0].ratePerSec, 50);
    applyRunEvent(run, {
      type: 'step-end',
      step: 'import',
      index: 2,
      durationMs: 0,
      done: 0,
      skipped: 'dry run: nothing written',
    });
    assert.equal(run.steps[1].status, 'skipped');
    assert.equal(run.steps[1].skipped, 'dry run: nothing written');
  });

  it('keeps only warnings and errors from log events, at most 50', () => {
    const run = newRun(1, [...STEPS]);
    applyRunEvent(run, { type: 'log', level: 'info', message: 'hello' });
    for (let i = 0; i < 60; i++) applyRunEvent(run, { type: 'log', level: 'warn', message: `w${i}` });
    assert.equal(run.logs.length, 50);
    assert.equal(run.logs[49].message, 'w59');
  });

  it('a cancelled run marks the running step cancelled and the rest not run', () => {
    const run = newRun(1, [...STEPS]);
    applyRunEvent(run, { type: 'step-end', step: 'export', index: 1, durationMs: 10, done: 5 });
    applyRunEvent(run, { type: 'step-start', step: 'import', index: 2, total: 4, label: 'Importing', totalItems: 5 });
    finishRun(run, {
      status: 'cancelled',
      error: { code: 'CANCELLED', message: 'Cancelled by the user.' },
    } as MigrationReport);
    assert.deepEqual(
      run.steps.map((s) => s.status),
      ['done', 'cancelled', 'not-run', 'not-run'],
    );
    assert.equal(run.phase, 'finished');
    assert.equal(run.error?.code, 'CANCELLED');
  });

  it('a run cut off by a window reload is marked interrupted', () => {
    const run = newRun(1, [...STEPS]);
    applyRunEvent(run, { type: 'step-start', step: 'export', index: 1, total: 4, label: 'Exporting', totalItems: 5 });
    interruptRun(run);
    assert.equal(run.phase, 'interrupted');
    assert.deepEqual(
      run.steps.map((s) => s.status),
      ['failed', 'not-run', 'not-run', 'not-run'],
    );
  });

  it('a successful report leaves no error', () => {
    const run = newRun(1, [...STEPS]);
    finishRun(run, { status: 'succeeded' } as MigrationReport);
    assert.equal(run.error, undefined);
  });
});

describe('webview formatting', () => {
  it('splits JSON into keys, strings, numbers and literals', () => {
    const tokens = jsonTokens('{ "a": "x", "b": -1.5e3, "c": true, "d": null }').filter((t) => t.kind !== 'plain');
    assert.deepEqual(
      tokens.map((t) => `${t.kind}:${t.text}`),
      ['key:"a"', 'string:"x"', 'key:"b"', 'number:-1.5e3', 'key:"c"', 'literal:true', 'key:"d"', 'literal:null'],
    );
    assert.equal(
      jsonTokens('{"s": "a \\" b"}')
        .map((t) => t.text)
        .join(''),
      '{"s": "a \\" b"}',
    );
  });

  it('computes an ETA only while there is work left and a rate', () => {
    assert.equal(eta(50, 100, 10), '5.0 s');
    assert.equal(eta(100, 100, 10), undefined);
    assert.equal(eta(0, 100, 0), undefined);
    // 5 rows at 50/s: measured over 0.1 s only, too early to say (an early guess said 8.9 s for a 0.4 s step).
    assert.equal(eta(5, 1000, 50), undefined);
    assert.equal(eta(100, 1000, 50), '18 s');
  });
});

describe('maskUrl', () => {
  it('hides the password of mongodb and mongodb+srv URLs and nothing else', () => {
    assert.equal(
      maskUrl('mongodb://admin:s3cr%40t@db.example:27017/?authSource=admin'),
      'mongodb://admin:****@db.example:27017/?authSource=admin',
    );
    assert.equal(
      maskUrl('mongodb+srv://u:p@cluster0.example.net/app'),
      'mongodb+srv://u:****@cluster0.example.net/app',
    );
    assert.equal(maskUrl('mongodb://localhost:27017'), 'mongodb://localhost:27017');
    assert.equal(hasPassword('mongodb://u:p@h'), true);
    assert.equal(hasPassword('mongodb://u@h'), false);
  });
});

describe('readable samples', () => {
  it('shows every date as ISO text, binaries by size, long strings cut with their length', () => {
    const long = 'x'.repeat(500);
    const text = JSON.stringify({
      _id: 1,
      born: { $date: { $numberLong: '-33609600000' } },
      hired: { $date: '1994-03-05T00:00:00Z' },
      photo: { $binary: { base64: Buffer.alloc(12345, 7).toString('base64'), subType: '00' } },
      notes: long,
      nested: [{ at: { $date: { $numberLong: '0' } } }],
    });
    const out = JSON.parse(readableSample(text)) as Record<string, unknown>;
    assert.equal(out.born, '1968-12-08T00:00:00.000Z');
    assert.equal(out.hired, '1994-03-05T00:00:00.000Z');
    assert.equal(out.photo, 'Binary · 12,345 bytes');
    assert.equal(out.notes, `${'x'.repeat(120)}… (500 characters)`);
    assert.deepEqual(out.nested, [{ at: '1970-01-01T00:00:00.000Z' }]);
    assert.equal(readableSample('(no rows)'), '(no rows)');
  });
});
