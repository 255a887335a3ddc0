"""Item 5 of issue 9: a soak of mixed traffic through the socket with faults injected upstream.

Clients: two writers (chat.send to every demo patient with a unique token in each message,
diagnosis.markDone then diagnosis.recordResult with a token on the doctor's bookings,
project.publish with a token in the description, now and then sync.now), two readers (the
mirror's lists and status), one live subscriber (changes.subscribe, resubscribing from its last
seq on resync_required) and one slow subscriber that reads in bursts. vdapi meanwhile resets
connections after committing, resets them before the handler, and answers 500 before the
handler, each at a rate.

Every few seconds the daemon's RSS (and its anonymous part), open descriptors and WAL size are
sampled. At the end the faults are removed, the outbox drains, and vdapi's database is read
(POST /admin/query) to check that every acknowledged mutation has exactly one effect upstream
and every refused or rejected one has none.
"""

import json
import re
import random
import threading
import time

import world
from hostile import Result, daemon_healthy, mb
from stack import LineReader, RPCFailure, Stack, rpc_call

FAULTS = [
    {"action": "reset_after_commit", "rate": 0.05},
    {"action": "reset_before_handler", "rate": 0.05},
    {"action": "server_error_before_handler", "rate": 0.05},
]
DOCTOR_ID = 1


