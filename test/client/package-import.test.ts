/**
 * The client is published as `zkts/client`: this file imports it by package name (Node resolves
 * a package's own name through its `exports` map, and TypeScript does the same for the types),
 * so a missing `./client` entry, or one pointing at another copy of the module or at missing
 * declarations, fails here rather than for users.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as byName from 'zkts/client';
import { createClient, NoNodeError, type ClientOptions } from 'zkts/client';
import * as byPath from '../../src/client/index.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('package entry zkts/client', () => {
  it('is the same module instance as the built src/client/index.js, with the same exports', () => {
    assert.equal(createClient, byPath.createClient);
    assert.equal(NoNodeError, byPath.NoNodeError);
    assert.equal(byName.ZooKeeperClient, byPath.ZooKeeperClient);
    assert.deepEqual(Object.keys(byName).sort(), Object.keys(byPath).sort());
    assert.equal(fileURLToPath(import.meta.resolve('zkts/client')), join(repoRoot, 'dist', 'src', 'client', 'index.js'));
  });

  it('points its types condition at the declarations the build emits', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }> };
    const entry = manifest.exports['./client'];
    assert.ok(entry !== undefined, 'package.json has an exports entry ./client');
    assert.ok(existsSync(join(repoRoot, entry.types)), `${entry.types} exists after the build`);
    const declarations = readFileSync(join(repoRoot, entry.types), 'utf8');
    assert.match(declarations, /export declare function createClient\(/);
    // A type imported by package name is usable (this line fails to compile otherwise).
    const options: ClientOptions = { sessionTimeoutMs: 1000 };
    assert.equal(options.sessionTimeoutMs, 1000);
  });
});
