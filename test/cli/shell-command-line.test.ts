/**
 * The shell's command language (src/cli/shell/command-line.ts): word splitting with quotes, and
 * option parsing as zkCli's commons-cli parser does it (bundled flags, values attached or in the
 * next word, options after arguments, `--`), with zkCli's messages for lines it refuses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CommandLineError, commandListing, commandSpecs, parseCommand, parseLine, shellCommandNames, splitWords,
} from '../../src/cli/shell/command-line.js';

function refusal(line: string): { kind: string; message: string } {
  try {
    parseLine(line);
  } catch (error) {
    assert.ok(error instanceof CommandLineError, `${line}: ${String(error)}`);
    return { kind: error.kind, message: error.message };
  }
  assert.fail(`${line} parsed`);
}

describe('splitWords', () => {
  it('splits on any whitespace and drops the quotes of a quoted word', () => {
    assert.deepEqual(splitWords('  set\t/a   "two words"  '), ['set', '/a', 'two words']);
    assert.deepEqual(splitWords(`create /b 'single quoted' x`), ['create', '/b', 'single quoted', 'x']);
    assert.deepEqual(splitWords('set /a ""'), ['set', '/a', ''], 'empty quotes are an empty word');
    assert.deepEqual(splitWords(`set /a "it's"`), ['set', '/a', "it's"], 'the other quote is ordinary inside');
    assert.deepEqual(splitWords(''), []);
    assert.deepEqual(splitWords('   '), []);
  });

  it('treats quotes inside a word as ordinary characters, as zkCli does', () => {
    // zkCli read `create /qc x"y z"w` as path, data x"y and acl z"w.
    assert.deepEqual(splitWords('create /qc x"y z"w'), ['create', '/qc', 'x"y', 'z"w']);
    assert.deepEqual(splitWords('"a b"c'), ['a b', 'c'], 'a closing quote ends the word');
  });

  it('refuses an unterminated quote', () => {
    assert.throws(() => splitWords('set /a "oops'), (error: unknown) => error instanceof CommandLineError && error.kind === 'unterminatedQuote');
  });
});

describe('parseCommand', () => {
  it('reads flags before and after the arguments, bundled or apart', () => {
    const bundled = parseLine('create -se /q data')!;
    assert.equal(bundled.spec.name, 'create');
    assert.deepEqual([...bundled.options.keys()].sort(), ['e', 's']);
    assert.deepEqual(bundled.args, ['/q', 'data']);
    const after = parseLine('deleteall /ne -b 1')!;
    assert.equal(after.options.get('b'), '1');
    assert.deepEqual(after.args, ['/ne']);
    const trailing = parseLine('create /by -e')!;
    assert.equal(trailing.options.get('e'), true);
    assert.deepEqual(trailing.args, ['/by']);
  });

  it('takes an option value from the rest of its word or from the next word, even one starting with -', () => {
    assert.equal(parseLine('set -v3 /a x')!.options.get('v'), '3');
    assert.equal(parseLine('set -v -1 /a x')!.options.get('v'), '-1');
    assert.equal(parseLine('create -st 500 /t')!.options.get('t'), '500', 'a value option may end a bundle');
  });

  it('stops reading options at --', () => {
    const parsed = parseLine('set /a -- -1')!;
    assert.deepEqual(parsed.args, ['/a', '-1']);
    assert.equal(parsed.options.size, 0);
  });

  it("refuses with zkCli's messages", () => {
    assert.deepEqual(refusal('ls -x /'), { kind: 'unrecognizedOption', message: 'Unrecognized option: -x' });
    assert.deepEqual(refusal('create -t'), { kind: 'missingArgument', message: 'Missing argument for option: t' });
    assert.deepEqual(refusal('ls'), { kind: 'usage', message: 'ls [-s] [-w] [-R] path' });
    assert.deepEqual(refusal('set /p1'), { kind: 'usage', message: 'set [-s] [-v version] path data' });
    assert.deepEqual(refusal('stat'), { kind: 'usage', message: 'stat [-w] path' });
    assert.deepEqual(refusal('foo bar'), { kind: 'unknownCommand', message: 'Command not found: Command not found foo' });
  });

  it('refuses more arguments than the command takes', () => {
    assert.equal(refusal('get /a /b').kind, 'usage');
    assert.equal(refusal('whoami x').kind, 'usage');
  });

  it('returns nothing for a blank line', () => {
    assert.equal(parseLine(' \t '), undefined);
  });

  it('parses argv words as given, without re-splitting them', () => {
    const parsed = parseCommand(['create', '/qt', '"hello world"']);
    assert.deepEqual(parsed.args, ['/qt', '"hello world"']);
  });
});

describe('the command table', () => {
  it('has one entry per command, each usage line starting with its name', () => {
    assert.deepEqual(commandSpecs.map((spec) => spec.name), [...shellCommandNames]);
    for (const spec of commandSpecs) assert.ok(spec.usage.startsWith(`${spec.name} `), spec.usage);
  });

  it("lists every command for an unknown one, tab indented, after zkCli's synopsis", () => {
    const lines = commandListing().split('\n');
    assert.equal(lines[0], 'ZooKeeper -server host:port -client-configuration properties-file cmd args');
    assert.equal(lines.length, commandSpecs.length + 1);
    assert.ok(lines.includes('\tclose '), 'usage lines keep their trailing space, as zkCli prints them');
    assert.ok(lines.includes('\tremovewatches path [-c|-d|-a] [-l]'));
  });
});