class Ledger:
    """What the clients asked for and what the daemon answered."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked = []       # (mutation_id, kind, target, token)
        self.refused = []     # (kind, target, token, error)
        self.failures = []
        self.reads = 0
        self.read_errors = 0
        self.notifications = 0
        self.resyncs = 0
        self.slow_notifications = 0
        self.slow_resyncs = 0

    def ack(self, mutation_id, kind, target, token):
        with self.lock:
            self.acked.append((mutation_id, kind, target, token))

    def refuse(self, kind, target, token, error):
        with self.lock:
            self.refused.append((kind, target, token, error))


def _writer(stack, ledger, stop, seed, run, rate, targets):
    rng = random.Random(seed)
    sock = stack.connect(timeout=60)
    reader = LineReader(sock)
    counter = 0
    waiting = list(targets["waiting"])
    rng.shuffle(waiting)
    seen = list(targets["seen"])
    with sock:
        while not stop.is_set():
            counter += 1
            token = f"soak-{run}-{seed}-{counter}"
            choice = rng.random()
            if choice < 0.6:
                kind, target = "chat.send", rng.choice(targets["patients"])
                params = {"to_user_id": target, "content": f"复诊提醒 {token}"}
            elif choice < 0.7 and waiting:
                kind, target = "diagnosis.markDone", waiting.pop()
                params = {"diagnosis_id": target}
                seen.append(target)
                token = None
            elif choice < 0.9 and seen:
                kind, target = "diagnosis.recordResult", rng.choice(seen)
                params = {"diagnosis_id": target, "result": f"血压平稳 {token}"}
            elif choice < 0.96:
                kind, target = "project.publish", None
                params = {"date": "2031-03-14", "begin": "09:00:00", "end": "11:30:00", "capacity": 8,
                          "longitude": "116.4551", "latitude": "39.9289", "address": "朝阳区东三环中路 27 号",
                          "service_targets": ["高血压"], "description": f"社区义诊 {token}", "price": 0}
            else:
                kind, target, token = "sync.now", None, None
                params = {"tiers": ["hot"]}
            try:
                result = rpc_call(sock, kind, params, reader)
                if kind != "sync.now":
                    ledger.ack(result["mutation_id"], kind, target, token)
            except RPCFailure as failure:
                ledger.refuse(kind, target, token, failure.error)
            except Exception as error:  # noqa: BLE001 - the connection itself failed
                ledger.failures.append(f"writer {seed}: {kind} failed: {error!r}")
                return
            stop.wait(rng.expovariate(rate))


READS = [
    ("status", None), ("projects.list", {"scope": "mine", "limit": 20}), ("diagnoses.list", {"limit": 20}),
    ("dialogs.list", {"limit": 20}), ("dialogs.messages", {"dialog_id": 4, "limit": 20}),
    ("outbox.list", {"states": ["queued", "unknown", "in_flight"], "limit": 50}), ("messages.list", {"limit": 5}),
    ("projects.get", {"project_id": 1}), ("diagnoses.get", {"diagnosis_id": 15}),
]


def _reader(stack, ledger, stop, seed):
    rng = random.Random(seed)
    sock = stack.connect(timeout=60)
    reader = LineReader(sock)
    with sock:
        while not stop.is_set():
            method, params = rng.choice(READS)
            try:
                rpc_call(sock, method, params, reader)
                ledger.reads += 1
            except RPCFailure:
                ledger.read_errors += 1
            except Exception as error:  # noqa: BLE001
                ledger.failures.append(f"reader {seed}: {method} failed: {error!r}")
                return
            stop.wait(rng.uniform(0.02, 0.2))


def _subscriber(stack, ledger, stop, slow):
    sock = stack.connect(timeout=60)
    reader = LineReader(sock)
    last_seq = None

    received_since_subscribe = False

    def subscribe():
        nonlocal received_since_subscribe
        received_since_subscribe = False
        params = {} if last_seq is None else {"since_seq": last_seq}
        request = {"jsonrpc": "2.0", "method": "changes.subscribe", "params": params, "id": "sub"}
        sock.sendall(json.dumps(request).encode() + b"\n")

    with sock:
        subscribe()
        while not stop.is_set():
            if slow:
                stop.wait(10)  # reads in bursts: may fall behind and get resync_required
            sock.settimeout(1)
            try:
                while True:
                    line = reader.readline()
                    if line is None:
                        ledger.failures.append("subscriber: the daemon closed the connection")
                        return
                    message = json.loads(line)
                    if message.get("id") == "sub":
                        if "error" in message:
                            ledger.failures.append(f"subscriber: subscribe failed: {message['error']}")
                            return
                        continue
                    if message.get("method") == "changes":
                        last_seq = message["params"]["seq"]
                        received_since_subscribe = True
                        if slow:
                            ledger.slow_notifications += 1
                        else:
                            ledger.notifications += 1
                    elif message.get("method") == "resync_required":
                        if slow:
                            ledger.slow_resyncs += 1
                        else:
                            ledger.resyncs += 1
                        # Past the journal's horizon the last seq cannot be resumed from: as a
                        # front end does, read again and subscribe from now.
                        if not received_since_subscribe:
                            last_seq = None
                        subscribe()
                    if slow and stop.is_set():
                        return
            except TimeoutError:
                continue
            except OSError as error:
                ledger.failures.append(f"subscriber: {error!r}")
                return


def _thirds(values):
    n = len(values)
    if n < 3:
        return values[0] if values else 0, values[-1] if values else 0
    third = n // 3
    first = sum(values[:third]) / third
    last = sum(values[-third:]) / third
    return first, last


# The journal's bound in the soak: small, so that trimming happens within minutes. It is trimmed
# after each pull (every 5 s here), so it may exceed the bound by what one interval adds.
JOURNAL_MAX_ENTRIES = 1000
JOURNAL_SLACK = 1000


def journal_entries(stack):
    """The daemon's journal rows, from its metrics (metrics.get)."""
    text = stack.call("metrics.get")["text"]
    match = re.search(r"^vdsync_journal_entries (\S+)$", text, re.M)
    return int(float(match.group(1))) if match else -1


def run_soak(bin_dir, work, minutes, seed, mutation_rate=2.0):
    result = Result("soak")
    print(f"== soak: {minutes} min of mixed traffic with faults upstream (seed {seed})", flush=True)
    # The settle time of the process-level checks (world.SETTLE_SECONDS): the soak holds no request
    # (resets and 500s only), so the rule's assumption holds; with the default 120 s, each send left
    # without an answer near the end holds the drain for up to two minutes.
    stack = Stack(bin_dir, work, "soak", admin=True, env={
        "VDSYNC_HOT_INTERVAL": "5", "VDSYNC_WARM_INTERVAL": "20", "VDSYNC_COLD_INTERVAL": "600",
        "VDSYNC_OUTBOX_RATE": "20", "VDSYNC_OUTBOX_SETTLE_TIME": str(world.SETTLE_SECONDS),
        "VDSYNC_JOURNAL_MAX_ENTRIES": str(JOURNAL_MAX_ENTRIES)})
    try:
        stack.start()
        _soak(stack, result, minutes, seed, mutation_rate)
    except Exception as error:  # noqa: BLE001 - a failed start or a dead daemon fails the soak
        result.fail(f"{error!r}")
    finally:
        daemon_exit, server_exit = stack.stop()
        if daemon_exit != 0:
            result.fail(f"vdsyncd exited {daemon_exit} on SIGTERM: {stack.tail('vdsyncd.log', 5)}")
        crashes = stack.crash_lines()
        if crashes:
            result.fail("crash lines on stderr: " + " | ".join(crashes[:5]))
    return result


