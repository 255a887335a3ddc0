"""Three daemons, one per role, against one vdapi, and a mixed workload whose effects are counted.

Issue 9 items 1-3 (crashes.py, network.py, disk.py) share this: a `World` is vdapi (`--seed demo`,
a database file so it can be stopped and started again with the same data, an admin port) and
three vdsyncd processes, the demo doctor, assistant and patient, each with its own state
directory, socket and log. A `Writer` is one client of one daemon: it submits mutations one at a
time and knows each one's fate. When a reply is cut off (the daemon died), the writer waits for
the daemon to be back and reads the outbox after the last id it knew: being the daemon's only
writer, it finds there exactly the mutation whose reply it lost if that one was committed, and
nothing otherwise. So every mutation ends up acknowledged, committed without a reply, refused
(an error reply), or not committed, and the checks know exactly which effects must be upstream.

`check_upstream` then reads vdapi's database (POST /admin/query) and counts: every committed
creation (chat message, project, booking, patient) exactly once by its unique token, none for a
mutation that was not committed; every state change (seen, cancelled, rated, result, team name,
follow) as the last committed one left it; the growth of each table equal to the committed
creations (so no untagged duplicate hides); every committed entry `applied` and no entry left
`queued`, `in_flight`, `unknown`, `parked` or `rejected`. `mirror_matches_upstream` compares what
each daemon's socket reads return with vdapi's own HTTP answers for that account.
"""

import base64
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

from stack import CRASH_PATTERNS, LineReader, RPCFailure, rpc_call

PASSWORD = "demo123"
# role -> (phone, the API's login type)
ACCOUNTS = {"doctor": ("13800000001", 2), "assistant": ("13800000011", 3), "patient": ("13800000021", 1)}
ROLES = ("doctor", "assistant", "patient")
UNFINISHED = ("queued", "in_flight", "unknown", "parked")
# A 1x1 PNG: chat photos given as bytes become photo.upload entries first.
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63646060f80f00010401005f2b0c3f0000000049454e44ae426082")).decode()
# The daemon's lines that are expected: the crash hook's own, and nothing else from stderr.
HOOK_LINE = "crash point reached"

# Every daemon of these checks runs with VDSYNC_OUTBOX_SETTLE_TIME=6: a send that got no answer
# (a read timeout, a reset, a kill while it was in flight) is read back, and a read-back that does
# not find it sends it again only once 6 s have passed since it left (docs/outbox.md, "The settle
# time"). The rule's one assumption is that a request not answered within the settle time never
# takes effect later. So the settle time must stay above the longest time vdapi is made to hold a
# request before its handler runs: LONGEST_DELAY_MS, the `delay` rules that may fire together on
# one request summed (`Upstream.add_fault` refuses more). `hang` does not count: it never runs the
# handler. Lower than the default 120 s, so that each send a fault left without an answer does not
# hold its chain for two minutes; `reliability.py --settle-time` sets another value (0 shows what
# the checks find without the rule).
# `vdapi --quirks SEED` (docs/reference-server.md, "Quirks mode") for every world when set:
# "SEED", or "SEED/answer" to vary representations per answer too. reliability.py --quirks.
QUIRKS = None
# What the quirks servers varied, summed over every vdapi stopped: {kind: count}, and answers.
QUIRK_CENSUS = {"answers": 0, "kinds": {}}
SETTLE_SECONDS = 6
LONGEST_DELAY_MS = 4000
# The creation and state-change requests the outbox sends (method, path template): the paths
# the slow-server faults hold. Not /login (a login held past the read timeout only delays the
# start) and not /imgupload (a photo uploaded twice is harmless and not counted).
WRITE_PATHS = (("POST", "/chat"), ("POST", "/project"), ("POST", "/project/{id}/join"),
               ("POST", "/assistant/create/patient"), ("POST", "/assistant/join/project/{id}"),
               ("PUT", "/diagnoses/{id}"), ("PUT", "/user"))


