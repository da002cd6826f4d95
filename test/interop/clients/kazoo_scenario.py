"""Interop scenario: drives a ZooKeeper-compatible server through kazoo (the Python client).

What it is: a script run by kazoo.test.ts as `/usr/bin/python3 kazoo_scenario.py HOST:PORT`.
It runs every check below against the server, asserting as it goes, and prints one JSON object
on the last line of stdout: {"passed": [check names...], "facts": {...observed values...}}.
It exits non-zero (with a traceback on stderr) on the first failed check.

What it is not: a test of kazoo itself. Each check states a server behaviour that Apache
ZooKeeper 3.8 shows through kazoo 2.8; a compatible server must show the same.

Invariants: every wait is bounded (WAIT_S); every check works under its own fresh root znode
so checks do not depend on each other's leftovers; clients are always stopped.

`kazoo_scenario.py --hold HOST:PORT PATH TIMEOUT_S` is the helper mode used by the session
expiry check: it creates an ephemeral at PATH, prints READY, then prints each kazoo state
change as `STATE <name>` until killed.
"""
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import traceback
import uuid

from kazoo.client import KazooClient, KazooState
from kazoo.exceptions import (
    AuthFailedError,
    BadVersionError,
    InvalidACLError,
    NoAuthError,
    NoChildrenForEphemeralsError,
    NodeExistsError,
    NoNodeError,
    NotEmptyError,
    RolledBackError,
    RuntimeInconsistency,
)
from kazoo.protocol.states import EventType
from kazoo.security import ACL, Id, Permissions, make_acl, make_digest_acl, OPEN_ACL_UNSAFE

WAIT_S = 15.0
SEQ_SUFFIX = re.compile(r"^\d{10}$")

PASSED = []
FACTS = {}


def wait_for(predicate, what, timeout_s=WAIT_S):
    """Polls predicate until it is truthy; raises AssertionError naming `what` on timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1fs waiting for %s" % (timeout_s, what))
        time.sleep(0.02)


def expect_error(error_type, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except error_type as error:
        return error
    raise AssertionError("expected %s from %s%r" % (error_type.__name__, fn.__name__, args))


class LogCapture(logging.Handler):
    """Keeps kazoo's log lines so the negotiated session timeout (logged, not exposed) can be read."""

    def __init__(self):
        super().__init__(level=1)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def new_client(hosts, **kwargs):
    client = KazooClient(hosts=hosts, **kwargs)
    client.start(timeout=WAIT_S)
    return client


