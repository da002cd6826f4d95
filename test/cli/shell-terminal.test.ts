/**
 * `zkts shell` on a real pseudo-terminal, used as a person would: the prompt, TAB completion of
 * commands and of znode paths (one candidate, a common prefix, a list on the second TAB), the
 * up arrow, `history` and `redo`, Ctrl-C, watch events printed the moment another client
 * changes a node (with the half-typed line redrawn after them), history kept across runs in
 * ~/.zkts_history, and `quit` / Ctrl-D. The server is a real zkts over TCP; the "other client"
 * is the zkts client library.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient, type ZooKeeperClient } from '../../src/client/index.js';
import { startZkts, zktsMain, type RunningServer } from '../support/servers.js';
import { scratchHome } from './support.js';
import { keys, Terminal } from './terminal.js';

describe('zkts shell on a terminal', () => {
  let server: RunningServer;
  let other: ZooKeeperClient;
  const home = scratchHome();
  const terminals: Terminal[] = [];

  const openShell = async (target: RunningServer = server): Promise<Terminal> => {
    const terminal = new Terminal(process.execPath, [zktsMain, 'shell', '-server', target.connectString, '-timeout', '10000'], {
      ...process.env, HOME: home, TZ: 'UTC', TERM: 'xterm',
    });
    terminals.push(terminal);
    await terminal.waitFor('JLine support is enabled');
    await terminal.waitFor('WatchedEvent state:SyncConnected type:None path:null');
    return terminal;
  };
  const promptFor = (n: number) => `[zk: ${server.connectString}(CONNECTED) ${n}] `;

  before(async () => {
    server = await startZkts();
    other = await createClient(server.connectString, { sessionTimeoutMs: 10_000 });
    for (const path of ['/tab', '/tab/alpha', '/tab/alps', '/tab/beta', '/watched', '/tree']) await other.create(path, 'x');
  });
  after(async () => {
    await Promise.all(terminals.map((terminal) => terminal.close()));
    await other?.close();
    await server?.stop();
  });

  it('completes, recalls, redoes, survives Ctrl-C and prints watch events as they arrive', async () => {
    const shell = await openShell();
    await shell.waitFor(promptFor(0));

    // A command name from its start, then a path from its start: one candidate each.
    shell.type(`getAllCh${keys.tab}`);
    await shell.waitFor('getAllChildrenNumber');
    shell.type(` /zoo${keys.tab}`);
    await shell.waitFor('/zookeeper');
    shell.type(keys.enter);
    assert.match(await shell.waitFor(promptFor(1)), /\n2\n/, 'getAllChildrenNumber /zookeeper ran as completed');

    // Several candidates: TAB adds their common prefix, a second TAB lists them.
    shell.type(`ls /tab/al${keys.tab}`);
    await shell.waitFor('ls /tab/alp');
    shell.type(keys.tab);
    const listing = await shell.waitFor(/\/tab\/alpha\s+\/tab\/alps/);
    assert.doesNotMatch(listing, /\/tab\/beta/, 'only children matching the prefix are offered');
    shell.type(`s${keys.enter}`);
    assert.match(await shell.waitFor(promptFor(2)), /\n\[\]\n/, 'ls /tab/alps ran');

    // The up arrow brings back the previous line, which runs again.
    shell.type(keys.up);
    await shell.waitFor('ls /tab/alps');
    shell.type(keys.enter);
    await shell.waitFor(promptFor(3));

    // history numbers this session's commands; redo runs one again by number.
    shell.type(`history${keys.enter}`);
    const history = await shell.waitFor(promptFor(4));
    assert.match(history, /0 - getAllChildrenNumber \/zookeeper\n1 - ls \/tab\/alps\n2 - ls \/tab\/alps\n3 - history\n/);
    shell.type(`redo 0${keys.enter}`);
    assert.match(await shell.waitFor(promptFor(5)), /\n2\n/);

    // Ctrl-C abandons the typed line: the next command runs alone.
    shell.type(`garbage${keys.ctrlC}`);
    await shell.waitFor('^C');
    shell.type(`ls /tab${keys.enter}`);
    const afterInterrupt = await shell.waitFor(promptFor(6));
    assert.match(afterInterrupt, /\[alpha, alps, beta\]/);
    assert.doesNotMatch(afterInterrupt, /Command not found/);

    // A one-shot watch: the event appears when another client changes the node, while the
    // person is halfway through typing; their text is redrawn after the event, intact.
    shell.type(`get -w /watched${keys.enter}`);
    await shell.waitFor(promptFor(7));
    shell.type('ls /wat');
    await shell.waitFor('ls /wat');
    await other.setData('/watched', 'changed');
    await shell.waitFor('\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeDataChanged path:/watched\n');
    await shell.waitFor(`${promptFor(7)}ls /wat`);
    shell.type(`ched${keys.enter}`);
    assert.match(await shell.waitFor(promptFor(8)), /\n\[\]\n/, 'the redrawn line was still the one being typed');

    // A persistent recursive watch keeps printing, for the node and below it.
    shell.type(`addWatch /tree${keys.enter}`);
    await shell.waitFor(promptFor(9));
    await other.create('/tree/leaf', 'v');
    await shell.waitFor('WatchedEvent state:SyncConnected type:NodeCreated path:/tree/leaf');
    await other.setData('/tree/leaf', 'w');
    await shell.waitFor('WatchedEvent state:SyncConnected type:NodeDataChanged path:/tree/leaf');

    // Errors are one line, and the shell goes on.
    shell.type(`get /missing${keys.enter}`);
    assert.match(await shell.waitFor(promptFor(10)), /\nNode does not exist: \/missing\n/);

    shell.type(`quit${keys.enter}`);
    await shell.waitFor('WatchedEvent state:Closed type:None path:null');
    assert.equal(await shell.exited(), 0);
  });

  it('keeps typed lines in ~/.zkts_history for the next run', async () => {
    const saved = readFileSync(join(home, '.zkts_history'), 'utf8').split('\n');
    assert.ok(saved.includes('getAllChildrenNumber /zookeeper'), saved.join('\n'));
    assert.equal(saved.filter((line) => line === 'ls /tab/alps').length, 2, 'every line run is kept, in order');
    assert.ok(!saved.includes('garbage'), 'a line abandoned with Ctrl-C is not history');

    const shell = await openShell();
    await shell.waitFor(promptFor(0));
    shell.type(keys.up);
    await shell.waitFor(`${promptFor(0)}quit`);
    shell.type(keys.up);
    await shell.waitFor(`${promptFor(0)}get /missing`);
    shell.type(keys.enter);
    await shell.waitFor('Node does not exist: /missing');
    await shell.waitFor(promptFor(1));
    // Ctrl-D on an empty line ends the shell, like quit but without the Closed event.
    shell.type(keys.ctrlD);
    assert.equal(await shell.exited(), 0);
    assert.doesNotMatch(shell.screen.split(promptFor(1)).pop()!, /state:Closed/);
  });

  it('shows a lost connection as it happens, in an event and in the prompt', async () => {
    const doomed = await startZkts();
    try {
      const shell = await openShell(doomed);
      await shell.waitFor(`[zk: ${doomed.connectString}(CONNECTED) 0] `);
      await doomed.stop();
      await shell.waitFor('WatchedEvent state:Disconnected type:None path:null');
      await shell.waitFor(`[zk: ${doomed.connectString}(CONNECTING) 0] `);
      shell.type(`quit${keys.enter}`);
      assert.equal(await shell.exited(), 0, 'quit is bounded even with no server to say goodbye to');
    } finally {
      await doomed.stop();
    }
  });
});