def wait_until(condition, timeout, interval=0.05):
    """Polls `condition` until it returns something true or `timeout` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- vdapi -------------------------------------------------------------------------------------

class Upstream:
    """vdapi --seed demo on a database file; stopped and started again on the same ports and data."""

    def __init__(self, bin_dir, directory):
        self.bin_dir = bin_dir
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        self.database = os.path.join(directory, "vdapi.sqlite")
        self.port = free_port()
        self.admin_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_url = f"http://127.0.0.1:{self.admin_port}"
        self.process = None
        self.starts = 0
        self.exits = []
        self.tokens = {}

    def start(self, timeout=30):
        seed = [] if os.path.exists(self.database) else ["--seed", "demo"]
        args = [os.path.join(self.bin_dir, "vdapi"), "--database", self.database, "--port", str(self.port),
                "--admin-port", str(self.admin_port), "--log-level", "warning"] + seed
        if QUIRKS:
            number, _, per = QUIRKS.partition("/")
            args += ["--quirks", number] + (["--quirks-per-answer"] if per == "answer" else [])
        out = open(os.path.join(self.dir, "vdapi.out"), "ab")
        err = open(os.path.join(self.dir, "vdapi.err"), "ab")
        self.process = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        self.starts += 1
        self.tokens = {}

        def listening():
            if self.process.poll() is not None:
                raise RuntimeError(f"vdapi exited {self.process.returncode} at start")
            try:
                urllib.request.urlopen(self.admin_url + "/admin/faults", timeout=2).read()
                return True
            except (OSError, urllib.error.URLError):
                return False
        if not wait_until(listening, timeout):
            raise RuntimeError(f"vdapi did not listen within {timeout} s")

    def stop(self, sig=signal.SIGTERM):
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        if QUIRKS:
            self.count_quirks()
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.exits.append(self.process.returncode)
        return self.process.returncode

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def count_quirks(self):
        """Adds this vdapi's quirks census (GET /admin/quirks) to QUIRK_CENSUS."""
        try:
            census = self.admin("GET", "/admin/quirks", timeout=5) or {}
        except OSError:
            return
        QUIRK_CENSUS["answers"] += int(census.get("answers") or 0)
        for counts in (census.get("counts") or {}).values():
            for kind, count in counts.items():
                QUIRK_CENSUS["kinds"][kind] = QUIRK_CENSUS["kinds"].get(kind, 0) + count

    def admin(self, method, path, body=None, timeout=30):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.admin_url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
        return json.loads(text) if text.strip() else None

    def query(self, sql, arguments=None):
        body = {"sql": sql}
        if arguments is not None:
            body["arguments"] = arguments
        return self.admin("POST", "/admin/query", body)

    def value(self, sql, arguments=None):
        rows = self.query(sql, arguments)
        return next(iter(rows[0].values())) if rows else None

    def add_fault(self, rule):
        """Adds a fault rule; refuses `delay` rules that could hold one request longer than
        LONGEST_DELAY_MS together with the delays already in force (the settle time rests on it)."""
        if rule.get("action") == "delay":
            rules = [r for r in self.faults() if r.get("action") == "delay"] + [rule]
            # Every kind of request the rules tell apart: each method and path they name, or another.
            other = object()
            methods = {r.get("method") for r in rules if r.get("method")} | {other}
            paths = {r.get("path") for r in rules if r.get("path")} | {other}
            longest = max(sum(r.get("delay_ms", 1000) for r in rules
                              if r.get("method") in (None, method) and r.get("path") in (None, path))
                          for method in methods for path in paths)
            if longest > LONGEST_DELAY_MS:
                raise ValueError(f"delay rules holding a request {longest} ms, above LONGEST_DELAY_MS "
                                 f"({LONGEST_DELAY_MS} ms; the daemons' settle time is {SETTLE_SECONDS} s)")
        self.admin("POST", "/admin/faults", rule)

    def faults(self):
        """The rules in force (one-shot rules that fired are gone)."""
        return self.admin("GET", "/admin/faults") or []

    def clear_faults(self):
        self.admin("DELETE", "/admin/faults")

    # The API itself, as one of the demo accounts (for comparing a daemon's mirror with it).

    def api(self, role, method, path, body=None):
        if role not in self.tokens:
            phone, kind = ACCOUNTS[role]
            answer = self._http("POST", "/login", {"phono": phone, "pwd": PASSWORD, "type": kind})
            self.tokens[role] = answer["token"]
        return self._http(method, path, body, self.tokens[role])

    def _http(self, method, path, body=None, token=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["X-auth-token"] = token
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            envelope = json.loads(response.read())
        # A quirks server may write the code as text ("0").
        if str(envelope.get("error_code")) != "0":
            raise RuntimeError(f"{method} {path}: error_code {envelope.get('error_code')}")
        return envelope["data"]

    def api_all(self, role, path):
        """Every record of a paged list (or a bare list)."""
        items, page = [], 1
        while True:
            separator = "&" if "?" in path else "?"
            data = self.api(role, "GET", f"{path}{separator}current_page={page}&page_size=50")
            if isinstance(data, list):
                return data
            items += data.get("list") or []
            info = data.get("page") or {}
            if page >= int(info.get("total_page") or 1):
                return items
            page += 1


# -- vdsyncd -----------------------------------------------------------------------------------

class Daemon:
    """One vdsyncd for one demo account, started and restarted on the same state directory."""

    def __init__(self, bin_dir, directory, role, upstream, env=None):
        self.bin_dir = bin_dir
        self.role = role
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        self.state = os.path.join(directory, "state")
        self.socket = os.path.join(directory, "vdsyncd.sock")
        self.log = os.path.join(directory, "vdsyncd.log")
        self.upstream = upstream
        # The settle time: see SETTLE_SECONDS (above every delay these checks inject).
        self.env = {"VDSYNC_OUTBOX_RATE": "50", "VDSYNC_HOT_INTERVAL": "15", "VDSYNC_LOG_LEVEL": "notice",
                    "VDSYNC_STOP_TIMEOUT": "5", "VDSYNC_OUTBOX_SETTLE_TIME": str(SETTLE_SECONDS)}
        self.env.update(env or {})
        self.process = None
        self.starts = 0
        self.exits = []
        self.user_id = None

    def start(self, extra_env=None, wrapper=None, wait=True, timeout=60):
        password = os.path.join(self.dir, "password")
        # vdsyncd refuses a password file others may read (as ssh does a key): 0600.
        with open(os.open(password, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(PASSWORD)
        os.chmod(password, 0o600)
        settings = {"VDSYNC_UPSTREAM_URL": self.upstream.url, "VDSYNC_ROLE": self.role,
                    "VDSYNC_PHONE": ACCOUNTS[self.role][0], "VDSYNC_PASSWORD_FILE": password,
                    "VDSYNC_STATE_DIRECTORY": self.state, "VDSYNC_SOCKET_PATH": self.socket}
        settings.update(self.env)
        config = os.path.join(self.dir, "vdsyncd.conf")
        with open(config, "w") as f:
            f.writelines(f"{key}={value}\n" for key, value in settings.items())
        env = {k: v for k, v in os.environ.items() if not k.startswith("VDSYNC")}
        env.update(extra_env or {})
        log = open(self.log, "ab")
        log.write(f"--- reliability: start {self.starts + 1} {' '.join(f'{k}={v}' for k, v in (extra_env or {}).items())}\n".encode())
        log.flush()
        self.process = subprocess.Popen(
            (wrapper or []) + [os.path.join(self.bin_dir, "vdsyncd"), "--config", config],
            stdout=subprocess.DEVNULL, stderr=log, stdin=subprocess.DEVNULL, env=env)
        self.starts += 1
        if wait and not self.wait_ready(timeout):
            raise RuntimeError(f"{self.role}'s vdsyncd was not ready within {timeout} s "
                               f"(exit {self.process.poll()}): {self.tail()}")
        return self

    def wait_ready(self, timeout=60):
        """Until the socket answers `status` with an active session; False if it exits or times out."""
        def ready():
            if self.process.poll() is not None:
                return "exited"
            try:
                status = self.call("status", timeout=5)
            except (OSError, ValueError, RPCFailure):
                return False
            self.user_id = status.get("user_id") or self.user_id
            return status.get("session") == "active"
        return wait_until(ready, timeout) is True

    def alive(self):
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self):
        return self.process.pid

    def signal(self, sig):
        if self.alive():
            self.process.send_signal(sig)

    def wait_exit(self, timeout):
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self.exits.append(code)
        return code

    def stop(self, timeout=30):
        """SIGTERM; its exit status (SIGKILL after `timeout`)."""
        if self.process is None:
            return None
        if self.process.poll() is not None:
            return self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        code = self.wait_exit(timeout)
        if code is None:
            self.process.kill()
            code = self.wait_exit(10)
        return code

    def kill(self):
        if self.alive():
            self.process.kill()
        return self.wait_exit(10)

    def call(self, method, params=None, timeout=30):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        with sock:
            sock.connect(self.socket)
            return rpc_call(sock, method, params)

    def status(self):
        return self.call("status")

    def entries(self, after=0):
        found = []
        while True:
            page = self.call("outbox.list", {"after_id": after, "limit": 1000})
            if not page:
                return found
            found += page
            after = page[-1]["mutation_id"]

    def tail(self, lines=8):
        try:
            with open(self.log, "r", errors="replace") as f:
                return " | ".join(line.rstrip() for line in f.readlines()[-lines:])
        except OSError:
            return ""

    def log_count(self, text):
        """How many lines of the daemon's log (all its starts) hold `text`."""
        try:
            with open(self.log, "r", errors="replace") as f:
                return sum(1 for line in f if text in line)
        except OSError:
            return 0

    def crash_lines(self):
        found = []
        try:
            with open(self.log, "r", errors="replace") as f:
                for line in f:
                    if CRASH_PATTERNS.search(line) and HOOK_LINE not in line:
                        found.append(f"{self.role}: {line.rstrip()[:300]}")
        except OSError:
            pass
        return found


class World:
    """vdapi and the three daemons, in `work/name`."""

    def __init__(self, bin_dir, work, name, daemon_env=None):
        self.dir = os.path.join(work, name)
        self.upstream = Upstream(bin_dir, os.path.join(self.dir, "vdapi"))
        self.daemons = {role: Daemon(bin_dir, os.path.join(self.dir, role), role, self.upstream, daemon_env)
                        for role in ROLES}
        self.ids = {}

    def start(self, extra_env=None, wrapper=None):
        self.upstream.start()
        for role, (phone, kind) in ACCOUNTS.items():
            self.ids[role] = self.upstream.value("SELECT id FROM user WHERE phone = ? AND type = ?", [phone, kind])
        for daemon in self.daemons.values():
            daemon.start(extra_env=(extra_env or {}).get(daemon.role), wrapper=(wrapper or {}).get(daemon.role), wait=False)
        for daemon in self.daemons.values():
            if not daemon.wait_ready(60) and daemon.alive():
                raise RuntimeError(f"{daemon.role}'s vdsyncd was not ready: {daemon.tail()}")
        return self

    def stop(self):
        """SIGTERM to the daemons then vdapi; {role: exit status}."""
        codes = {role: daemon.stop() for role, daemon in self.daemons.items()}
        self.upstream.stop()
        return codes

    def crash_lines(self):
        found = []
        for daemon in self.daemons.values():
            found += daemon.crash_lines()
        try:
            with open(os.path.join(self.upstream.dir, "vdapi.err"), "r", errors="replace") as f:
                found += [f"vdapi: {line.rstrip()[:300]}" for line in f if CRASH_PATTERNS.search(line)]
        except OSError:
            pass
        return found


# -- what to submit ----------------------------------------------------------------------------

def targets(world):
    """What the demo world lets each role do, read from vdapi at the start of a run."""
    q = world.upstream.query
    d, a, p = world.ids["doctor"], world.ids["assistant"], world.ids["patient"]
    # The server's clock is China time; "upcoming" and "started" are judged in it.
    today = "date('now', '+8 hours')"
    now_time = "time('now', '+8 hours')"
    t = {"ids": dict(world.ids)}
    t["mark_done"] = [r["id"] for r in q(
        "SELECT d.id FROM diagnosis d JOIN project p ON p.id = d.project_id WHERE d.doctor_user_id = ? "
        "AND d.verify_status = 1 AND d.status IN (1, 2) AND p.status = 1 "
        f"AND (p.date < {today} OR (p.date = {today} AND p.begin <= {now_time})) ORDER BY d.id", [d])]
    t["seen"] = [r["id"] for r in q(
        "SELECT id FROM diagnosis WHERE doctor_user_id = ? AND verify_status = 1 AND status = 3 ORDER BY id", [d])]
    t["rate_patient"] = [r["id"] for r in q(
        "SELECT id FROM diagnosis WHERE doctor_user_id = ? AND verify_status = 1 AND status = 3 "
        "AND patient_credit_score = 0 ORDER BY id", [d])]
    t["rate_doctor"] = [r["id"] for r in q(
        "SELECT id FROM diagnosis WHERE user_id = ? AND verify_status = 1 AND status = 3 AND doctor_score = 0 ORDER BY id", [p])]
    t["patient_cancel"] = [(r["project_id"], r["id"]) for r in q(
        "SELECT d.project_id, d.id FROM diagnosis d JOIN project p ON p.id = d.project_id WHERE d.user_id = ? "
        f"AND d.verify_status = 1 AND d.status = 1 AND p.status = 1 AND p.date > {today} ORDER BY d.id", [p])]
    t["assistant_cancel"] = [r["id"] for r in q(
        "SELECT d.id FROM diagnosis d JOIN project p ON p.id = d.project_id WHERE d.assistant_user_id = ? "
        f"AND d.user_id != ? AND d.verify_status = 1 AND d.status = 1 AND p.status = 1 AND p.date > {today} ORDER BY d.id",
        [a, p])]
    # Free places per slot of upcoming projects: the patient books where it has no booking, the
    # assistant books its new patients into another project.
    free = {}
    for row in q(f"SELECT id, slot_capacity FROM project WHERE status = 1 AND date > {today} ORDER BY id"):
        capacity = json.loads(row["slot_capacity"])
        used = {r["plan_time"]: r["n"] for r in q(
            "SELECT plan_time, COUNT(*) AS n FROM diagnosis WHERE project_id = ? AND verify_status = 1 GROUP BY plan_time",
            [row["id"]])}
        free[row["id"]] = [slot for slot, n in sorted(capacity.items()) if n - used.get(slot, 0) > 0]
    booked = {r["project_id"] for r in q("SELECT project_id FROM diagnosis WHERE user_id = ? AND verify_status = 1", [p])}
    patient_projects = sorted((pid for pid, slots in free.items() if slots and pid not in booked),
                              key=lambda pid: (-len(free[pid]), pid))
    t["patient_join"] = (patient_projects[0], free[patient_projects[0]][0]) if patient_projects else None
    assistant_projects = sorted((pid for pid, slots in free.items() if len(slots) >= 2 and pid != (t["patient_join"] or (0,))[0]),
                                key=lambda pid: (-len(free[pid]), pid))
    t["assistant_join"] = (assistant_projects[0], free[assistant_projects[0]]) if assistant_projects else None
    doctors = [r["id"] for r in q("SELECT id FROM user WHERE type = 2 ORDER BY id")]
    follows = {(r["user_id"], r["doctor_id"]) for r in q("SELECT user_id, doctor_id FROM follow")}
    t["follow_patient"] = next((x for x in doctors if (p, x) not in follows), doctors[-1])
    t["follow_assistant"] = next((x for x in doctors if (a, x) not in follows), doctors[-1])
    t["chat_patients"] = [p] + [r["id"] for r in q("SELECT id FROM user WHERE type = 1 AND id != ? ORDER BY id LIMIT 1", [p])]
    me = q("SELECT real_name, idno FROM user WHERE id = ?", [a])[0]
    t["assistant_profile"] = {"real_name": me["real_name"], "idno": me["idno"]}
    return t


def id_card_number(rng):
    """An 18-digit ID-card-shaped number, unique enough for one run (never printed)."""
    return "110101" + f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 9999):04d}"


