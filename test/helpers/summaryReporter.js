'use strict';
/**
 * Mocha reporter: exactly like `spec`, plus one plain closing line that CI recognises:
 *
 *     N passed, N failed            (", N skipped" appended when tests are pending)
 *
 * "failed" counts failed tests and failed hooks (mocha's own failure count). scripts/test-all.sh parses this
 * line from every tier to print the TOTAL line. Plain CommonJS so mocha loads it without tsx.
 * Use: mocha --reporter ./test/helpers/summaryReporter.js (set in .mocharc.json for every tier).
 */
const Mocha = require('mocha');

const { Spec } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

function summaryLine(stats) {
  const passed = stats.passes || 0;
  const failed = stats.failures || 0;
  const skipped = stats.pending || 0;
  return `${passed} passed, ${failed} failed` + (skipped > 0 ? `, ${skipped} skipped` : '');
}

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options); // Spec prints its epilogue on EVENT_RUN_END; this listener runs after it.
    runner.once(EVENT_RUN_END, () => {
      process.stdout.write(`\n${summaryLine(runner.stats || this.stats)}\n`);
    });
  }
}

SummaryReporter.description = 'spec, plus a closing "N passed, N failed[, N skipped]" line';
SummaryReporter.summaryLine = summaryLine;
module.exports = SummaryReporter;
