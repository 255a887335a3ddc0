#!/usr/bin/env python3
"""bench/kiosk.py BIN_DIR [--quick] [--build debug|release] [options]

How fast vdkiosk's screens render from the mirror (the kiosk issue's target: p95 < 100 ms on the
`scale:1000` world), beside the same socket reads made directly. BIN_DIR holds vdapi, vdsyncd
and vdkiosk (bench/run passes its own build's directory).

For each role in turn (doctor, patient, assistant) it starts vdsyncd logged in as that role's
heaviest account of the world, waits until the first full pull is done and the mirror is
quiet, starts vdkiosk on that socket, opens a session with the start-up token, and for each of
the role's heaviest screens: a warm-up, then N sequential GETs on one kept-alive connection,
each timed from the request to the last byte of the page; then the very calls the screen makes
(same methods, params and order; checked against vdsyncd's per-method counters) sent by a
minimal client on one kept-open connection to the socket, each reply read and parsed, timed
per screen. One client at a time: no concurrency.

Writes bench/results/kiosk.{json,md} (--quick: kiosk-quick.{json,md}) and prints the table.
Figures are reported, never asserted: the exit status says only whether the bench ran.
Standard library only.
"""

import argparse
import datetime
import hashlib
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "scale123"  # every scale account's (Sources/ReferenceServer/Seed/ScaleSeed.swift)
SEED_NUMBER = 7  # the number vdbench seeds its worlds with, so both share bench/.cache
TARGET_MS = 100.0


class BenchError(Exception):
    pass


# -- children ---------------------------------------------------------------------------------

class Children:
    """Every process the bench starts, stopped with SIGTERM (then SIGKILL) whatever happens."""

    def __init__(self, work):
        self.work = work
        self.running = []

    def start(self, name, args, env=None, stdout_file=True):
        out = open(os.path.join(self.work, name + ".out"), "wb")
        err = open(os.path.join(self.work, name + ".err"), "wb")
        proc = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=self.work)
        proc.bench_name = name
        self.running.append(proc)
        return proc

    def wait_line(self, proc, pattern, timeout):
        path = os.path.join(self.work, proc.bench_name + ".out")
        deadline = time.time() + timeout
        regex = re.compile(pattern, re.M)
        while time.time() < deadline:
            with open(path, "r", errors="replace") as f:
                match = regex.search(f.read())
            if match:
                return match
            if proc.poll() is not None:
                raise BenchError(f"{proc.bench_name} exited ({proc.returncode}): {self.tail(proc)}")
            time.sleep(0.05)
        raise BenchError(f"{proc.bench_name} printed no /{pattern}/ within {timeout} s: {self.tail(proc)}")

    def tail(self, proc, lines=15):
        try:
            with open(os.path.join(self.work, proc.bench_name + ".err"), "r", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def stop(self, proc):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc in self.running:
            self.running.remove(proc)

    def stop_all(self):
        for proc in reversed(list(self.running)):
            self.stop(proc)


# -- the world --------------------------------------------------------------------------------

def server_day():
    """Today in the server's time zone (Beijing), as the seed dates its worlds."""
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).strftime("%Y-%m-%d")


def copy_database(source, target):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    with dst:
        src.backup(dst)
    dst.close()
    src.close()