def project_params(text):
    date = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 40 * 86400))
    return {"date": date, "begin": "09:00:00", "end": "11:30:00", "capacity": 8, "longitude": "116.4551",
            "latitude": "39.9289", "address": "朝阳区东三环中路 27 号", "service_targets": ["高血压"],
            "description": text, "price": 0}


class Record:
    """One mutation a writer submitted, and what became of it."""

    __slots__ = ("role", "kind", "params", "meta", "fate", "mutation_id", "created_id", "uploads", "error", "real_id")

    def __init__(self, role, kind, params, meta):
        self.role, self.kind, self.params, self.meta = role, kind, params, meta
        self.fate = None          # acked | committed | not_committed | refused | unsent
        self.mutation_id = None
        self.created_id = None
        self.uploads = []
        self.error = None
        self.real_id = None

    @property
    def committed(self):
        return self.fate in ("acked", "committed")

    def __repr__(self):
        return f"{self.role} {self.kind} #{self.mutation_id} {self.fate}"


class Writer:
    """The only client that writes to one daemon: submits one mutation at a time.

    A reply cut off by the daemon's death is resolved once the daemon is back: the entries after
    the last id this writer knew are exactly the cut-off mutation (and its photo uploads) if it
    was committed, and nothing if it was not.
    """

    def __init__(self, daemon, records, lock=None):
        self.daemon = daemon
        self.records = records
        self.lock = lock
        self.last_id = 0
        self.pending_cutoff = None

    def submit(self, kind, params, meta):
        record = Record(self.daemon.role, kind, params, meta)
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(30)
            sock.connect(self.daemon.socket)
        except OSError:
            # Nothing reached the daemon: not a mutation at all (the caller may send it again).
            record.fate = "unsent"
            return record
        if self.lock:
            with self.lock:
                self.records.append(record)
        else:
            self.records.append(record)
        try:
            with sock:
                result = rpc_call(sock, kind, params, LineReader(sock))
        except RPCFailure as failure:
            # -32031: the disk failed and the daemon cannot tell whether the mutation was saved.
            record.fate = "refused_unknown" if failure.error.get("code") == -32031 else "refused"
            record.error = failure.error
            return record
        except (OSError, ValueError) as error:
            record.fate, record.error = "cutoff", repr(error)
            self.pending_cutoff = record
            return record
        record.fate = "acked"
        record.mutation_id = result["mutation_id"]
        record.created_id = result.get("created_id")
        record.uploads = result.get("uploads", [])
        self.last_id = max([self.last_id, record.mutation_id] + record.uploads)
        return record

    def resolve_cutoff(self):
        """After the daemon is back: was the cut-off mutation committed? Returns the record or None."""
        record, self.pending_cutoff = self.pending_cutoff, None
        if record is None:
            return None
        found = [e for e in self.daemon.entries(after=self.last_id)]
        mine = [e for e in found if e["kind"] == record.kind]
        others = [e for e in found if e["kind"] not in (record.kind, "photo.upload")]
        if others or len(mine) > 1:
            raise RuntimeError(f"{self.daemon.role}: unexpected entries after #{self.last_id}: "
                               f"{[(e['mutation_id'], e['kind']) for e in found]}")
        if mine:
            record.fate, record.mutation_id = "committed", mine[0]["mutation_id"]
            record.uploads = [e["mutation_id"] for e in found if e["kind"] == "photo.upload"]
        else:
            record.fate = "not_committed"
        if found:
            self.last_id = max(e["mutation_id"] for e in found)
        return record

    def wait_final(self, record, timeout=90, stop=None):
        """The state of a committed record's entry once it is applied or rejected (None on timeout
        or once `stop` is set)."""
        def final():
            if stop is not None and stop.is_set():
                return "stopped"
            try:
                entry = self.daemon.call("outbox.get", {"mutation_id": record.mutation_id}, timeout=10)
            except (OSError, ValueError, RPCFailure):
                return None
            return entry["state"] if entry["state"] in ("applied", "rejected", "parked") else None
        return wait_until(final, timeout, 0.1)

    def wait_applied(self, record, timeout=90):
        """The server id of a committed creation, once applied (for a follow-up that lost its temporary id)."""
        def applied():
            try:
                entry = self.daemon.call("outbox.get", {"mutation_id": record.mutation_id}, timeout=10)
            except (OSError, ValueError, RPCFailure):
                return None
            if entry["state"] == "applied" and entry.get("result"):
                return entry["result"].get("id")
            return None
        record.real_id = wait_until(applied, timeout, 0.2)
        return record.real_id