def _soak(stack, result, minutes, seed, mutation_rate):
    run = f"{seed}{int(time.time()) % 100000}"
    patients = [row["id"] for row in stack.query("SELECT id FROM user WHERE type = 1 ORDER BY id")]
    # Bookings that may be marked seen: their project has started (dated before today in UTC,
    # so whatever the server's time zone) or they were marked no-show (status 2).
    waiting = [row["id"] for row in stack.query(
        "SELECT diagnosis.id FROM diagnosis JOIN project ON project.id = diagnosis.project_id "
        "WHERE diagnosis.doctor_user_id = ? AND diagnosis.verify_status = 1 AND project.status = 1 "
        "AND (diagnosis.status = 2 OR (diagnosis.status = 1 AND project.date < date('now'))) ORDER BY diagnosis.id",
        [DOCTOR_ID])]
    seen = [row["id"] for row in stack.query(
        "SELECT id FROM diagnosis WHERE doctor_user_id = ? AND verify_status = 1 AND status = 3 ORDER BY id",
        [DOCTOR_ID])]
    for rule in FAULTS:
        stack.admin("POST", "/admin/faults", rule)
    described = ", ".join(f"{rule['action']} {rule['rate']:.0%}" for rule in FAULTS)
    print(f"  faults: {described} of every upstream request; "
          f"targets: patients {patients}, waiting bookings {waiting}, seen {seen}")
    ledger = Ledger()
    stop = threading.Event()
    half = len(waiting) // 2
    threads = [
        threading.Thread(target=_writer, args=(stack, ledger, stop, 1, run, mutation_rate / 2,
                                               {"patients": patients, "waiting": waiting[:half], "seen": seen})),
        threading.Thread(target=_writer, args=(stack, ledger, stop, 2, run, mutation_rate / 2,
                                               {"patients": patients, "waiting": waiting[half:], "seen": seen})),
        threading.Thread(target=_reader, args=(stack, ledger, stop, 3)),
        threading.Thread(target=_reader, args=(stack, ledger, stop, 4)),
        threading.Thread(target=_subscriber, args=(stack, ledger, stop, False)),
        threading.Thread(target=_subscriber, args=(stack, ledger, stop, True)),
    ]
    for thread in threads:
        thread.daemon = True
        thread.start()
    interval = 5
    duration = minutes * 60
    warmup = min(30, duration * 0.1)
    samples = []  # (t, rss_kb, fds, wal_bytes, anon_kb, journal_entries)
    started = time.monotonic()
    next_print = started
    while time.monotonic() - started < duration:
        time.sleep(interval)
        if not stack.alive():
            result.fail(f"vdsyncd died during the soak: {stack.tail('vdsyncd.log')}")
            stop.set()
            return
        t = time.monotonic() - started
        sample = (t, stack.rss_kb(), stack.fds(), stack.wal_bytes(), stack.anon_kb(), journal_entries(stack))
        samples.append(sample)
        if time.monotonic() >= next_print:
            print(f"  t={t:5.0f}s RSS {mb(sample[1])} (anonymous {mb(sample[4])}), fds {sample[2]}, WAL {sample[3] / 1e6:.2f} MB, "
                  f"journal {sample[5]}; "
                  f"acked {len(ledger.acked)}, refused {len(ledger.refused)}, reads {ledger.reads}, "
                  f"notifications {ledger.notifications}", flush=True)
            next_print += 30
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    for failure in ledger.failures:
        result.fail(failure)

    # The figures.
    steady = [s for s in samples if s[0] >= warmup] or samples
    # RSS and descriptors may not grow by half and by more than the slack; anonymous memory (the
    # heap: what a leak or malloc's retention grows) by no more than 10 MB in any case, room for
    # SQLite's page caches (2 MB a connection) to fill as the mirror grows.
    for index, name, unit, ratio, slack in ((1, "RSS", "kb", 1.5, 8 * 1024), (4, "anonymous RSS", "kb", 1.0, 10 * 1024),
                                            (2, "fds", "", 1.5, 8)):
        values = [s[index] for s in steady]
        first, last = _thirds(values)
        shown = (lambda v: mb(v)) if unit == "kb" else (lambda v: f"{v:.0f}")
        print(f"  {name}: min {shown(min(values))}, max {shown(max(values))}, last {shown(values[-1])}; "
              f"first third avg {shown(first)}, last third avg {shown(last)}")
        if last > ratio * first and last - first > slack:
            result.fail(f"{name} grows: last third averages {shown(last)}, first third {shown(first)}")
    wal = [s[3] for s in samples]
    print(f"  WAL: min {min(wal) / 1e6:.2f} MB, max {max(wal) / 1e6:.2f} MB, last {wal[-1] / 1e6:.2f} MB")
    if max(wal) > 64 * 1024 * 1024:
        result.fail(f"WAL reached {max(wal) / 1e6:.1f} MB")
    journal = [s[5] for s in samples]
    print(f"  journal: min {min(journal)}, max {max(journal)}, last {journal[-1]} entries (kept at most {JOURNAL_MAX_ENTRIES} after each pull)")
    if min(journal) < 0:
        result.fail("the journal's size was missing from the daemon's metrics")
    if max(journal) > JOURNAL_MAX_ENTRIES + JOURNAL_SLACK:
        result.fail(f"the journal reached {max(journal)} entries, above its bound {JOURNAL_MAX_ENTRIES} and one pull's slack")
    rss = [s[1] for s in steady]
    fds = [s[2] for s in steady]
    anon = [s[4] for s in steady]
    result.figure("rss_mb", f"{min(rss) / 1024:.0f}/{max(rss) / 1024:.0f}/{rss[-1] / 1024:.0f}")
    result.figure("anon_mb", f"{min(anon) / 1024:.0f}/{max(anon) / 1024:.0f}/{anon[-1] / 1024:.0f}")
    result.figure("fds", f"{min(fds)}/{max(fds)}/{fds[-1]}")
    result.figure("wal_mb", f"{max(wal) / 1e6:.1f}")
    result.figure("journal", f"{min(journal)}/{max(journal)}/{journal[-1]}")

    # Drain, then compare with the upstream.
    stack.admin("DELETE", "/admin/faults")
    drain_started = progress_at = time.monotonic()
    last_pending = None
    while True:
        counts = stack.call("status")["outbox"]
        pending = sum(counts.get(state, 0) for state in ("queued", "unknown", "in_flight"))
        if pending == 0:
            break
        if pending != last_pending:
            last_pending, progress_at = pending, time.monotonic()
        # A rejected or parked entry holds back its chain (docs/outbox.md): what waits behind it
        # never drains, so stop waiting once nothing moves for 90 s (an unknown entry is checked
        # again within 60 s, docs/outbox.md's checkBackoffCap; a send may wait out 300 s).
        if time.monotonic() - progress_at > 90 or time.monotonic() - drain_started > 600:
            result.fail(f"the outbox did not drain after the faults stopped: {counts}")
            break
        time.sleep(1)
    print(f"  outbox drained {time.monotonic() - drain_started:.0f} s after the faults stopped: {counts}")
    _verify(stack, ledger, run, result)
    daemon_healthy(stack, result)