class Scenario:
    def __init__(self, hosts):
        self.hosts = hosts
        self.base = "/kazoo-interop-" + uuid.uuid4().hex[:8]
        self.clients = []

    def client(self, **kwargs):
        c = new_client(self.hosts, **kwargs)
        self.clients.append(c)
        return c

    def close_all(self):
        for c in self.clients:
            try:
                c.stop()
                c.close()
            except Exception:
                pass

    def root(self, name):
        """A fresh persistent root for one check."""
        path = "%s/%s" % (self.base, name)
        self.zk.create(path, b"", makepath=True)
        return path

    def check(self, name, fn):
        fn()
        PASSED.append(name)

    # ----------------------------------------------------------------------------------------
    def run(self):
        self.zk = self.client(timeout=5.0)
        self.other = self.client(timeout=5.0)
        checks = [
            ("four_letter_ruok", self.four_letter_ruok),
            ("session_timeout_negotiation", self.session_timeout_negotiation),
            ("create_get_persistent", self.create_get_persistent),
            ("create_errors", self.create_errors),
            ("create2_include_data", self.create2_include_data),
            ("sequential_names", self.sequential_names),
            ("ephemeral_owner_and_no_children", self.ephemeral_owner_and_no_children),
            ("set_with_versions", self.set_with_versions),
            ("delete_with_versions", self.delete_with_versions),
            ("exists", self.exists),
            ("get_children", self.get_children),
            ("binary_unicode_and_large_data", self.binary_unicode_and_large_data),
            ("acl_digest_and_noauth", self.acl_digest_and_noauth),
            ("acl_get_set_versions", self.acl_get_set_versions),
            ("acl_ip_scheme", self.acl_ip_scheme),
            ("acl_invalid", self.acl_invalid),
            ("super_digest", self.super_digest),
            ("auth_failed_bad_scheme", self.auth_failed_bad_scheme),
            ("transaction_success", self.transaction_success),
            ("transaction_all_or_nothing", self.transaction_all_or_nothing),
            ("sync", self.sync),
            ("watch_data_fires_once", self.watch_data_fires_once),
            ("watch_exists_created_deleted", self.watch_exists_created_deleted),
            ("watch_children", self.watch_children),
            ("watch_delete_fires_data_and_child", self.watch_delete_fires_data_and_child),
            ("recipe_data_and_children_watch", self.recipe_data_and_children_watch),
            ("recipe_lock", self.recipe_lock),
            ("recipe_counter", self.recipe_counter),
            ("ephemeral_removed_on_close", self.ephemeral_removed_on_close),
            ("ephemeral_removed_on_expiry", self.ephemeral_removed_on_expiry),
            ("session_reattach_after_client_death", self.session_reattach_after_client_death),
        ]
        try:
            for name, fn in checks:
                self.check(name, fn)
            # Some nodes carry ACLs that deny this session; the super user may delete anything.
            cleaner = self.client(timeout=5.0)
            cleaner.add_auth("digest", "super:secret")
            cleaner.delete(self.base, recursive=True)
        finally:
            self.close_all()

    # ----------------------------------------------------------------------------------------
    def four_letter_ruok(self):
        assert self.zk.command(b"ruok") == "imok"

    def session_timeout_negotiation(self):
        """min = 2 ticks, max = 20 ticks; the harness runs the server with tickTime=500."""
        negotiated = {}
        for requested_s in (0.2, 1.5, 100.0):
            capture = LogCapture()
            logger = logging.getLogger("kazoo-capture-%s" % requested_s)
            logger.setLevel(1)
            logger.addHandler(capture)
            logger.propagate = False
            c = new_client(self.hosts, timeout=requested_s, logger=logger)
            c.stop()
            c.close()
            found = [re.search(r"negotiated session timeout: (\d+)", line) for line in capture.lines]
            values = [int(m.group(1)) for m in found if m]
            assert values, "kazoo logged no negotiated timeout: %r" % capture.lines[:5]
            negotiated[str(int(requested_s * 1000))] = values[0]
        assert negotiated == {"200": 1000, "1500": 1500, "100000": 10000}, negotiated
        FACTS["negotiated_timeouts"] = negotiated

    def create_get_persistent(self):
        r = self.root("persistent")
        before_ms = int(time.time() * 1000)
        created = self.zk.create(r + "/node", b"hello")
        assert created == r + "/node", created
        data, stat = self.zk.get(r + "/node")
        assert data == b"hello"
        assert stat.version == 0 and stat.cversion == 0 and stat.aversion == 0
        assert stat.ephemeralOwner == 0
        assert stat.dataLength == 5 and stat.numChildren == 0
        assert stat.czxid == stat.mzxid == stat.pzxid, stat
        assert stat.ctime == stat.mtime
        assert abs(stat.ctime - before_ms) < 60_000, (stat.ctime, before_ms)
        # The parent's child version and pzxid move with the create.
        _, parent = self.zk.get(r)
        assert parent.cversion == 1 and parent.numChildren == 1
        assert parent.pzxid == stat.czxid
        # Empty data round-trips as empty (not None).
        self.zk.create(r + "/empty")
        data, stat = self.zk.get(r + "/empty")
        assert data == b"" and stat.dataLength == 0
        # makepath creates the missing parents.
        self.zk.create(r + "/a/b/c", b"deep", makepath=True)
        assert self.zk.get(r + "/a/b/c")[0] == b"deep"

    def create_errors(self):
        r = self.root("create-errors")
        self.zk.create(r + "/x")
        expect_error(NodeExistsError, self.zk.create, r + "/x")
        expect_error(NoNodeError, self.zk.create, r + "/missing/child")
        expect_error(NoNodeError, self.zk.get, r + "/missing")
        expect_error(NoNodeError, self.zk.set, r + "/missing", b"v")
        expect_error(NoNodeError, self.zk.get_children, r + "/missing")
        expect_error(NoNodeError, self.zk.get_acls, r + "/missing")
        expect_error(NoNodeError, self.zk.set_acls, r + "/missing", OPEN_ACL_UNSAFE)
        # A failed create changes nothing.
        _, stat = self.zk.get(r)
        assert stat.numChildren == 1 and stat.cversion == 1, stat

    def create2_include_data(self):
        r = self.root("create2")
        path, stat = self.zk.create(r + "/n", b"abc", include_data=True)
        assert path == r + "/n"
        assert stat.dataLength == 3 and stat.version == 0
        _, again = self.zk.get(r + "/n")
        assert again == stat, (again, stat)
        path, stat = self.zk.create(r + "/s-", b"", sequence=True, include_data=True)
        assert path == r + "/s-0000000001", path
        assert self.zk.exists(path) == stat

    def sequential_names(self):
        r = self.root("sequential")
        names = [self.zk.create(r + "/job-", b"", sequence=True) for _ in range(3)]
        suffixes = [n[len(r + "/job-"):] for n in names]
        assert all(SEQ_SUFFIX.match(s) for s in suffixes), names
        assert suffixes == ["0000000000", "0000000001", "0000000002"], suffixes
        # The counter is the parent's stored child-create count: non-sequential creates
        # advance it, deletes do not. The cversion reported to clients is a different number,
        # 2 * creates - numChildren (every create has a delete except the live children), so
        # after 4 creates and 1 delete it reads 5 while the next suffix is 4.
        self.zk.create(r + "/plain")
        self.zk.delete(r + "/plain")
        assert self.zk.exists(r).cversion == 5
        after = self.zk.create(r + "/job-", b"", sequence=True)
        assert after == r + "/job-0000000004", after
        eph = self.zk.create(r + "/eph-", b"", ephemeral=True, sequence=True)
        assert eph == r + "/eph-0000000005", eph
        # A sequential name with no prefix is just the counter.
        bare = self.zk.create(r + "/", b"", sequence=True)
        assert bare == r + "/0000000006", bare
        assert sorted(self.zk.get_children(r)) == sorted(
            ["job-0000000000", "job-0000000001", "job-0000000002", "job-0000000004",
             "eph-0000000005", "0000000006"])
        stat = self.zk.exists(r)
        assert (stat.numChildren, stat.cversion) == (6, 2 * 7 - 6), stat
        FACTS["sequential_names"] = [n[len(r) + 1:] for n in names + [after, eph, bare]]

    def ephemeral_owner_and_no_children(self):
        r = self.root("ephemeral")
        self.zk.create(r + "/e", b"x", ephemeral=True)
        _, stat = self.zk.get(r + "/e")
        assert stat.ephemeralOwner == self.zk.client_id[0], (stat.ephemeralOwner, self.zk.client_id)
        assert stat.ephemeralOwner != 0
        expect_error(NoChildrenForEphemeralsError, self.zk.create, r + "/e/child")
        # Another session sees the same owner.
        assert self.other.exists(r + "/e").ephemeralOwner == self.zk.client_id[0]
        sid, passwd = self.zk.client_id
        assert isinstance(passwd, bytes) and len(passwd) == 16
        assert self.other.client_id[0] != sid

    def set_with_versions(self):
        r = self.root("set")
        _, created = self.zk.create(r + "/v", b"0", include_data=True)
        s1 = self.zk.set(r + "/v", b"1", version=0)
        assert s1.version == 1 and s1.mzxid > s1.czxid and s1.czxid == created.czxid
        assert s1.mtime >= s1.ctime
        expect_error(BadVersionError, self.zk.set, r + "/v", b"x", version=0)
        expect_error(BadVersionError, self.zk.set, r + "/v", b"x", version=7)
        s2 = self.zk.set(r + "/v", b"22", version=-1)
        assert s2.version == 2 and s2.dataLength == 2
        data, s3 = self.zk.get(r + "/v")
        assert data == b"22" and s3 == s2
        # setData does not touch the parent.
        _, parent = self.zk.get(r)
        assert parent.pzxid == created.czxid and parent.cversion == 1

    def delete_with_versions(self):
        r = self.root("delete")
        self.zk.create(r + "/d", b"")
        self.zk.set(r + "/d", b"1")
        expect_error(BadVersionError, self.zk.delete, r + "/d", version=0)
        assert self.zk.exists(r + "/d") is not None
        self.zk.delete(r + "/d", version=1)
        assert self.zk.exists(r + "/d") is None
        expect_error(NoNodeError, self.zk.delete, r + "/d")
        self.zk.create(r + "/full/child", makepath=True)
        expect_error(NotEmptyError, self.zk.delete, r + "/full")
        self.zk.delete(r + "/full", recursive=True)
        assert self.zk.exists(r + "/full") is None
        _, parent = self.zk.get(r)
        assert parent.numChildren == 0
        # Reported cversion = 2 * creates - numChildren = 2 * 2 - 0.
        assert parent.cversion == 4, parent

    def exists(self):
        r = self.root("exists")
        assert self.zk.exists(r + "/nope") is None
        self.zk.create(r + "/yes", b"1234")
        stat = self.zk.exists(r + "/yes")
        assert stat is not None and stat.dataLength == 4
        assert stat == self.zk.get(r + "/yes")[1]
        assert self.zk.exists("/") is not None
        assert self.zk.exists("/zookeeper") is not None

    def get_children(self):
        r = self.root("children")
        names = ["c", "a", "b-1", "zz"]
        for n in names:
            self.zk.create(r + "/" + n)
        assert sorted(self.zk.get_children(r)) == sorted(names)
        children, stat = self.zk.get_children(r, include_data=True)
        assert sorted(children) == sorted(names)
        assert stat.numChildren == 4 and stat.cversion == 4
        assert self.zk.get_children(r + "/a") == []
        assert "zookeeper" in self.zk.get_children("/")

    def binary_unicode_and_large_data(self):
        r = self.root("data")
        blob = bytes(range(256)) * 4
        self.zk.create(r + "/bin", blob)
        assert self.zk.get(r + "/bin")[0] == blob
        name = r + "/\u00fcnic\u00f8de-\u6f22\u5b57"
        self.zk.create(name, "\u2603".encode("utf-8"))
        assert self.zk.get(name)[0] == "\u2603".encode("utf-8")
        assert "\u00fcnic\u00f8de-\u6f22\u5b57" in self.zk.get_children(r)
        big = os.urandom(900 * 1024)
        self.zk.create(r + "/big", big)
        data, stat = self.zk.get(r + "/big")
        assert data == big and stat.dataLength == len(big)

    def acl_digest_and_noauth(self):
        r = self.root("acl-digest")
        acl = [make_digest_acl("alice", "pw", all=True)]
        self.zk.create(r + "/secret", b"s3", acl=acl)
        expect_error(NoAuthError, self.zk.get, r + "/secret")
        expect_error(NoAuthError, self.zk.set, r + "/secret", b"x")
        expect_error(NoAuthError, self.zk.create, r + "/secret/child")
        expect_error(NoAuthError, self.zk.get_children, r + "/secret")
        # exists needs no permission on the node itself (3.8.0).
        assert self.zk.exists(r + "/secret") is not None
        # delete is governed by the parent's ACL, which is open.
        authed = self.client(timeout=5.0)
        authed.add_auth("digest", "alice:pw")
        assert authed.get(r + "/secret")[0] == b"s3"
        authed.create(r + "/secret/child", b"c")
        authed.set(r + "/secret", b"new")
        assert authed.get(r + "/secret")[0] == b"new"
        # Wrong password: still denied.
        wrong = self.client(timeout=5.0)
        wrong.add_auth("digest", "alice:nope")
        expect_error(NoAuthError, wrong.get, r + "/secret")
        # Read-only world ACL: reads work, writes are denied.
        ro = [make_acl("world", "anyone", read=True)]
        self.zk.create(r + "/ro", b"r", acl=ro)
        assert self.zk.get(r + "/ro")[0] == b"r"
        expect_error(NoAuthError, self.zk.set, r + "/ro", b"w")
        expect_error(NoAuthError, self.zk.create, r + "/ro/c")
        # Delete needs DELETE on the parent.
        nodel = [make_acl("world", "anyone", read=True, write=True, create=True, admin=True)]
        self.zk.create(r + "/nodel", acl=nodel)
        self.zk.create(r + "/nodel/c")
        expect_error(NoAuthError, self.zk.delete, r + "/nodel/c")

    def acl_get_set_versions(self):
        r = self.root("acl-versions")
        self.zk.create(r + "/n", b"")
        acls, stat = self.zk.get_acls(r + "/n")
        assert list(acls) == list(OPEN_ACL_UNSAFE), acls
        assert stat.aversion == 0
        ro = [make_acl("world", "anyone", read=True, admin=True)]
        s1 = self.zk.set_acls(r + "/n", ro, version=0)
        assert s1.aversion == 1 and s1.version == 0
        expect_error(BadVersionError, self.zk.set_acls, r + "/n", OPEN_ACL_UNSAFE, version=0)
        acls, stat = self.zk.get_acls(r + "/n")
        assert [(a.perms, a.id.scheme, a.id.id) for a in acls] == [
            (Permissions.READ | Permissions.ADMIN, "world", "anyone")], acls
        expect_error(NoAuthError, self.zk.set, r + "/n", b"x")
        self.zk.set_acls(r + "/n", OPEN_ACL_UNSAFE)
        self.zk.set(r + "/n", b"x")
        assert self.zk.get_acls(r + "/n")[1].aversion == 2
        # Digest ACL ids come back as user:base64(sha1(user:password)).
        digest = [make_digest_acl("bob", "pw", read=True, admin=True)]
        self.zk.create(r + "/d", acl=digest)
        bob = self.client(timeout=5.0)
        bob.add_auth("digest", "bob:pw")
        acls, _ = bob.get_acls(r + "/d")
        assert [(a.perms, a.id.scheme, a.id.id) for a in acls] == [
            (digest[0].perms, "digest", digest[0].id.id)], acls
        FACTS["digest_acl_id"] = digest[0].id.id
        # getACL needs READ or ADMIN on the node.
        expect_error(NoAuthError, self.zk.get_acls, r + "/d")
        # With READ but not ADMIN, digest ids come back masked.
        mixed = [make_digest_acl("bob", "pw", all=True), make_acl("world", "anyone", read=True)]
        self.zk.create(r + "/mixed", acl=mixed)
        acls, _ = self.zk.get_acls(r + "/mixed")
        assert [(a.perms, a.id.scheme, a.id.id) for a in acls] == [
            (Permissions.ALL, "digest", "bob:x"), (Permissions.READ, "world", "anyone")], acls
        acls, _ = bob.get_acls(r + "/mixed")
        assert [(a.perms, a.id.scheme, a.id.id) for a in acls] == [
            (Permissions.ALL, "digest", digest[0].id.id), (Permissions.READ, "world", "anyone")], acls
        # The "auth" scheme expands to the session's authenticated ids.
        bob.create(r + "/mine", acl=[make_acl("auth", "", all=True)])
        acls, _ = bob.get_acls(r + "/mine")
        assert [(a.id.scheme, a.id.id) for a in acls] == [("digest", digest[0].id.id)], acls
        expect_error(NoAuthError, self.zk.get, r + "/mine")

    def acl_ip_scheme(self):
        r = self.root("acl-ip")
        self.zk.create(r + "/local", b"l", acl=[make_acl("ip", "127.0.0.1", all=True)])
        assert self.zk.get(r + "/local")[0] == b"l"
        self.zk.create(r + "/net", b"n", acl=[make_acl("ip", "127.0.0.0/8", read=True)])
        assert self.zk.get(r + "/net")[0] == b"n"
        self.zk.create(r + "/far", b"f", acl=[make_acl("ip", "10.1.2.3", all=True)])
        expect_error(NoAuthError, self.zk.get, r + "/far")

    def acl_invalid(self):
        r = self.root("acl-invalid")
        # "auth" with no authenticated id in the session is invalid.
        expect_error(InvalidACLError, self.zk.create, r + "/a", acl=[make_acl("auth", "", all=True)])
        expect_error(InvalidACLError, self.zk.create, r + "/b",
                     acl=[ACL(Permissions.ALL, Id("nosuchscheme", "x"))])
        expect_error(InvalidACLError, self.zk.create, r + "/c",
                     acl=[ACL(Permissions.ALL, Id("digest", "no-colon"))])
        assert self.zk.get_children(r) == []

    def super_digest(self):
        r = self.root("super")
        self.zk.create(r + "/locked", b"L", acl=[make_digest_acl("carol", "pw", all=True)])
        root_user = self.client(timeout=5.0)
        root_user.add_auth("digest", "super:secret")
        assert root_user.get(r + "/locked")[0] == b"L"
        root_user.set(r + "/locked", b"M")
        root_user.delete(r + "/locked")

    def auth_failed_bad_scheme(self):
        c = KazooClient(hosts=self.hosts, timeout=5.0)
        states = []
        c.add_listener(states.append)
        c.start(timeout=WAIT_S)
        try:
            expect_error(AuthFailedError, c.add_auth, "nosuchscheme", "whatever")
            # The server closes the connection after AUTHFAILED; kazoo then treats the
            # session as lost.
            wait_for(lambda: KazooState.LOST in states, "kazoo to report LOST after auth failure")
            FACTS["auth_failed_states"] = [str(s) for s in states]
        finally:
            c.stop()
            c.close()

    def transaction_success(self):
        r = self.root("txn-ok")
        self.zk.create(r + "/existing", b"0")
        self.zk.create(r + "/doomed", b"")
        t = self.zk.transaction()
        t.create(r + "/new", b"n")
        t.create(r + "/seq-", b"", sequence=True)
        t.check(r + "/existing", 0)
        t.set_data(r + "/existing", b"1", version=0)
        t.delete(r + "/doomed", version=0)
        results = t.commit()
        assert results[0] == r + "/new", results
        assert results[1] == r + "/seq-0000000003", results
        assert results[2] is True, results
        assert results[3].version == 1 and results[3].dataLength == 1, results
        assert results[4] is True, results
        assert self.zk.get(r + "/existing")[0] == b"1"
        assert self.zk.exists(r + "/doomed") is None
        # All ops of one multi share one zxid.
        zxids = {self.zk.exists(r + "/new").czxid, results[3].mzxid,
                 self.zk.exists(r + "/seq-0000000003").czxid}
        assert len(zxids) == 1, zxids

    def transaction_all_or_nothing(self):
        r = self.root("txn-fail")
        self.zk.create(r + "/v", b"0")
        _, before = self.zk.get(r)
        t = self.zk.transaction()
        t.create(r + "/a", b"")
        t.set_data(r + "/v", b"1")
        t.check(r + "/v", 5)
        t.create(r + "/b", b"")
        results = t.commit()
        kinds = [type(x).__name__ for x in results]
        # Ops before the failure are rolled back, the failing op carries its own error,
        # ops after it are RuntimeInconsistency.
        assert isinstance(results[0], RolledBackError), kinds
        assert isinstance(results[1], RolledBackError), kinds
        assert isinstance(results[2], BadVersionError), kinds
        assert isinstance(results[3], RuntimeInconsistency), kinds
        FACTS["failed_multi_results"] = kinds
        assert self.zk.exists(r + "/a") is None and self.zk.exists(r + "/b") is None
        data, stat = self.zk.get(r + "/v")
        assert data == b"0" and stat.version == 0
        _, after = self.zk.get(r)
        assert after.cversion == before.cversion and after.pzxid == before.pzxid
        # NodeExists inside a multi.
        t = self.zk.transaction()
        t.create(r + "/c", b"")
        t.create(r + "/v", b"")
        results = t.commit()
        assert isinstance(results[0], RolledBackError) and isinstance(results[1], NodeExistsError), results
        assert self.zk.exists(r + "/c") is None

    def sync(self):
        r = self.root("sync")
        assert self.zk.sync(r) == r
        self.other.create(r + "/x", b"after")
        assert self.zk.sync(r + "/x") == r + "/x"
        assert self.zk.get(r + "/x")[0] == b"after"

    # ----------------------------------------------------------------------------------------
    # Watches. "Fires once" is checked without sleeping: after the second change, a marker
    # watch is set and triggered; the server delivers notifications to a session in order,
    # so once the marker event has arrived any further callback would have run before it.
    # (kazoo forgets a one-shot watcher when it fires, so this is once per registration as
    # the client sees it; a duplicate notification from the server would be dropped by kazoo.)
    def marker(self, r, events):
        path = r + "/marker-" + uuid.uuid4().hex[:6]
        self.zk.exists(path, watch=lambda e: events.append(("marker", e)))
        self.other.create(path)
        wait_for(lambda: any(tag == "marker" for tag, _ in events), "marker event")

    def watch_data_fires_once(self):
        r = self.root("watch-data")
        self.zk.create(r + "/w", b"0")
        events = []
        self.zk.get(r + "/w", watch=lambda e: events.append(("data", e)))
        self.other.set(r + "/w", b"1")
        wait_for(lambda: events, "data watch")
        tag, e = events[0]
        assert e.type == EventType.CHANGED and e.path == r + "/w" and e.state == "CONNECTED", e
        self.other.set(r + "/w", b"2")
        self.marker(r, events)
        assert [t for t, _ in events] == ["data", "marker"], events

    def watch_exists_created_deleted(self):
        r = self.root("watch-exists")
        events = []
        assert self.zk.exists(r + "/x", watch=lambda e: events.append(e)) is None
        self.other.create(r + "/x")
        wait_for(lambda: events, "exists watch on create")
        assert events[0].type == EventType.CREATED and events[0].path == r + "/x"
        assert self.zk.exists(r + "/x", watch=lambda e: events.append(e)) is not None
        self.other.delete(r + "/x")
        wait_for(lambda: len(events) >= 2, "exists watch on delete")
        assert events[1].type == EventType.DELETED and events[1].path == r + "/x"
        # A data change is reported to an exists watch on an existing node.
        self.other.create(r + "/y")
        self.zk.exists(r + "/y", watch=lambda e: events.append(e))
        self.other.set(r + "/y", b"z")
        wait_for(lambda: len(events) >= 3, "exists watch on set")
        assert events[2].type == EventType.CHANGED

    def watch_children(self):
        r = self.root("watch-children")
        events = []
        assert self.zk.get_children(r, watch=lambda e: events.append(("child", e))) == []
        self.other.create(r + "/c1")
        wait_for(lambda: events, "child watch")
        assert events[0][1].type == EventType.CHILD and events[0][1].path == r
        # One-shot: a second child change is not reported.
        self.other.create(r + "/c2")
        # Setting data on the parent does not trigger a child watch either.
        self.zk.get_children(r, watch=lambda e: events.append(("child2", e)))
        self.other.set(r, b"data")
        self.other.delete(r + "/c1")
        wait_for(lambda: len(events) >= 2, "second child watch")
        assert events[1][0] == "child2" and events[1][1].type == EventType.CHILD
        self.marker(r, events)
        assert [t for t, _ in events] == ["child", "child2", "marker"], events

    def watch_delete_fires_data_and_child(self):
        r = self.root("watch-delete")
        self.zk.create(r + "/n", b"")
        events = []
        self.zk.get(r + "/n", watch=lambda e: events.append(("data", e.type, e.path)))
        self.zk.get_children(r + "/n", watch=lambda e: events.append(("child", e.type, e.path)))
        self.zk.get_children(r, watch=lambda e: events.append(("parent", e.type, e.path)))
        self.other.delete(r + "/n")
        wait_for(lambda: len(events) >= 3, "three delete events")
        assert sorted(events) == sorted([
            ("data", EventType.DELETED, r + "/n"),
            ("child", EventType.DELETED, r + "/n"),
            ("parent", EventType.CHILD, r),
        ]), events

    def recipe_data_and_children_watch(self):
        r = self.root("recipes")
        self.zk.create(r + "/d", b"v0")
        seen_data = []
        seen_children = []
        self.zk.DataWatch(r + "/d", lambda data, stat: seen_data.append(data))
        self.zk.ChildrenWatch(r, lambda children: seen_children.append(sorted(children)))
        wait_for(lambda: seen_data == [b"v0"], "initial DataWatch call")
        wait_for(lambda: seen_children == [["d"]], "initial ChildrenWatch call")
        self.other.set(r + "/d", b"v1")
        wait_for(lambda: seen_data[-1:] == [b"v1"], "DataWatch update")
        self.other.create(r + "/e")
        wait_for(lambda: seen_children[-1:] == [["d", "e"]], "ChildrenWatch update")
        self.other.delete(r + "/d")
        wait_for(lambda: seen_data[-1:] == [None], "DataWatch delete")

    def recipe_lock(self):
        r = self.root("lock")
        a = self.zk.Lock(r + "/lock", "a")
        b = self.other.Lock(r + "/lock", "b")
        assert a.acquire(timeout=WAIT_S)
        assert not b.acquire(blocking=False)
        assert b.contenders() == ["a"], b.contenders()
        acquired = []
        worker = threading.Thread(target=lambda: acquired.append(b.acquire(timeout=WAIT_S)))
        worker.start()
        wait_for(lambda: len(self.zk.get_children(r + "/lock")) == 2, "b queued behind a")
        assert not acquired
        a.release()
        worker.join(WAIT_S)
        assert acquired == [True], acquired
        assert b.contenders() == ["b"]
        b.release()
        assert self.zk.get_children(r + "/lock") == []

    def recipe_counter(self):
        r = self.root("counter")
        ca = self.zk.Counter(r + "/c")
        cb = self.other.Counter(r + "/c")
        threads = []
        for counter in (ca, cb):
            def bump(counter=counter):
                for _ in range(10):
                    counter += 1
            threads.append(threading.Thread(target=bump))
        for t in threads:
            t.start()
        for t in threads:
            t.join(WAIT_S)
        assert ca.value == 20 and cb.value == 20, (ca.value, cb.value)

    # ----------------------------------------------------------------------------------------
    def ephemeral_removed_on_close(self):
        r = self.root("eph-close")
        c = new_client(self.hosts, timeout=5.0)
        c.create(r + "/e", b"", ephemeral=True)
        c.create(r + "/s-", b"", ephemeral=True, sequence=True)
        events = []
        self.zk.exists(r + "/e", watch=events.append)
        assert len(self.zk.get_children(r)) == 2
        c.stop()
        c.close()
        wait_for(lambda: events, "DELETED for the closed session's ephemeral")
        assert events[0].type == EventType.DELETED
        # Closing the session removes its ephemerals in the same step as the close reply.
        assert self.zk.get_children(r) == []

    def start_holder(self, path, timeout_s):
        holder = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--hold", self.hosts, path, str(timeout_s)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        lines = []
        reader = threading.Thread(target=lambda: [lines.append(l.strip()) for l in holder.stdout])
        reader.daemon = True
        reader.start()
        return holder, lines

    def session_reattach_after_client_death(self):
        """The holder process dies without closing its session; within the session timeout
        another client resumes the session with its id and password: a wrong password is
        refused as expired, the right one gets the same session and its ephemeral back."""
        r = self.root("reattach")
        path = r + "/held"
        holder, lines = self.start_holder(path, 8.0)
        try:
            wait_for(lambda: "READY" in lines, "holder READY")
            _, sid_text, passwd_hex = [l for l in lines if l.startswith("SESSION ")][0].split()
            session_id, passwd = int(sid_text), bytes.fromhex(passwd_hex)
        finally:
            holder.kill()
            holder.wait(WAIT_S)
        assert self.zk.exists(path).ephemeralOwner == session_id
        bad_passwd = bytes(b ^ 0xFF for b in passwd)
        wrong = KazooClient(hosts=self.hosts, timeout=8.0, client_id=(session_id, bad_passwd))
        try:
            # kazoo answers an expired reply by quietly starting a fresh session.
            wrong.start(timeout=WAIT_S)
            assert wrong.client_id[0] not in (0, session_id), wrong.client_id
        finally:
            wrong.stop()
            wrong.close()
        assert self.zk.exists(path) is not None, "a refused reattach must not end the session"
        resumed = KazooClient(hosts=self.hosts, timeout=8.0, client_id=(session_id, passwd))
        resumed.start(timeout=WAIT_S)
        try:
            assert resumed.client_id[0] == session_id
            stat = resumed.exists(path)
            assert stat is not None and stat.ephemeralOwner == session_id
            resumed.set(path, b"still mine")
        finally:
            resumed.stop()
            resumed.close()
        assert self.zk.exists(path) is None, "closing the resumed session removes the ephemeral"

    def ephemeral_removed_on_expiry(self):
        """A client frozen (SIGSTOP) past its session timeout: the server expires the session,
        deletes its ephemeral, and when the client resumes it is told the session expired."""
        r = self.root("eph-expiry")
        path = r + "/held"
        holder, lines = self.start_holder(path, 1.0)
        try:
            wait_for(lambda: "READY" in lines, "holder READY")
            stat = self.zk.exists(path)
            assert stat is not None and stat.ephemeralOwner != 0
            events = []
            self.zk.exists(path, watch=events.append)
            frozen_at = time.monotonic()
            os.kill(holder.pid, signal.SIGSTOP)
            wait_for(lambda: events, "ephemeral deleted after session expiry")
            elapsed = time.monotonic() - frozen_at
            assert events[0].type == EventType.DELETED and events[0].path == path
            assert self.zk.exists(path) is None
            FACTS["expiry_elapsed_s"] = round(elapsed, 2)
            os.kill(holder.pid, signal.SIGCONT)
            wait_for(lambda: "STATE LOST" in lines, "holder to see LOST after resuming")
        finally:
            holder.kill()
            holder.wait(WAIT_S)


def hold(hosts, path, timeout_s):
    client = KazooClient(hosts=hosts, timeout=float(timeout_s))
    client.add_listener(lambda state: print("STATE " + str(state), flush=True))
    client.start(timeout=WAIT_S)
    client.create(path, b"", ephemeral=True)
    session_id, passwd = client.client_id
    print("SESSION %d %s" % (session_id, passwd.hex()), flush=True)
    print("READY", flush=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.1)


def main():
    logging.basicConfig(level=logging.CRITICAL)
    if len(sys.argv) >= 2 and sys.argv[1] == "--hold":
        hold(*sys.argv[2:5])
        return
    if len(sys.argv) != 2:
        print("usage: kazoo_scenario.py HOST:PORT", file=sys.stderr)
        sys.exit(2)
    scenario = Scenario(sys.argv[1])
    try:
        scenario.run()
    except Exception:
        traceback.print_exc()
        print(json.dumps({"passed": PASSED, "facts": FACTS, "failed": True}))
        sys.exit(1)
    print(json.dumps({"passed": PASSED, "facts": FACTS}))


if __name__ == "__main__":
    main()