def one_time_plan(role, t, tag, rng):
    """A fixed mixed workload for `role` (the crash sweep's): (kind, (params, meta)) steps, or
    (kind, spec) for a step that names a record made by an earlier one (see `PlanRun`)."""
    ids = t["ids"]
    steps = []
    if role == "doctor":
        token = f"复诊提醒 {tag}-d1"
        steps.append(("chat.send", ({"to_user_id": t["chat_patients"][0], "content": token,
                                      "photos": [{"data": PNG, "content_type": "image/png"}]}, {"token": token, "photo": True})))
        token = f"社区义诊 {tag}-p1"
        steps.append(("project.publish", (project_params(token), {"token": token, "ref": "pub"})))
        if t["mark_done"]:
            target, token = t["mark_done"][0], f"血压平稳 {tag}-r1"
            steps.append(("diagnosis.markDone", ({"diagnosis_id": target}, {"diagnosis": target, "ref": "done"})))
            steps.append(("diagnosis.recordResult", ({"diagnosis_id": target, "result": token},
                                                     {"diagnosis": target, "token": token, "requires": "done"})))
        steps.append(("project.cancel", {"ref": "pub"}))
        if t["rate_patient"]:
            target = t["rate_patient"][0]
            steps.append(("diagnosis.ratePatient", ({"diagnosis_id": target, "honesty": 4, "punctuality": 5},
                                                    {"diagnosis": target, "scores": [4, 5]})))
        token = f"复诊提醒 {tag}-d2"
        steps.append(("chat.send", ({"to_user_id": t["chat_patients"][-1], "content": token}, {"token": token})))
    elif role == "assistant":
        idno = id_card_number(rng)
        steps.append(("patient.create", (
            {"real_name": f"新患者{tag}", "idno": idno, "height": "171", "weight": "70", "marital_status": 1,
             "drink_status": 0, "smoking_status": 0, "password": "secret123"},
            {"idno": idno, "ref": "newpatient"})))
        if t["assistant_join"]:
            steps.append(("booking.joinForPatient", {"ref": "newpatient", "slot": 0}))
        team = f"志愿服务队 {tag}-t1"
        steps.append(("profile.complete", (dict(t["assistant_profile"], team_name=team), {"team": team})))
        steps.append(("doctor.follow", ({"doctor_id": t["follow_assistant"]}, {"doctor": t["follow_assistant"]})))
        if t["assistant_cancel"]:
            target = t["assistant_cancel"][0]
            steps.append(("booking.cancelForPatient", ({"diagnosis_id": target}, {"diagnosis": target})))
        if t["assistant_join"]:
            steps.append(("booking.cancelForPatient", {"ref": "booking"}))
    else:
        token = f"医生您好 {tag}-c1"
        steps.append(("chat.send", ({"to_user_id": ids["doctor"], "content": token}, {"token": token})))
        if t["patient_join"]:
            project, slot = t["patient_join"]
            token = f"头晕两周 {tag}-j1"
            steps.append(("booking.join", ({"project_id": project, "description": token, "slot": slot},
                                           {"token": token, "project": project, "ref": "join"})))
        if t["rate_doctor"]:
            target, token = t["rate_doctor"][0], f"耐心细致 {tag}-s1"
            steps.append(("diagnosis.rateDoctor", ({"diagnosis_id": target, "score": 5, "comment": token},
                                                   {"diagnosis": target, "score": 5, "token": token})))
        if t["patient_cancel"]:
            project, diagnosis = t["patient_cancel"][0]
            steps.append(("booking.cancel", ({"project_id": project}, {"project": project, "diagnosis": diagnosis})))
        steps.append(("doctor.follow", ({"doctor_id": t["follow_patient"]}, {"doctor": t["follow_patient"]})))
        if t["patient_join"]:
            steps.append(("booking.cancel", {"ref": "join"}))
        token = f"医生您好 {tag}-c2"
        steps.append(("chat.send", ({"to_user_id": ids["doctor"], "content": token}, {"token": token})))
    return steps


class PlanRun:
    """Submits a fixed plan in order, and resumes it after its daemon was restarted.

    `run()` stops at a reply that does not come (the daemon died): "down" when the daemon could
    not be reached (that step is sent again later), "cutoff" when the reply was lost (the step
    is done once `Writer.resolve_cutoff` has said whether it was committed). A step may name a
    record made by an earlier one (`ref`: a project to cancel, a patient to book, a booking to
    cancel): it is sent with that record's temporary id when the record was acknowledged, and
    left out otherwise. A step that `requires` an earlier one (a result needs the visit marked
    done first) is left out when that one was not saved, as its user would leave it: the
    upstream refuses it (4009), rightly, and the daemon then reports it `rejected`.
    """

    def __init__(self, writer, steps, t, pause=0.0):
        self.writer, self.steps, self.t, self.pause = writer, steps, t, pause
        self.index = 0
        self.refs = {}
        self.outcome = None

    @property
    def finished(self):
        return self.index >= len(self.steps)

    def resolved(self):
        """After `resolve_cutoff`: the lost step is done, and the lost reply dealt with."""
        self.index += 1
        self.outcome = None

    def run(self):
        while not self.finished:
            kind, make = self.steps[self.index]
            if isinstance(make, dict):
                params, meta = dependent_step(kind, make, self.refs, self.t)
                if params is None:
                    self.index += 1
                    continue
            else:
                params, meta = make
                required = self.refs.get(meta["requires"]) if "requires" in meta else None
                if "requires" in meta and not (required and required.committed):
                    self.index += 1
                    continue
            record = self.writer.submit(kind, params, meta)
            if record.fate == "unsent":
                self.outcome = "down"
                return self.outcome
            if "ref" in meta:
                self.refs[meta["ref"]] = record
            if kind == "booking.joinForPatient":
                self.refs["booking"] = record
            if record.fate == "cutoff":
                self.outcome = "cutoff"
                return self.outcome
            self.index += 1
            if self.pause:
                time.sleep(self.pause)
        self.outcome = "done"
        return self.outcome