def cached_world(children, bin_dir, scale):
    """The scale world from bench/.cache (the file vdbench uses), seeded first when absent."""
    cache = os.path.join(ROOT, "bench", ".cache")
    os.makedirs(cache, exist_ok=True)
    name = f"scale-{scale}-seed{SEED_NUMBER}-{server_day()}.sqlite"
    cached = os.path.join(cache, name)
    if os.path.exists(cached):
        return cached, None
    for old in os.listdir(cache):
        if old.startswith(f"scale-{scale}-seed{SEED_NUMBER}-"):
            os.remove(os.path.join(cache, old))
    building = os.path.join(children.work, "seeding.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(building + suffix):
            os.remove(building + suffix)
    started = time.time()
    seeder = children.start("vdapi-seed", [os.path.join(bin_dir, "vdapi"), "--database", building, "--seed", f"scale:{scale}",
                                           "--seed-number", str(SEED_NUMBER), "--port", "0", "--log-level", "warning"])
    children.wait_line(seeder, r"^vdapi listening on", 600)
    seconds = time.time() - started
    children.stop(seeder)
    copy_database(building, cached + ".part")
    os.replace(cached + ".part", cached)
    return cached, seconds


class Upstream:
    def __init__(self, children, bin_dir, world):
        self.database = os.path.join(children.work, "vdapi.sqlite")
        copy_database(world, self.database)
        self.proc = children.start("vdapi", [os.path.join(bin_dir, "vdapi"), "--database", self.database, "--port", "0",
                                              "--admin-port", "0", "--log-level", "warning"])
        match = children.wait_line(self.proc, r"^vdapi listening on (http://[0-9.:]+) \(admin (http://[0-9.:]+)\)", 120)
        self.url, self.admin = match.group(1), match.group(2)

    def query(self, sql, arguments=None):
        body = json.dumps({"sql": sql, "arguments": arguments or []}).encode()
        request = urllib.request.Request(self.admin + "/admin/query", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def one(self, sql, arguments=None):
        rows = self.query(sql, arguments)
        if not rows:
            raise BenchError(f"no row for {sql.split()[:12]}")
        return rows[0]


def choose_accounts(upstream, day):
    """The heaviest account of each role and the records its screens show."""
    # The doctor whose clinics from today on hold the most bookings; their fullest such clinic;
    # in it, the booking whose patient has the most visits (the patient page lists them).
    doctor = upstream.one(
        """SELECT u.id AS id, u.phone AS phone, COUNT(d.id) AS bookings
           FROM project p JOIN user u ON u.id = p.doctor_id JOIN diagnosis d ON d.project_id = p.id
           WHERE p.status = 1 AND p.date >= ? GROUP BY u.id ORDER BY bookings DESC, u.id LIMIT 1""", [day])
    clinic = upstream.one(
        """SELECT p.id AS id, p.date AS date, (SELECT COUNT(*) FROM diagnosis d WHERE d.project_id = p.id) AS bookings
           FROM project p WHERE p.doctor_id = ? AND p.status = 1 AND p.date >= ? ORDER BY bookings DESC, p.id LIMIT 1""",
        [doctor["id"], day])
    booking = upstream.one(
        """SELECT d.id AS id, d.user_id AS patient, (SELECT COUNT(*) FROM diagnosis v WHERE v.user_id = d.user_id) AS visits
           FROM diagnosis d WHERE d.project_id = ? ORDER BY visits DESC, d.id LIMIT 1""", [clinic["id"]])
    doctor_projects = upstream.one("SELECT COUNT(*) AS n FROM project WHERE doctor_id = ?", [doctor["id"]])["n"]
    # The patient: every patient's home lists the same open clinics; the first, as vdbench's.
    patient = upstream.one("SELECT id, phone FROM user WHERE phone = '13900000001'")
    # The assistant with the most bookings, and the clinic where they booked the most.
    assistant = upstream.one(
        """SELECT u.id AS id, u.phone AS phone, COUNT(d.id) AS bookings FROM diagnosis d JOIN user u ON u.id = d.assistant_user_id
           GROUP BY u.id ORDER BY bookings DESC, u.id LIMIT 1""")
    assistant_clinic = upstream.one(
        """SELECT d.project_id AS id, COUNT(*) AS bookings FROM diagnosis d JOIN project p ON p.id = d.project_id
           WHERE d.assistant_user_id = ? AND p.date >= ? GROUP BY d.project_id ORDER BY bookings DESC, d.project_id LIMIT 1""",
        [assistant["id"], day])
    return {
        "doctor": {"phone": doctor["phone"], "user_id": doctor["id"], "bookings_from_today": doctor["bookings"],
                   "projects": doctor_projects, "clinic": clinic, "booking": booking},
        "patient": {"phone": patient["phone"], "user_id": patient["id"]},
        "assistant": {"phone": assistant["phone"], "user_id": assistant["id"], "bookings": assistant["bookings"],
                      "clinic": assistant_clinic},
    }


# -- the screens and their calls ----------------------------------------------------------------
#
# What each screen reads through the socket, in order, as Sources/Kiosk/Screens/*.swift make
# the calls (Screens.show calls `status` first, then the screen's own reads). The bench checks
# each list against vdsyncd's per-method request counters (one GET, metrics.get before and
# after) and marks a screen whose calls differ, so a change to a screen cannot go unnoticed.

def screens_for(role, accounts, today):
    if role == "doctor":
        doctor = accounts["doctor"]
        clinic, booking = doctor["clinic"]["id"], doctor["booking"]
        return [
            ("doctor home", "/doctor", [
                ("status", None),
                ("projects.list", {"scope": "mine", "from_date": today, "status": 1, "limit": 200}),
            ]),
            (f"doctor clinic ({doctor['clinic']['bookings']} bookings)", f"/doctor/clinics/{clinic}", [
                ("status", None),
                ("projects.get", {"project_id": clinic}),
                ("projects.patients", {"project_id": clinic, "limit": 500}),
            ]),
            (f"patient page ({booking['visits']} visits)", f"/doctor/bookings/{booking['id']}", [
                ("status", None),
                ("diagnoses.get", {"diagnosis_id": booking["id"]}),
                ("patients.visits", {"patient_id": booking["patient"], "limit": 20}),
            ]),
            ("outbox", "/outbox", [
                ("status", None),
                ("outbox.list", {"states": ["queued", "in_flight", "unknown", "parked", "rejected"], "limit": 500}),
            ]),
        ]
    if role == "patient":
        return [
            ("patient home", "/patient", [
                ("status", None),
                ("projects.list", {"scope": "open", "from_date": today, "limit": 40, "offset": 0}),
            ]),
        ]
    if role == "assistant":
        clinic = accounts["assistant"]["clinic"]["id"]
        return [
            ("assistant clinic", f"/assistant/clinics/{clinic}", [
                ("status", None),
                ("projects.get", {"project_id": clinic}),
                ("projects.patients", {"project_id": clinic, "limit": 500}),
                ("patients.list", {"limit": 500}),
            ]),
        ]
    raise BenchError(f"unknown role {role}")


# -- the socket -------------------------------------------------------------------------------

class Socket:
    """A minimal JSON-RPC client on one kept-open connection: one line out, one line back."""

    def __init__(self, path, timeout=60):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.sock.settimeout(timeout)
        self.buffer = b""
        self.next_id = 0

    def send_line(self, method, params):
        self.next_id += 1
        request = {"jsonrpc": "2.0", "method": method, "id": self.next_id}
        if params is not None:
            request["params"] = params
        self.sock.sendall(json.dumps(request, ensure_ascii=False).encode() + b"\n")

    def read_line(self):
        while True:
            index = self.buffer.find(b"\n")
            if index >= 0:
                line, self.buffer = self.buffer[:index], self.buffer[index + 1:]
                return line
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise BenchError("vdsyncd closed the connection")
            self.buffer += chunk

    def call(self, method, params=None):
        """The result (parsed) and the reply's size in bytes."""
        self.send_line(method, params)
        while True:
            line = self.read_line()
            message = json.loads(line)
            if "id" not in message:
                continue  # a notification
            if "error" in message:
                raise BenchError(f"{method}: {message['error']}")
            return message["result"], len(line) + 1

    def close(self):
        self.sock.close()


def request_counts(sock):
    """vdsyncd's request counters by method (metrics.get), successes and failures together."""
    text = sock.call("metrics.get")[0]["text"]
    counts = {}
    for line in text.splitlines():
        if not line.startswith("vdsync_socket_requests_total{"):
            continue
        labels, _, value = line.rpartition(" ")
        method = re.search(r'method="([^"]+)"', labels)
        if method:
            counts[method.group(1)] = counts.get(method.group(1), 0) + float(value)
    return counts


# -- vdsyncd ----------------------------------------------------------------------------------

def start_daemon(children, bin_dir, upstream, role, phone):
    directory = os.path.join(children.work, role)
    shutil.rmtree(directory, ignore_errors=True)
    state = os.path.join(directory, "state")
    os.makedirs(state)
    sock = os.path.join(directory, "vdsyncd.sock")
    password = os.path.join(directory, "password")
    with open(os.open(password, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(PASSWORD + "\n")
    settings = {
        "VDSYNC_UPSTREAM_URL": upstream.url, "VDSYNC_ROLE": role, "VDSYNC_PHONE": phone, "VDSYNC_PASSWORD_FILE": password,
        "VDSYNC_STATE_DIRECTORY": state, "VDSYNC_SOCKET_PATH": sock, "VDSYNC_LOG_LEVEL": "warning",
        # No pull and no picture download during the measurement: the screens are timed over a
        # mirror at rest, as a kiosk's is between its pulls.
        "VDSYNC_HOT_INTERVAL": "3600", "VDSYNC_WARM_INTERVAL": "3600", "VDSYNC_IMAGE_CACHE_MAX_BYTES": "0",
    }
    config = os.path.join(directory, "vdsyncd.conf")
    with open(config, "w") as f:
        f.writelines(f"{key}={value}\n" for key, value in settings.items())
    env = {k: v for k, v in os.environ.items() if not k.startswith("VDSYNC_") and k not in ("NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID")}
    started = time.time()
    proc = children.start(f"vdsyncd-{role}", [os.path.join(bin_dir, "vdsyncd"), "--config", config], env=env)
    return proc, sock, os.path.join(state, "vdsync.sqlite"), started


def journal_seq(database):
    try:
        db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)
        try:
            return db.execute("SELECT MAX(seq) FROM change_journal").fetchone()[0] or 0
        finally:
            db.close()
    except sqlite3.Error:
        return -1


def wait_for_pull(children, proc, sock_path, database, started, timeout):
    """Until the first pull reached the upstream, and then nothing changes for 1.5 s: neither
    the lists of `status.last_pulls` (one per list of the plan, when its pull completes) nor
    the change journal (follow-ups: a project's patients, a patient's visits). Returns the
    seconds from start to the last change seen, and the lists pulled."""
    deadline = time.time() + timeout
    client = None
    previous, stable_since, last_change = None, None, None
    while time.time() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"vdsyncd exited ({proc.returncode}): {children.tail(proc)}")
        if client is None:
            try:
                client = Socket(sock_path, timeout=10)
            except OSError:
                time.sleep(0.1)
                continue
        status = client.call("status")[0]
        if status.get("session") != "active":
            if status.get("last_errors"):
                pass
        if status.get("last_pull"):
            snapshot = (tuple(sorted((status.get("last_pulls") or {}).keys())), journal_seq(database))
            if snapshot != previous:
                previous, stable_since, last_change = snapshot, time.time(), time.time()
            elif time.time() - stable_since > 1.5:
                client.close()
                return last_change - started, list(snapshot[0])
        time.sleep(0.1)
    raise BenchError(f"the first pull did not settle within {timeout} s: {children.tail(proc)}")


# -- vdkiosk ----------------------------------------------------------------------------------

class Kiosk:
    def __init__(self, children, bin_dir, sock_path, role):
        self.proc = children.start(f"vdkiosk-{role}", [os.path.join(bin_dir, "vdkiosk"), "--socket", sock_path, "--port", "0",
                                                        "--log-level", "warning"])
        match = children.wait_line(self.proc, r"open (http://127\.0\.0\.1:(\d+))/\?token=(\S+)", 60)
        self.port, self.token = int(match.group(2)), match.group(3)
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        # The start-up token is exchanged for a session cookie and a redirect.
        status, headers, _ = self.get("/?token=" + urllib.parse.quote(self.token), cookie=False)
        cookie = next((v for k, v in headers if k.lower() == "set-cookie" and v.startswith("vdkiosk_session=")), None)
        if status not in (302, 303, 307) or cookie is None:
            raise BenchError(f"vdkiosk gave no session for the start-up token (HTTP {status})")
        self.cookie = cookie.split(";", 1)[0]

    def get(self, path, cookie=True):
        headers = {"Cookie": self.cookie} if cookie else {}
        self.connection.request("GET", path, headers=headers)
        response = self.connection.getresponse()
        body = response.read()
        return response.status, response.getheaders(), body


# -- measuring --------------------------------------------------------------------------------

def percentile(values, p):
    """Nearest rank."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def summary(seconds):
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99), "max": max(ms),
            "mean": sum(ms) / len(ms)}


def measure_screen(kiosk, direct, name, path, calls, requests, warmup):
    # The calls this screen makes, as vdsyncd counts them for one GET.
    before = request_counts(direct)
    status, _, body = kiosk.get(path)
    after = request_counts(direct)
    observed = {m: int(after.get(m, 0) - before.get(m, 0)) for m in after if after.get(m, 0) != before.get(m, 0)}
    observed["metrics.get"] = observed.get("metrics.get", 0) - 1  # the first metrics.get's own count
    observed = {m: n for m, n in observed.items() if n}
    expected = {}
    for method, _ in calls:
        expected[method] = expected.get(method, 0) + 1
    if status != 200:
        raise BenchError(f"{path}: HTTP {status}: {body[:300]!r}")

    for _ in range(warmup):
        kiosk.get(path)
    times, sizes = [], set()
    for _ in range(requests):
        started = time.perf_counter()
        status, _, body = kiosk.get(path)
        times.append(time.perf_counter() - started)
        if status != 200:
            raise BenchError(f"{path}: HTTP {status} during the measurement")
        sizes.add(len(body))

    for _ in range(warmup):
        for method, params in calls:
            direct.call(method, params)
    direct_times, reply_bytes = [], 0
    for _ in range(requests):
        started = time.perf_counter()
        reply_bytes = 0
        for method, params in calls:
            reply_bytes += direct.call(method, params)[1]
        direct_times.append(time.perf_counter() - started)

    screen, straight = summary(times), summary(direct_times)
    return {
        "screen": name, "path": path, "calls": [m for m, _ in calls], "calls_checked": observed == expected,
        "calls_observed": observed, "html_bytes": max(sizes), "reply_bytes": reply_bytes,
        "kiosk_ms": screen, "direct_ms": straight,
        "ratio_p95": screen["p95"] / straight["p95"] if straight["p95"] else None,
        "target_p95_ms": TARGET_MS, "target_met": screen["p95"] < TARGET_MS,
    }


def run_role(children, bin_dir, upstream, role, accounts, today, requests, warmup, pull_timeout):
    account = accounts[role]
    proc, sock_path, database, started = start_daemon(children, bin_dir, upstream, role, account["phone"])
    pull_seconds, lists = wait_for_pull(children, proc, sock_path, database, started, pull_timeout)
    kiosk = Kiosk(children, bin_dir, sock_path, role)
    direct = Socket(sock_path)
    results = []
    try:
        for name, path, calls in screens_for(role, accounts, today):
            result = measure_screen(kiosk, direct, name, path, calls, requests, warmup)
            result["role"] = role
            results.append(result)
            print(f"  {role:9} {name:34} kiosk p95 {result['kiosk_ms']['p95']:8.2f} ms   direct p95 "
                  f"{result['direct_ms']['p95']:7.2f} ms", flush=True)
    finally:
        direct.close()
        kiosk.connection.close()
        children.stop(kiosk.proc)
        children.stop(proc)
    return {"role": role, "phone": account["phone"], "pull_seconds": round(pull_seconds, 2), "lists_pulled": len(lists)}, results


# -- reporting --------------------------------------------------------------------------------

def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            memory = f"{kb / 1024:.1f} MB RAM, "
    except (OSError, ValueError, IndexError):
        pass
    system = platform.system() + " " + platform.release()
    try:
        with open("/etc/os-release") as f:
            pretty = re.search(r'^PRETTY_NAME="?([^"\n]*)', f.read(), re.M)
            if pretty:
                system += ", " + pretty.group(1)
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {memory}{system}"


def markdown(report):
    lines = [
        f"Machine: {report['machine']}. Load average at start: {report['load_average']}. Date: {report['date']}. "
        f"Total: {report['total_seconds']:.0f} s.",
        "",
        f"**The kiosk's screens** ({report['world']}, seed number {SEED_NUMBER}; **{report['build']} binaries** "
        f"({report['bin_dir']}, vdkiosk sha256 {report['binaries']['vdkiosk']['sha256']}…); one client at a time: {report['requests']} sequential GETs per screen on one "
        f"kept-alive connection after {report['warmup']} of warm-up, each timed to the page's last byte; "
        f"*direct* = the same socket calls in the same order from a minimal Python client on one kept-open "
        f"connection, each reply parsed; calls ✓ = the list matches vdsyncd's request counters for one GET; "
        f"target: p95 < {TARGET_MS:.0f} ms, reported, never asserted)",
        "",
        "| screen | calls | page bytes | reply bytes | p50 ms | p95 ms | p99 ms | max ms | direct p50 ms | direct p95 ms "
        "| screen / direct p95 | p95 < 100 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in report["screens"]:
        k, d = r["kiosk_ms"], r["direct_ms"]
        calls = f"{len(r['calls'])} {'✓' if r['calls_checked'] else '✗ (' + json.dumps(r['calls_observed']) + ')'}"
        ratio = f"{r['ratio_p95']:.1f}×" if r["ratio_p95"] else "–"
        lines.append(
            f"| {r['role']}: {r['screen']} `{r['path']}` | {calls} | {r['html_bytes']} | {r['reply_bytes']} | {k['p50']:.2f} | "
            f"{k['p95']:.2f} | {k['p99']:.2f} | {k['max']:.2f} | {d['p50']:.2f} | {d['p95']:.2f} | {ratio} | "
            f"{'yes' if r['target_met'] else '**no**'} |")
    lines.append("")
    accounts = "; ".join(
        f"{a['role']} {a['phone']} (first pull settled after {a['pull_seconds']:.1f} s, {a['lists_pulled']} lists)"
        for a in report["accounts"])
    lines.append(f"Accounts: {accounts}.")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bin_dir", help="directory holding vdapi, vdsyncd and vdkiosk")
    parser.add_argument("--quick", action="store_true", help="scale:100 and 30 requests per screen: CI's version")
    parser.add_argument("--scale", type=int, help="projects of the world (default 1000, --quick 100)")
    parser.add_argument("--requests", type=int, help="timed GETs per screen (default 300, --quick 30)")
    parser.add_argument("--warmup", type=int, help="untimed GETs first (default 20, --quick 5)")
    parser.add_argument("--roles", default="doctor,patient,assistant", help="roles to measure, in turn")
    parser.add_argument("--build", help="debug or release, for the table's caption (default: guessed from BIN_DIR)")
    parser.add_argument("--work", default=os.path.join(ROOT, ".build", "bench-kiosk"), help="scratch directory (logs, copies)")
    parser.add_argument("--results", default=os.path.join(ROOT, "bench", "results"))
    args = parser.parse_args()
    scale = args.scale or (100 if args.quick else 1000)
    requests = args.requests or (30 if args.quick else 300)
    warmup = args.warmup if args.warmup is not None else (5 if args.quick else 20)
    bin_dir = os.path.abspath(args.bin_dir)
    build = args.build or next((b for b in ("debug", "release") if f"/{b}" in bin_dir), "unknown")
    for binary in ("vdapi", "vdsyncd", "vdkiosk"):
        if not os.access(os.path.join(bin_dir, binary), os.X_OK):
            raise SystemExit(f"bench/kiosk.py: {bin_dir}/{binary} is missing")

    # Which binaries made the figures: a directory of prebuilt ones may be replaced later.
    binaries = {}
    for binary in ("vdapi", "vdsyncd", "vdkiosk"):
        path = os.path.join(bin_dir, binary)
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()[:12]
        binaries[binary] = {"sha256": digest, "modified": datetime.datetime.fromtimestamp(
            os.path.getmtime(path), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    # Absolute: the children run in it, and their paths must not resolve against it twice.
    args.work = os.path.abspath(args.work)
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    children = Children(args.work)
    # SIGTERM (bench/run's timeout) ends the children too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.time()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"== kiosk screens: scale:{scale}, {build} binaries from {bin_dir}, {requests} GETs per screen", flush=True)
    try:
        world, seeded = cached_world(children, bin_dir, scale)
        if seeded is not None:
            print(f"  seeded scale:{scale} in {seeded:.1f} s", flush=True)
        upstream = Upstream(children, bin_dir, world)
        accounts = choose_accounts(upstream, server_day())
        # vdkiosk's Views.today(): the API's clock, as the seed dates its worlds.
        today = server_day()
        roles, screens = [], []
        for role in [r.strip() for r in args.roles.split(",") if r.strip()]:
            info, results = run_role(children, bin_dir, upstream, role, accounts, today, requests, warmup,
                                     pull_timeout=120 if args.quick else 600)
            roles.append(info)
            screens.extend(results)
    except BenchError as error:
        print(f"bench/kiosk.py: {error}\n(logs in {args.work})", file=sys.stderr)
        return 1
    finally:
        children.stop_all()

    report = {
        "machine": machine(), "load_average": load, "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "mode": "quick" if args.quick else "full", "world": f"scale:{scale}", "build": build, "bin_dir": bin_dir,
        "binaries": binaries, "requests": requests, "warmup": warmup, "target_p95_ms": TARGET_MS, "total_seconds": time.time() - started,
        "accounts": roles, "choices": accounts, "screens": screens,
    }
    table = markdown(report)
    print()
    print(table)
    name = "kiosk-quick" if args.quick else "kiosk"
    os.makedirs(args.results, exist_ok=True)
    with open(os.path.join(args.results, name + ".json"), "w") as f:
        json.dump(report, f, indent=2, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(args.results, name + ".md"), "w") as f:
        f.write(table)
    print(f"wrote bench/results/{name}.json and {name}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
