/**
 * The admin commands' JSON without a server: the Jackson layout against every admin answer a
 * live 3.8.0 gave (zk380-captures/admin_*.json), re-printed from its parsed values, and the
 * command table's names, aliases and error placement.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminCommandIndex, adminCommandNames, runAdminCommand, type AdminContext } from '../../src/admin/commands.js';
import { JavaDouble, jacksonPretty, type JsonValue } from '../../src/util/jackson-json.js';
import { capturesDir } from './storage/fixtures.js';

/** JSON.parse, keeping which numbers were doubles (JSON.parse reads 0.0 as 0) and field order. */
function parseKeepingDoubles(text: string): JsonValue {
  const marked = text.replace(/(:\s*)(-?\d+\.\d+(?:E-?\d+)?)(?=\s*[,}\n])/g, '$1{"__double":"$2"}');
  const revive = (value: unknown): JsonValue => {
    if (Array.isArray(value)) return value.map(revive);
    if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (typeof record['__double'] === 'string') return new JavaDouble(Number(record['__double']));
      return new Map(Object.entries(record).map(([key, field]) => [key, revive(field)]));
    }
    return value as JsonValue;
  };
  return revive(JSON.parse(marked));
}

test('jacksonPretty prints every captured admin answer exactly as ZooKeeper did', () => {
  const files = readdirSync(capturesDir).filter((name) => name.startsWith('admin_') && name.endsWith('.json'));
  assert.ok(files.length >= 10, `captures: ${files.join(' ')}`);
  for (const name of files) {
    const text = readFileSync(join(capturesDir, name), 'utf8').replace(/\n$/, '');
    assert.equal(jacksonPretty(parseKeepingDoubles(text)), text, name);
  }
});

test('jacksonPretty: empty containers, arrays of objects, quoting, longs, and no bare doubles', () => {
  assert.equal(jacksonPretty(new Map()), '{ }');
  assert.equal(jacksonPretty({ a: [], b: new Map(), c: [1n, -2] }), '{\n  "a" : [ ],\n  "b" : { },\n  "c" : [ 1, -2 ]\n}');
  assert.equal(jacksonPretty({ list: [{ x: 1 }, { y: 'q"\\\n' }] }), '{\n  "list" : [ {\n    "x" : 1\n  }, {\n    "y" : "q\\"\\\\\\n"\n  } ]\n}');
  assert.equal(jacksonPretty({ id: 72057663671238656n, d: new JavaDouble(0), e: new JavaDouble(4.2581) }), '{\n  "id" : 72057663671238656,\n  "d" : 0.0,\n  "e" : 4.2581\n}');
  assert.throws(() => jacksonPretty({ bad: 0.5 }), /JavaDouble/);
});

test('commands: the index, aliases answer as their primary name, errors where ZooKeeper puts them', () => {
  assert.equal(adminCommandNames.length, 26);
  assert.equal(adminCommandIndex('/commands'), readFileSync(join(capturesDir, 'admin_commands_index.html'), 'utf8'));
  const ctx = {
    conf: { clientPort: 1, secureClientPort: -1, dataDir: '/d', dataLogDir: '/l', tickTimeMs: 2000, maxClientCnxns: 60, minSessionTimeoutMs: 4000, maxSessionTimeoutMs: 40000, clientPortListenBacklog: -1, serverId: 0 },
    readOnly: false,
  } as unknown as AdminContext;
  assert.equal(JSON.parse(runAdminCommand('conf', ctx))['command'], 'configuration');
  assert.equal(JSON.parse(runAdminCommand('config', ctx))['command'], 'configuration');
  assert.equal(runAdminCommand('isro', ctx), '{\n  "read_only" : false,\n  "command" : "is_read_only",\n  "error" : null\n}');
  assert.equal(runAdminCommand('lead', ctx), readFileSync(join(capturesDir, 'admin_leader.json'), 'utf8').replace(/\n$/, ''));
  assert.equal(runAdminCommand('nope', ctx), '{\n  "command" : "nope",\n  "error" : "Unknown command: nope"\n}');
  let mask: bigint | undefined;
  const masked = { ...ctx, setTraceMask: (value: bigint) => { mask = value; } } as unknown as AdminContext;
  assert.match(runAdminCommand('stmk', masked, new URLSearchParams('traceMask=-9223372036854775809')), /argument, got -9223372036854775809/);
  assert.equal(mask, undefined);
  assert.match(runAdminCommand('stmk', masked, new URLSearchParams('traceMask=-9223372036854775808')), /"tracemask" : -9223372036854775808/);
  assert.equal(mask, -9223372036854775808n);
});