def dependent_step(kind, spec, refs, t):
    source = refs.get(spec["ref"])
    if source is None or source.fate != "acked" or (source.created_id is None and source.kind != "booking.join"):
        return None, None
    if kind == "project.cancel":
        return {"project_id": source.created_id}, {"publish": source}
    if kind == "booking.joinForPatient":
        project, slots = t["assistant_join"]
        return ({"project_id": project, "patient_id": source.created_id, "slot": slots[spec["slot"] % len(slots)]},
                {"create": source, "project": project})
    if kind == "booking.cancelForPatient":
        return {"diagnosis_id": source.created_id}, {"join": source}
    if kind == "booking.cancel":
        return {"project_id": source.meta["project"]}, {"join": source, "project": source.meta["project"]}
    raise ValueError(kind)


class LoopWorkload:
    """Endless mixed traffic for one role (the kills and network runs): the one-time steps of the
    demo world first, then repeatable ones at random, follow-ups made even when a reply was lost."""

    def __init__(self, role, t, tag, rng):
        self.role, self.t, self.tag, self.rng = role, t, tag, rng
        self.counter = 0
        self.published = []     # acknowledged publishes not yet cancelled
        self.follow_next = "doctor.follow"
        self.slot_index = 0
        self.last_cancel = None

    def token(self, prefix):
        self.counter += 1
        return f"{prefix} {self.tag}-{self.role[0]}{self.counter}"

    def run(self, writer, stop, rate, wait_back):
        """Submits until `stop` is set, about `rate` mutations a second. `wait_back()` blocks until
        the daemon is back after a lost reply (False: give up)."""
        self.stop = stop
        first = one_time_plan(self.role, self.t, self.tag + "-once", self.rng)
        first = [(k, m) for k, m in first if k in ONE_TIME_KINDS and isinstance(m, tuple)]
        for kind, (params, meta) in first:
            if stop.is_set():
                return
            record = writer.submit(kind, params, meta)
            if not self.settle(writer, record, wait_back):
                return
            stop.wait(self.rng.expovariate(rate))
        while not stop.is_set():
            for kind, params, meta in self.next_steps(writer):
                # A step that did not reach the daemon (it was down) is sent again once it is back.
                record = writer.submit(kind, params, meta)
                while record.fate == "unsent":
                    if stop.is_set() or not wait_back():
                        return
                    record = writer.submit(kind, params, meta)
                if not self.settle(writer, record, wait_back):
                    return
                # A cancellation whose reply was lost and that was not committed is made again,
                # as its user would (else the booking stays and the next one is refused).
                while meta.get("retry") and (record.fate == "not_committed" or (
                        record.fate == "refused" and (record.error.get("data") or {}).get("retryable"))):
                    if record.fate == "refused" and stop.wait(0.2):
                        return
                    record = writer.submit(kind, params, meta)
                    while record.fate == "unsent":
                        if stop.is_set() or not wait_back():
                            return
                        record = writer.submit(kind, params, meta)
                    if not self.settle(writer, record, wait_back):
                        return
                if record.committed and "followup" in meta:
                    meta["followup"](record)
                if not record.committed and meta.get("chain_breaks"):
                    break
            stop.wait(self.rng.expovariate(rate))

    @staticmethod
    def settle(writer, record, wait_back):
        """After a lost reply: waits for the daemon and learns whether the mutation was committed
        (again if the daemon is killed meanwhile). False when the daemon does not come back."""
        if record.fate not in ("cutoff", "unsent"):
            return True
        for _ in range(20):
            if not wait_back():
                return False
            if record.fate != "cutoff":
                return True
            try:
                writer.resolve_cutoff()
                return True
            except (OSError, ValueError):
                writer.pending_cutoff = record
        return False

    def next_steps(self, writer):
        """One step, or a creation and what depends on it, as (kind, params, meta) tuples made lazily."""
        rng, t = self.rng, self.t
        choice = rng.random()
        if self.role == "doctor":
            if choice < 0.45:
                token = self.token("复诊提醒")
                params = {"to_user_id": rng.choice(t["chat_patients"]), "content": token}
                meta = {"token": token}
                if rng.random() < 0.1:
                    params["photos"] = [{"data": PNG, "content_type": "image/png"}]
                    meta["photo"] = True
                yield "chat.send", params, meta
            elif choice < 0.65:
                token = self.token("社区义诊")
                cancel = rng.random() < 0.5
                holder = {}
                yield "project.publish", project_params(token), {"token": token, "chain_breaks": True,
                                                                 "followup": lambda r: holder.setdefault("r", r)}
                record = holder.get("r")
                if cancel and record is not None:
                    project = record.created_id if record.fate == "acked" else writer.wait_applied(record)
                    if project is not None:
                        yield "project.cancel", {"project_id": project}, {"publish": record, "retry": True}
            elif t["seen"]:
                target = rng.choice(t["seen"])
                token = self.token("血压平稳")
                yield "diagnosis.recordResult", {"diagnosis_id": target, "result": token}, {"diagnosis": target, "token": token}
        elif self.role == "assistant":
            if choice < 0.6 and t["assistant_join"]:
                # One booking of a new patient at a time, so that the project's places last: the
                # previous one's cancellation must be applied first (it is in another chain).
                if self.last_cancel is not None and writer.wait_final(self.last_cancel, stop=self.stop) != "applied":
                    return
                idno = id_card_number(rng)
                holder = {}
                yield "patient.create", {
                    "real_name": f"新患者{self.token('')}".replace(" ", ""), "idno": idno, "height": "171", "weight": "70",
                    "marital_status": 1, "drink_status": 0, "smoking_status": 0, "password": "secret123"}, {
                    "idno": idno, "chain_breaks": True, "followup": lambda r: holder.__setitem__("create", r)}
                create = holder.get("create")
                if create is None:
                    return
                patient = create.created_id if create.fate == "acked" else writer.wait_applied(create)
                if patient is None:
                    return
                project, slots = t["assistant_join"]
                slot = slots[self.slot_index % len(slots)]
                self.slot_index += 1
                yield "booking.joinForPatient", {"project_id": project, "patient_id": patient, "slot": slot}, {
                    "create": create, "project": project, "chain_breaks": True,
                    "followup": lambda r: holder.__setitem__("join", r)}
                join = holder.get("join")
                if join is None:
                    return
                booking = join.created_id if join.fate == "acked" else writer.wait_applied(join)
                if booking is not None:
                    yield "booking.cancelForPatient", {"diagnosis_id": booking}, {
                        "join": join, "retry": True, "followup": lambda r: setattr(self, "last_cancel", r)}
            elif choice < 0.8:
                team = self.token("志愿服务队")
                yield "profile.complete", dict(t["assistant_profile"], team_name=team), {"team": team}
            else:
                kind, self.follow_next = self.follow_next, ("doctor.unfollow" if self.follow_next == "doctor.follow" else "doctor.follow")
                yield kind, {"doctor_id": t["follow_assistant"]}, {"doctor": t["follow_assistant"]}
        else:
            if choice < 0.5:
                token = self.token("医生您好")
                yield "chat.send", {"to_user_id": t["ids"]["doctor"], "content": token}, {"token": token}
            elif choice < 0.85 and t["patient_join"]:
                project, slot = t["patient_join"]
                token = self.token("头晕两周")
                holder = {}
                yield "booking.join", {"project_id": project, "description": token, "slot": slot}, {
                    "token": token, "project": project, "chain_breaks": True, "followup": lambda r: holder.__setitem__("join", r)}
                join = holder.get("join")
                if join is not None:
                    yield "booking.cancel", {"project_id": project}, {"join": join, "project": project, "retry": True}
            else:
                kind, self.follow_next = self.follow_next, ("doctor.unfollow" if self.follow_next == "doctor.follow" else "doctor.follow")
                yield kind, {"doctor_id": t["follow_patient"]}, {"doctor": t["follow_patient"]}


