/**
 * Interop: kazoo (the Python ZooKeeper client, Debian's 2.8.0 for /usr/bin/python3) against the
 * server under test. The scenario itself is kazoo_scenario.py (beside this file in the source
 * tree); this test starts the server, runs the script, and checks its exit code and its JSON
 * report: every named check must have passed, and the observed values must follow ZooKeeper's
 * rules (sequence suffix format, session-timeout clamping).
 *
 * Not a unit test of kazoo. Skipped only when kazoo is not importable by /usr/bin/python3.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { clientsSourceDir, commandSucceeds, maxSessionTimeoutMs, minSessionTimeoutMs, runToCompletion, startTarget } from './support.js';

// The `python3` on PATH is a pyenv build without kazoo; Debian's interpreter has it.
const python = '/usr/bin/python3';
const scenario = join(clientsSourceDir, 'kazoo_scenario.py');
const kazooInstalled = commandSucceeds(python, ['-c', 'import kazoo']);

/** Every check the scenario runs, in order: none may be skipped silently. */
const expectedChecks = [
  'four_letter_ruok',
  'session_timeout_negotiation',
  'create_get_persistent',
  'create_errors',
  'create2_include_data',
  'sequential_names',
  'ephemeral_owner_and_no_children',
  'set_with_versions',
  'delete_with_versions',
  'exists',
  'get_children',
  'binary_unicode_and_large_data',
  'acl_digest_and_noauth',
  'acl_get_set_versions',
  'acl_ip_scheme',
  'acl_invalid',
  'super_digest',
  'auth_failed_bad_scheme',
  'transaction_success',
  'transaction_all_or_nothing',
  'sync',
  'watch_data_fires_once',
  'watch_exists_created_deleted',
  'watch_children',
  'watch_delete_fires_data_and_child',
  'recipe_data_and_children_watch',
  'recipe_lock',
  'recipe_counter',
  'ephemeral_removed_on_close',
  'ephemeral_removed_on_expiry',
  'session_reattach_after_client_death',
] as const;

interface ScenarioReport {
  passed: string[];
  facts: {
    negotiated_timeouts?: Record<string, number>;
    sequential_names?: string[];
    failed_multi_results?: string[];
    auth_failed_states?: string[];
  };
  failed?: boolean;
}

test('kazoo: CRUD, ACLs, auth, multi, watches, recipes and sessions', {
  skip: kazooInstalled ? false : `kazoo is not importable by ${python}`,
  timeout: 90_000,
}, async () => {
  const server = await startTarget();
  try {
    const run = await runToCompletion(python, [scenario, server.connectString], { timeoutMs: 75_000 });
    const lastLine = run.stdout.trim().split('\n').at(-1) ?? '';
    const context = `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}\nserver:\n${server.output().slice(-4000)}`;
    let report: ScenarioReport;
    try {
      report = JSON.parse(lastLine) as ScenarioReport;
    } catch {
      assert.fail(`kazoo_scenario.py printed no JSON report\n${context}`);
    }
    assert.deepEqual(report.passed, [...expectedChecks], `checks passed so far differ from the plan\n${context}`);
    assert.equal(run.code, 0, context);
    assert.equal(report.failed, undefined, context);

    // The server clamps the requested timeout into [2, 20] ticks.
    const clamp = (ms: number) => Math.min(Math.max(ms, minSessionTimeoutMs), maxSessionTimeoutMs);
    assert.deepEqual(report.facts.negotiated_timeouts, { '200': clamp(200), '1500': clamp(1500), '100000': clamp(100_000) });

    // Sequential names: the prefix, then the counter as exactly ten zero-padded digits.
    const names = report.facts.sequential_names ?? [];
    assert.equal(names.length, 6);
    for (const name of names) assert.match(name, /^(job-|eph-)?\d{10}$/);
    const counters = names.map((name) => Number(name.slice(-10)));
    assert.deepEqual(counters, [...counters].sort((a, b) => a - b), 'sequence counters increase');

    assert.deepEqual(report.facts.failed_multi_results, ['RolledBackError', 'RolledBackError', 'BadVersionError', 'RuntimeInconsistency']);
    assert.deepEqual(report.facts.auth_failed_states, ['CONNECTED', 'LOST']);
  } finally {
    await server.stop();
  }
});