def _entries(stack):
    entries, after = {}, 0
    while True:
        page = stack.call("outbox.list", {"after_id": after, "limit": 1000})
        if not page:
            return entries
        for entry in page:
            entries[entry["mutation_id"]] = entry
        after = page[-1]["mutation_id"]


def _verify(stack, ledger, run, result):
    entries = _entries(stack)
    states = {}
    attempts = checks = 0
    for mutation_id, kind, target, token in ledger.acked:
        entry = entries.get(mutation_id)
        state = entry["state"] if entry else "missing"
        states[state] = states.get(state, 0) + 1
        if entry:
            attempts += entry["attempts"]
            checks += entry["checks"]
    print(f"  {len(ledger.acked)} mutations acknowledged ({len(ledger.refused)} refused at the socket): "
          f"final states {states}; {attempts} sends and {checks} read-back checks for them")
    for state in states:
        if state not in ("applied", "rejected"):
            result.fail(f"{states[state]} acknowledged mutations ended {state}")
    like = f"%soak-{run}-%"
    chat = {}
    for row in stack.query("SELECT content, COUNT(*) AS n FROM chat_message WHERE from_user_id = ? AND content LIKE ? "
                           "GROUP BY content", [DOCTOR_ID, like]):
        chat[row["content"].split()[-1]] = row["n"]
    projects = {}
    for row in stack.query("SELECT abstract, COUNT(*) AS n FROM project WHERE doctor_id = ? AND abstract LIKE ? "
                           "GROUP BY abstract", [DOCTOR_ID, like]):
        projects[row["abstract"].split()[-1]] = row["n"]
    diagnoses = {row["id"]: row for row in stack.query(
        "SELECT id, status, diag_result FROM diagnosis WHERE doctor_user_id = ?", [DOCTOR_ID])}
    lost = doubled = effects_checked = 0
    last_result = {}
    kinds = {}
    for mutation_id, kind, target, token in ledger.acked:
        state = entries.get(mutation_id, {}).get("state")
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind in ("chat.send", "project.publish"):
            found = (chat if kind == "chat.send" else projects).pop(token, 0)
            effects_checked += 1
            # Applied: once. Rejected or discarded: never. Not final (a drain that did not end,
            # failed above): the effect may or may not be upstream yet, but at most once.
            least, most = {"applied": (1, 1), "rejected": (0, 0), "discarded": (0, 0)}.get(state, (0, 1))
            if found > most:
                doubled += 1
                result.fail(f"{kind} {token} (mutation {mutation_id}, {state}) is upstream {found} times")
            elif found < least:
                lost += 1
                result.fail(f"{kind} {token} (mutation {mutation_id}, {state}) is not upstream")
            if state == "rejected":
                result.fail(f"{kind} {token} (mutation {mutation_id}) was rejected: {entries[mutation_id]}")
        elif kind == "diagnosis.markDone":
            effects_checked += 1
            if state == "applied" and diagnoses[target]["status"] != 3:
                lost += 1
                result.fail(f"markDone of {target} applied but the booking's status is {diagnoses[target]['status']}")
        elif kind == "diagnosis.recordResult" and state == "applied":
            last_result[target] = (token, mutation_id)
    for target, (token, mutation_id) in last_result.items():
        effects_checked += 1
        upstream = diagnoses[target]["diag_result"] or ""
        if not upstream.endswith(token):
            lost += 1
            result.fail(f"diagnosis {target}: the last recordResult ({token}, mutation {mutation_id}) is not its "
                        f"result upstream: {upstream!r}")
    # Tokens upstream that no acknowledged mutation carried: a refused call that took effect.
    strays = [t for t, n in chat.items() if n] + [t for t, n in projects.items() if n]
    if strays:
        result.fail(f"{len(strays)} messages or projects upstream from calls that were refused: {strays[:5]}")
    print(f"  by kind: {kinds}; effects checked upstream {effects_checked}: lost {lost}, doubled {doubled}, "
          f"strays {len(strays)}; reads {ledger.reads} ({ledger.read_errors} errors), notifications "
          f"{ledger.notifications} live ({ledger.resyncs} resyncs) and {ledger.slow_notifications} slow "
          f"({ledger.slow_resyncs} resyncs)")
    result.figure("mutations", len(ledger.acked))
    result.figure("applied", states.get("applied", 0))
    result.figure("rejected", states.get("rejected", 0))
    result.figure("lost", lost)
    result.figure("doubled", doubled)
    result.figure("reads", ledger.reads)