# The steps of the fixed plan that the loop workload makes once, at its start.
ONE_TIME_KINDS = {"diagnosis.markDone", "diagnosis.ratePatient", "diagnosis.rateDoctor", "booking.cancel",
                  "booking.cancelForPatient"}


# -- draining and checking ---------------------------------------------------------------------

def drain(world, records, timeout=120, roles=ROLES):
    """Until no daemon has an unfinished entry and every committed record's entry is final.

    Returns (seconds, problems): problems name parked or rejected entries or a timeout."""
    started = time.monotonic()
    wanted = {}
    for record in records:
        if record.committed:
            wanted.setdefault(record.role, set()).update([record.mutation_id] + list(record.uploads))
    last_wake = 0
    problems = []

    def drained():
        nonlocal last_wake
        if time.monotonic() - last_wake > 5:
            for role in roles:
                try:
                    world.daemons[role].call("sync.now", {"tiers": ["hot"]}, timeout=10)
                except (OSError, ValueError, RPCFailure):
                    pass
            last_wake = time.monotonic()
        for role in roles:
            try:
                counts = world.daemons[role].status()["outbox"]
            except (OSError, ValueError, RPCFailure):
                return False
            if counts.get("parked") or counts.get("rejected"):
                return "stuck"
            if any(counts.get(state, 0) for state in ("queued", "in_flight", "unknown")):
                return False
            if wanted.get(role):
                have = {e["mutation_id"] for e in world.daemons[role].entries()}
                if not wanted[role] <= have:
                    return False
        return True
    outcome = wait_until(drained, timeout, 0.2)
    if outcome != True:  # noqa: E712 - "stuck" is true too
        for role in roles:
            try:
                counts = world.daemons[role].status()["outbox"]
            except (OSError, ValueError, RPCFailure) as error:
                counts = repr(error)
            problems.append(f"{role}'s outbox did not drain: {counts}")
    return time.monotonic() - started, problems


def snapshot(upstream):
    """What the checks compare against: table sizes and the rows that state changes touch."""
    q = upstream.query
    counts = {table: upstream.value(f"SELECT COUNT(*) FROM {table}")
              for table in ("chat_message", "project", "casebook", "diagnosis", "user", "assistant_patient", "upload")}
    diagnoses = {r["id"]: r for r in q(
        "SELECT id, status, verify_status, diag_result, patient_credit_score, patient_punctuality_score, doctor_score, "
        "doctor_comment FROM diagnosis")}
    follows = {(r["user_id"], r["doctor_id"]) for r in q("SELECT user_id, doctor_id FROM follow")}
    teams = {r["id"]: r["team_name"] for r in q("SELECT id, team_name FROM user WHERE type = 3")}
    return {"counts": counts, "diagnoses": diagnoses, "follows": follows, "teams": teams}


def fingerprint(upstream):
    """The upstream's state that mutations change, to show that a further run changes nothing."""
    q = upstream.query
    parts = [
        q("SELECT id, content, photo FROM chat_message ORDER BY id"),
        q("SELECT id, status, abstract FROM project ORDER BY id"),
        q("SELECT id, status, verify_status, diag_result, diag_photo, patient_credit_score, patient_punctuality_score, "
          "doctor_score, doctor_comment FROM diagnosis ORDER BY id"),
        q("SELECT id, content FROM casebook ORDER BY id"),
        q("SELECT id, real_name, team_name FROM user ORDER BY id"),
        q("SELECT user_id, doctor_id FROM follow ORDER BY user_id, doctor_id"),
        q("SELECT assistant_id, patient_id FROM assistant_patient ORDER BY assistant_id, patient_id"),
        q("SELECT id, org_id, doctor_id FROM org_member ORDER BY id"),
        q("SELECT COUNT(*) AS n FROM upload"),
    ]
    return json.dumps(parts, sort_keys=True, ensure_ascii=False)


