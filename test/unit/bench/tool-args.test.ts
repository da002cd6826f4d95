/**
 * Argument reading of the bench/ scripts (src/bench/core/tool-args.ts): checked numbers, the
 * shared options, and the exit codes of --help (0) and bad arguments (2, reason first).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgCursor, parseToolArgs, sharedToolOption, ToolUsageError, type SharedToolOptions } from '../../../src/bench/core/tool-args.js';

function parse(argv: readonly string[]): SharedToolOptions & { rounds: number } {
  const o = { dataRoot: '/tmp', zookeeperHeap: '1g', jsonPath: undefined as string | undefined, keep: false, rounds: 5 };
  const cursor = new ArgCursor(argv);
  for (let arg = cursor.next(); arg !== undefined; arg = cursor.next()) {
    if (sharedToolOption(arg, cursor, o)) continue;
    if (arg === '--rounds') o.rounds = cursor.integer(arg, 1, 100);
    else throw new ToolUsageError(`unknown option ${arg}`);
  }
  return o;
}

test('shared options and a script option, in any order', () => {
  assert.deepEqual(parse(['--keep', '--rounds', '3', '--zk-heap', '2g', '--json', 'out.json', '--data-root', '/d']), {
    dataRoot: '/d', zookeeperHeap: '2g', jsonPath: 'out.json', keep: true, rounds: 3,
  });
});

test('refusals: bad numbers, missing values, bad heap sizes, unknown options', () => {
  for (const [argv, message] of [
    [['--rounds', '0'], /--rounds must be a number in 1\.\.100, not '0'/],
    [['--rounds', '2.5'], /--rounds must be an integer/],
    [['--rounds', ''], /--rounds must be a number/],
    [['--rounds'], /--rounds needs a value/],
    [['--zk-heap', 'lots'], /--zk-heap takes a JVM size/],
    [['--what'], /unknown option --what/],
  ] as const) assert.throws(() => parse(argv), (error: unknown) => error instanceof ToolUsageError && message.test(error.message), argv.join(' '));
});

test('--help is exit 0 with the usage; a bad argument is exit 2 with the reason, then the usage', () => {
  let out = '';
  const write = (text: string) => { out += text; };
  assert.deepEqual(parseToolArgs('bench/x', 'usage: x\n', ['--help'], parse, write), { exitCode: 0 });
  assert.equal(out, 'usage: x\n');
  out = '';
  assert.deepEqual(parseToolArgs('bench/x', 'usage: x\n', ['--rounds', '0'], parse, write), { exitCode: 2 });
  assert.match(out, /^bench\/x: --rounds must be .*\nusage: x\n$/);
  const ok = parseToolArgs('bench/x', 'usage: x\n', ['--rounds', '7'], parse, write);
  assert.ok('options' in ok && ok.options.rounds === 7);
});
