/**
 * The recipes are published as `zkts/recipes`: this file imports them by package name (Node
 * resolves a package's own name through its `exports` map, and TypeScript does the same for the
 * types), so a missing `./recipes` entry, or one pointing at another copy of the module or at
 * missing declarations, fails here rather than for users. It also checks that the recipes use
 * the client only through its public entry (DESIGN.md: recipes are built on the public API).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as byName from 'zkts/recipes';
import { Lock, type WaitOptions } from 'zkts/recipes';
import * as byPath from '../../src/recipes/index.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const recipeClasses = [
  'LeaderElection', 'Lock', 'ReadWriteLock', 'Semaphore', 'ServiceRegistry', 'ServiceDiscovery', 'ConfigStore',
  'GroupMembership', 'Barrier', 'DoubleBarrier', 'Queue', 'Counter', 'NamingService',
] as const;

describe('package entry zkts/recipes', () => {
  it('is the same module instance as the built src/recipes/index.js, with every recipe class', () => {
    assert.equal(Lock, byPath.Lock);
    assert.deepEqual(Object.keys(byName).sort(), Object.keys(byPath).sort());
    for (const name of recipeClasses) assert.equal(typeof byName[name], 'function', `${name} is exported`);
    assert.equal(fileURLToPath(import.meta.resolve('zkts/recipes')), join(repoRoot, 'dist', 'src', 'recipes', 'index.js'));
  });

  it('points its types condition at the declarations the build emits', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }> };
    const entry = manifest.exports['./recipes'];
    assert.ok(entry !== undefined, 'package.json has an exports entry ./recipes');
    assert.ok(existsSync(join(repoRoot, entry.types)), `${entry.types} exists after the build`);
    assert.match(readFileSync(join(repoRoot, entry.types), 'utf8'), /export \{ Lock,/);
    const options: WaitOptions = { timeoutMs: 1000 };
    assert.equal(options.timeoutMs, 1000);
  });

  it('is built on the public client API only: no recipe imports client internals or the server', () => {
    const sourceRoot = join(repoRoot, 'src', 'recipes');
    const offending: string[] = [];
    const visit = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) { visit(path); continue; }
        if (!entry.name.endsWith('.ts')) continue;
        for (const [, specifier] of readFileSync(path, 'utf8').matchAll(/from '([^']+)'/g)) {
          const target = specifier!.startsWith('.') ? join(dirname(path), specifier!) : specifier!;
          const allowed = specifier!.startsWith('node:')
            || target === join(repoRoot, 'src', 'client', 'index.js')
            || target === join(repoRoot, 'src', 'util', 'assert.js')
            || target.startsWith(sourceRoot);
          if (!allowed) offending.push(`${path.slice(repoRoot.length + 1)}: ${specifier}`);
        }
      }
    };
    visit(sourceRoot);
    assert.deepEqual(offending, []);
  });
});