class Tally:
    """Figures of a check: mutations by fate and kind, effects checked, lost, doubled, strays."""

    def __init__(self):
        self.fates = {}
        self.kinds = {}
        self.effects = 0
        self.lost = 0
        self.doubled = 0
        self.strays = 0

    def add(self, other):
        for name in ("fates", "kinds"):
            for key, value in getattr(other, name).items():
                getattr(self, name)[key] = getattr(self, name).get(key, 0) + value
        for name in ("effects", "lost", "doubled", "strays"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def mutations(self):
        return sum(self.fates.values())

    def describe(self):
        fates = ", ".join(f"{k} {v}" for k, v in sorted(self.fates.items()))
        return (f"{self.mutations} mutations ({fates}); {self.effects} effects checked upstream: "
                f"lost {self.lost}, doubled {self.doubled}, strays {self.strays}")


def check_upstream(world, records, before, fail, uncertain_fates=("refused_unknown",)):
    """Counts every record's effect upstream (see the module's docstring); calls `fail(message)`
    for each discrepancy and returns a Tally. `before` is `snapshot()` from before the records."""
    q = world.upstream.query
    tally = Tally()
    ids = world.ids
    for record in records:
        tally.fates[record.fate] = tally.fates.get(record.fate, 0) + 1
        tally.kinds[record.kind] = tally.kinds.get(record.kind, 0) + 1

    def expect_count(record, found, what):
        tally.effects += 1
        if record.fate in uncertain_fates:
            if found > 1:
                tally.doubled += 1
                fail(f"{record!r}: {what} is upstream {found} times (at most once allowed)")
            return
        want = 1 if record.committed else 0
        if found > want:
            if want:
                tally.doubled += 1
            else:
                tally.strays += 1
            fail(f"{record!r}: {what} is upstream {found} times, want {want}")
        elif found < want:
            tally.lost += 1
            fail(f"{record!r}: {what} is not upstream")

    creations = {"chat.send": 0, "project.publish": 0, "booking": 0, "patient.create": 0}
    last = {}   # (kind group, target) -> last committed record, by mutation order per daemon
    for record in records:
        kind, meta = record.kind, record.meta
        if record.committed:
            if kind == "chat.send":
                creations["chat.send"] += 1
            elif kind == "project.publish":
                creations["project.publish"] += 1
            elif kind in ("booking.join", "booking.joinForPatient"):
                creations["booking"] += 1
            elif kind == "patient.create":
                creations["patient.create"] += 1
        if kind == "chat.send":
            found = world.upstream.value(
                "SELECT COUNT(*) FROM chat_message WHERE from_user_id = ? AND content = ?", [ids[record.role], meta["token"]])
            expect_count(record, found, "the message")
            if meta.get("photo") and record.committed and found == 1:
                photo = world.upstream.value("SELECT photo FROM chat_message WHERE content = ?", [meta["token"]]) or ""
                if "/uploads/" not in photo:
                    tally.lost += 1
                    fail(f"{record!r}: the message's photo is not an upload: {photo!r}")
        elif kind == "project.publish":
            found = world.upstream.value("SELECT COUNT(*) FROM project WHERE doctor_id = ? AND abstract = ?",
                                         [ids["doctor"], meta["token"]])
            expect_count(record, found, "the project")
        elif kind == "booking.join":
            found = world.upstream.value("SELECT COUNT(*) FROM casebook WHERE user_id = ? AND content = ?",
                                         [ids["patient"], meta["token"]])
            expect_count(record, found, "the booking")
        elif kind == "patient.create":
            found = world.upstream.value("SELECT COUNT(*) FROM user WHERE idno = ? AND type = 1", [meta["idno"]])
            expect_count(record, found, "the patient")
            if record.committed and found == 1:
                bound = world.upstream.value(
                    "SELECT COUNT(*) FROM assistant_patient WHERE assistant_id = ? AND patient_id = "
                    "(SELECT id FROM user WHERE idno = ? AND type = 1)", [ids["assistant"], meta["idno"]])
                if bound != 1:
                    tally.lost += 1
                    fail(f"{record!r}: the new patient is not the assistant's")
        elif kind == "booking.joinForPatient":
            found = world.upstream.value(
                "SELECT COUNT(*) FROM diagnosis WHERE project_id = ? AND assistant_user_id = ? AND user_id = "
                "(SELECT id FROM user WHERE idno = ? AND type = 1)",
                [meta["project"], ids["assistant"], meta["create"].meta["idno"]])
            expect_count(record, found, "the booking")
        if kind in ("project.cancel", "booking.cancel", "booking.cancelForPatient", "diagnosis.markDone",
                    "diagnosis.recordResult", "diagnosis.ratePatient", "diagnosis.rateDoctor", "profile.complete",
                    "doctor.follow", "doctor.unfollow") and record.committed:
            key = state_key(record)
            previous = last.get(key)
            if previous is None or previous.mutation_id < record.mutation_id:
                last[key] = record

    # State changes: the last committed one stands; where none was committed, nothing changed.
    touched = {}
    for record in records:
        if record.kind in ("project.cancel", "booking.cancel", "booking.cancelForPatient", "diagnosis.markDone",
                           "diagnosis.recordResult", "diagnosis.ratePatient", "diagnosis.rateDoctor", "profile.complete",
                           "doctor.follow", "doctor.unfollow"):
            touched.setdefault(state_key(record), []).append(record)
    for key, group in touched.items():
        tally.effects += 1
        winner = last.get(key)
        problem = state_problem(world, key, winner, group, before)
        if problem:
            tally.lost += 1
            fail(problem)

    # Table growth: exactly the committed creations, so that no untagged duplicate hides.
    after = {table: world.upstream.value(f"SELECT COUNT(*) FROM {table}") for table in before["counts"]}
    growth = {table: after[table] - before["counts"][table] for table in after}
    expected = {"chat_message": creations["chat.send"], "project": creations["project.publish"],
                "casebook": creations["booking"], "diagnosis": creations["booking"],
                "user": creations["patient.create"], "assistant_patient": creations["patient.create"]}
    uncertain = sum(1 for r in records if r.fate in uncertain_fates)
    for table, want in expected.items():
        tally.effects += 1
        got = growth[table]
        if not want <= got <= want + uncertain:
            if got > want:
                tally.doubled += got - want
            else:
                tally.lost += want - got
            fail(f"the upstream's {table} grew by {got}, want {want}")
    return tally


def state_key(record):
    meta = record.meta
    if record.kind == "project.cancel":
        return ("project", meta["publish"].meta["token"])
    if record.kind == "booking.cancel":
        return ("booking", meta["join"].meta["token"]) if "join" in meta else ("diagnosis-cancel", meta["diagnosis"])
    if record.kind == "booking.cancelForPatient":
        return ("new-booking", meta["join"].meta["create"].meta["idno"], meta["join"].meta["project"]) if "join" in meta \
            else ("diagnosis-cancel", meta["diagnosis"])
    if record.kind == "diagnosis.markDone":
        return ("done", meta["diagnosis"])
    if record.kind == "diagnosis.recordResult":
        return ("result", meta["diagnosis"])
    if record.kind == "diagnosis.ratePatient":
        return ("rate-patient", meta["diagnosis"])
    if record.kind == "diagnosis.rateDoctor":
        return ("rate-doctor", meta["diagnosis"])
    if record.kind == "profile.complete":
        return ("team", record.role)
    return ("follow", record.role, meta["doctor"])


def state_problem(world, key, winner, group, before):
    """None when the upstream shows what the last committed mutation of `group` left (or, with
    none committed, what was there before); otherwise what is wrong."""
    q = world.upstream.query
    ids = world.ids
    kind = key[0]
    label = f"{group[-1]!r} ({len(group)} of this kind and target, last committed #{winner.mutation_id if winner else None})"
    if kind == "project":
        publish = group[0].meta["publish"]
        rows = q("SELECT status FROM project WHERE abstract = ?", [key[1]])
        if not publish.committed:
            return None if not rows else f"{label}: a project that was never committed is upstream"
        want = 0 if winner else 1
        return None if [r["status"] for r in rows] == [want] else f"{label}: project statuses {rows}, want [{want}]"
    if kind == "booking":
        join = group[0].meta["join"]
        rows = q("SELECT d.verify_status FROM diagnosis d JOIN casebook c ON c.id = d.casebook_id WHERE c.content = ?", [key[1]])
        if not join.committed:
            return None if not rows else f"{label}: a booking never committed is upstream"
        want = 3 if winner else 1
        return None if [r["verify_status"] for r in rows] == [want] else f"{label}: verify_status {rows}, want [{want}]"
    if kind == "new-booking":
        join = group[0].meta["join"]
        rows = q("SELECT verify_status FROM diagnosis WHERE project_id = ? AND user_id = (SELECT id FROM user WHERE idno = ? AND type = 1)",
                 [key[2], key[1]])
        if not join.committed:
            return None if not rows else f"{label}: a booking never committed is upstream"
        want = 3 if winner else 1
        return None if [r["verify_status"] for r in rows] == [want] else f"{label}: verify_status {rows}, want [{want}]"
    if kind in ("diagnosis-cancel", "done", "result", "rate-patient", "rate-doctor"):
        target = key[1]
        row = q("SELECT status, verify_status, diag_result, patient_credit_score, patient_punctuality_score, doctor_score, "
                "doctor_comment FROM diagnosis WHERE id = ?", [target])[0]
        old = before["diagnoses"][target]
        if kind == "diagnosis-cancel":
            want = {"verify_status": 3 if winner else old["verify_status"]}
        elif kind == "done":
            want = {"status": 3 if winner else old["status"]}
        elif kind == "result":
            want = {"diag_result": winner.meta["token"] if winner else old["diag_result"]}
        elif kind == "rate-patient":
            scores = winner.meta["scores"] if winner else [old["patient_credit_score"], old["patient_punctuality_score"]]
            want = {"patient_credit_score": scores[0], "patient_punctuality_score": scores[1]}
        else:
            want = {"doctor_score": winner.meta["score"] if winner else old["doctor_score"],
                    "doctor_comment": winner.meta["token"] if winner else old["doctor_comment"]}
        wrong = {k: row[k] for k, v in want.items() if row[k] != v}
        return None if not wrong else f"{label}: diagnosis {target} has {wrong}, want {want}"
    if kind == "team":
        team = world.upstream.value("SELECT team_name FROM user WHERE id = ?", [ids["assistant"]])
        want = winner.meta["team"] if winner else before["teams"][ids["assistant"]]
        return None if team == want else f"{label}: team {team!r}, want {want!r}"
    if kind == "follow":
        user = ids[key[1]]
        exists = bool(world.upstream.value("SELECT COUNT(*) FROM follow WHERE user_id = ? AND doctor_id = ?", [user, key[2]]))
        want = (winner.kind == "doctor.follow") if winner else ((user, key[2]) in before["follows"])
        return None if exists == want else f"{label}: following {key[2]} is {exists}, want {want}"
    return f"{label}: no check for {key}"


def check_outboxes(world, records, fail, roles=ROLES):
    """Every committed record's entry is `applied`; no entry unfinished or rejected; no entry the
    writers do not know (a cut-off resolved wrongly). Returns the number of entries read."""
    known = {}
    for record in records:
        if record.committed:
            known.setdefault(record.role, {})[record.mutation_id] = record
            for upload in record.uploads:
                known[record.role][upload] = record
    total = 0
    for role in roles:
        entries = world.daemons[role].entries()
        total += len(entries)
        maybe = {r.kind for r in records if r.role == role and r.fate == "refused_unknown"}
        for entry in entries:
            record = known.get(role, {}).get(entry["mutation_id"])
            if record is None and entry["kind"] in maybe:
                print(f"  note: {role}: entry #{entry['mutation_id']} {entry['kind']} ({entry['state']}) is a mutation "
                      f"refused with -32031 (may have been saved) that was saved", flush=True)
            elif record is None:
                fail(f"{role}: entry #{entry['mutation_id']} {entry['kind']} ({entry['state']}) belongs to no committed mutation")
            elif entry["state"] != "applied":
                fail(f"{role}: {record!r} ended {entry['state']}: {entry.get('last_error')} "
                     f"{entry.get('upstream_error_code')} {entry.get('upstream_error_message')}")
        missing = set(known.get(role, {})) - {e["mutation_id"] for e in entries}
        if missing:
            fail(f"{role}: committed entries missing from the outbox: {sorted(missing)}")
    return total


def wait_pulled(world, roles=ROLES, timeout=60):
    """Asks every daemon for a full pull and waits until each of its lists was pulled completely
    after the request (stamps have whole seconds: the request is repeated until they move past)."""
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(time.time()) + 1))
    asked = {}

    def pulled():
        done = True
        for role in roles:
            try:
                if time.monotonic() - asked.get(role, 0) > 2:
                    world.daemons[role].call("sync.now", {})
                    asked[role] = time.monotonic()
                pulls = world.daemons[role].status().get("last_pulls") or {}
            except (OSError, ValueError, RPCFailure):
                return False
            if not pulls or any(stamp < since for stamp in pulls.values()):
                done = False
        return done
    return wait_until(pulled, timeout, 0.2)


def mirror_matches_upstream(world, fail, roles=ROLES):
    """Each daemon's socket reads against vdapi's HTTP answers for the same account: lists compared
    by id and the fields that mutations change. Returns the number of records compared."""
    if not wait_pulled(world, roles):
        fail("the daemons did not finish a full pull within 60 s")
        return 0
    compared = 0

    def local(role, method, params=None):
        items, offset = [], 0
        while True:
            page = world.daemons[role].call(method, dict(params or {}, limit=500, offset=offset))
            items += page["items"]
            if len(items) >= page["total"] or not page["items"]:
                return items
            offset = len(items)

    def same_form(value):
        # One form per value, as the mirror's canonical JSON has it: a quirks server writes
        # numbers as text, and "" or null for no value.
        if isinstance(value, tuple):
            return tuple(same_form(v) for v in value)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return str(int(value))
        return str(value)

    def compare(role, name, mine, theirs):
        nonlocal compared
        mine = {same_form(k): same_form(v) for k, v in mine.items()}
        theirs = {same_form(k): same_form(v) for k, v in theirs.items()}
        compared += len(theirs)
        if mine != theirs:
            only_mine = {k: v for k, v in mine.items() if theirs.get(k) != v}
            only_theirs = {k: v for k, v in theirs.items() if mine.get(k) != v}
            fail(f"{role}'s mirror differs from the upstream in {name}: mirror {dict(list(only_mine.items())[:5])}, "
                 f"upstream {dict(list(only_theirs.items())[:5])}")

    for role in roles:
        items = []
        up = world.upstream
        if role == "doctor":
            items = local(role, "projects.list", {"scope": "mine"})
            compare(role, "projects", {i["id"]: (i["record"].get("status"), i["record"].get("abstract")) for i in items},
                    {r["id"]: (r.get("status"), r.get("abstract")) for r in up.api(role, "GET", "/doctor/project")["list"]})
        if role in ("doctor", "patient"):
            dialogs = local(role, "dialogs.list")
            items += dialogs
            compare(role, "dialogs", {i["id"]: str(i["record"].get("last_msg_id")) for i in dialogs},
                    {r["id"]: str(r.get("last_msg_id")) for r in up.api_all(role, "/chat")})
        if role == "patient":
            diagnoses = local(role, "diagnoses.list")
            items += diagnoses
            theirs = {}
            for kind in (1, 2, 3, 4):
                for r in up.api_all(role, f"/custom/diagnoses?type={kind}"):
                    theirs[r["id"]] = (r.get("status"), r.get("verify_status"))
            compare(role, "diagnoses", {i["id"]: (i["record"].get("status"), i["record"].get("verify_status")) for i in diagnoses},
                    theirs)
        if role == "assistant":
            patients = local(role, "patients.list")
            items += patients
            compare(role, "patients", {i["id"]: i["record"].get("real_name") for i in patients},
                    {r["id"]: r.get("real_name") for r in up.api_all(role, "/assistant/patient")})
        if role in ("assistant", "patient"):
            follows = local(role, "follows.list")
            items += follows
            path = "/assistant/follow" if role == "assistant" else "/custom/follow"
            compare(role, "follows", {i["id"]: True for i in follows}, {r["id"]: True for r in up.api_all(role, path)})
        profile = world.daemons[role].call("profile.get")
        theirs = up.api(role, "GET", "/user")
        field = "team_name" if role == "assistant" else "real_name"
        compare(role, "profile", {field: profile["record"].get(field)}, {field: theirs.get(field)})
        pending = [i["id"] for i in items if i.get("pending")]
        if pending:
            fail(f"{role}'s mirror still marks records pending after the drain: {pending[:10]}")
    return compared


def second_run(world, fail, roles=ROLES):
    """Stops the daemons, starts them again on the same state, lets each pull and drain: nothing
    may change upstream and no entry may change state."""
    before = fingerprint(world.upstream)
    states = {role: {e["mutation_id"]: e["state"] for e in world.daemons[role].entries()} for role in roles}
    for role in roles:
        code = world.daemons[role].stop()
        if code != 0:
            fail(f"{role}'s vdsyncd exited {code} on SIGTERM: {world.daemons[role].tail()}")
    for role in roles:
        world.daemons[role].start(wait=False)
    for role in roles:
        if not world.daemons[role].wait_ready(60):
            fail(f"{role}'s vdsyncd did not come back: {world.daemons[role].tail()}")
            return False
    if not wait_pulled(world, roles):
        fail("the second run did not finish a full pull")
    _, problems = drain(world, [], timeout=30, roles=roles)
    for problem in problems:
        fail("second run: " + problem)
    after = fingerprint(world.upstream)
    if after != before:
        fail("the second run changed the upstream")
    for role in roles:
        now = {e["mutation_id"]: e["state"] for e in world.daemons[role].entries()}
        if now != states[role]:
            fail(f"{role}: the second run changed the outbox: {states[role]} -> {now}")
    return after == before


def redact(text):
    """No phone numbers, ID-card numbers or tokens in a printed line."""
    text = re.sub(r"\b1[0-9]{10}\b", "1**********", str(text))
    return re.sub(r"\b[0-9]{15,18}[0-9Xx]?\b", "<idno>", text)
