"""Issue 9 item 3 at process level: the disk fills up or fails under the daemons, and damaged files at start.

Rounds (each a fresh world of world.py, the three daemons run under libfiu's `fiu-run -x`, so
that `fiu-ctrl` can make their POSIX calls fail at run time):

  disk_full    pwrite/pwrite64 fail with ENOSPC: first every one, then 10% of them
  eio_write    pwrite/pwrite64 fail with EIO (10%)
  eio_fsync    fsync/fdatasync fail with EIO (50%)

SQLite writes its WAL with pwrite64 and syncs it with fdatasync, so these hit every commit of
the daemon (enqueues, outbox state changes, pulled pages) and nothing else it does (its socket
uses write/sendmsg). While the faults are on, the three clients keep submitting and a reader
keeps reading each daemon: every mutation must be acknowledged or refused with -32030 (not
saved) or -32031 (may still be saved), reads must keep answering, and no daemon may die. At the
end of the window the doctor's daemon is SIGKILLed with the faults still on and started again
without them; the other two get their disk back in place. Then everything must drain: every
acknowledged mutation exactly once upstream, every refused one not at all, every entry applied,
the mirrors equal to the upstream, and a second run changes nothing.

Files at start (the doctor's daemon): a stale socket file after SIGKILL, leftover -wal/-shm
files holding acknowledged entries, a truncated database, a database with a damaged page, and a
file that is not a database at all.
"""

import glob
import os
import random
import shutil
import subprocess
import threading
import time
import traceback

from hostile import Result
from stack import RPCFailure
from world import (ROLES, LoopWorkload, Tally, World, Writer, check_outboxes, check_upstream, drain,
                   mirror_matches_upstream, redact, second_run, snapshot, targets, wait_until)

ENOSPC, EIO = 28, 5
ROUNDS = {
    "disk_full": [[("posix/io/rw/pwrite", 1.0, ENOSPC)], [("posix/io/rw/pwrite", 0.1, ENOSPC)]],
    "eio_write": [[("posix/io/rw/pwrite", 0.1, EIO)]],
    "eio_fsync": [[("posix/io/sync/fdatasync", 0.5, EIO), ("posix/io/sync/fsync", 0.5, EIO)]],
}
READS = [("status", None), ("projects.list", {"limit": 20}), ("diagnoses.list", {"limit": 20}),
         ("dialogs.list", {"limit": 20}), ("outbox.list", {"limit": 20}), ("messages.list", {"limit": 5})]


def fiu_available():
    return shutil.which("fiu-run") is not None and shutil.which("fiu-ctrl") is not None


class Fiu:
    """libfiu around one world's daemons: fiu-run starts them, fiu-ctrl flips failure points."""

    def __init__(self, world):
        self.prefix = os.path.join(world.dir, "fiu")
        self.wrapper = {role: ["fiu-run", "-x", "-f", self.prefix] for role in ROLES}

    def control(self, daemon, command):
        subprocess.run(["fiu-ctrl", "-f", self.prefix, "-c", command, str(daemon.pid)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=10)

    def enable(self, daemon, points):
        for name, probability, errno in points:
            if probability >= 1:
                self.control(daemon, f"enable name={name},failinfo={errno}")
            else:
                self.control(daemon, f"enable_random name={name},probability={probability},failinfo={errno}")

    def disable(self, daemon, points):
        for name, _, _ in points:
            self.control(daemon, f"disable name={name}")


def run_disk(bin_dir, work, seconds, seed):
    result = Result("disk")
    if not fiu_available():
        result.fail("fiu-run and fiu-ctrl are not installed (apt-get install fiu-utils; scripts/reliability/run does)")
        return result
    print(f"== disk: libfiu faults on the daemons' writes and syncs during {seconds:.0f} s of mixed traffic, "
          f"then damaged files at start (seed {seed})", flush=True)
    rng = random.Random(seed)
    total = Tally()
    refusals = {}
    reads = read_errors = 0
    for name, phases in ROUNDS.items():
        started = time.monotonic()
        tally, figures = _round(bin_dir, work, name, phases, seconds, rng, result)
        total.add(tally)
        reads += figures.get("reads", 0)
        read_errors += figures.get("read_errors", 0)
        for code, n in figures.get("refused", {}).items():
            refusals[code] = refusals.get(code, 0) + n
        print(f"  {name}: {tally.describe()}; refused by code {figures.get('refused')}; reads during the faults "
              f"{figures.get('reads')} ({figures.get('read_errors')} errors); {figures.get('notes', '')} "
              f"({time.monotonic() - started:.0f} s)", flush=True)
    files = _files_at_start(bin_dir, work, rng, result)
    print(f"  all rounds: {total.describe()}; refused by code {refusals}; reads {reads} ({read_errors} errors)", flush=True)
    result.figure("mutations", total.mutations)
    result.figure("acknowledged", total.fates.get("acked", 0))
    result.figure("refused", sum(refusals.values()))
    result.figure("reads", reads)
    result.figure("read_errors", read_errors)
    result.figure("lost", total.lost)
    result.figure("doubled", total.doubled + total.strays)
    result.figure("start_files", files)
    return result


def _round(bin_dir, work, name, phases, seconds, rng, result):
    world = World(bin_dir, work, f"disk-{name}")
    fiu = Fiu(world)
    records = []
    lock = threading.Lock()
    stop = threading.Event()
    failures = []
    figures = {"reads": 0, "read_errors": 0, "refused": {}}
    tally = Tally()

    def fail(message):
        result.fail(f"{name}: {redact(message)}")
    try:
        world.start(wrapper=fiu.wrapper)
        t = targets(world)
        before = snapshot(world.upstream)
        tag = f"f{name[:3]}{rng.randrange(10 ** 6)}"
        writers = {role: Writer(world.daemons[role], records, lock) for role in ROLES}

        def client(role):
            try:
                LoopWorkload(role, t, tag, random.Random(rng.random())).run(writers[role], stop, 3.0, lambda: False)
            except Exception as error:  # noqa: BLE001
                failures.append(f"{role}'s client failed: {error!r}")

        def reader(role):
            local = random.Random(rng.random())
            while not stop.is_set():
                method, params = local.choice(READS)
                try:
                    world.daemons[role].call(method, params, timeout=10)
                    figures["reads"] += 1
                except (OSError, ValueError, RPCFailure) as error:
                    figures["read_errors"] += 1
                    failures.append(f"{role}: {method} failed while the disk failed: {error!r}")
                stop.wait(0.05)
        threads = [threading.Thread(target=client, args=(role,), daemon=True) for role in ROLES]
        threads += [threading.Thread(target=reader, args=(role,), daemon=True) for role in ROLES]
        for thread in threads:
            thread.start()
        for points in phases:
            for daemon in world.daemons.values():
                fiu.enable(daemon, points)
            stop.wait(seconds / len(phases))
            if points is not phases[-1]:
                for daemon in world.daemons.values():
                    fiu.disable(daemon, points)
        last = phases[-1]
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        for failure in failures:
            fail(failure)
        for role, daemon in world.daemons.items():
            if not daemon.alive():
                fail(f"{role}'s vdsyncd died while the disk failed (exit {daemon.process.returncode}): {daemon.tail()}")
        # The doctor's daemon dies with the faults on; the others get their disk back in place.
        doctor = world.daemons["doctor"]
        doctor.kill()
        for role in ("assistant", "patient"):
            fiu.disable(world.daemons[role], last)
        doctor.start(wrapper=fiu.wrapper["doctor"])
        for record in records:
            if record.fate in ("refused", "refused_unknown"):
                code = record.error.get("code")
                figures["refused"][code] = figures["refused"].get(code, 0) + 1
                if code not in (-32030, -32031):
                    fail(f"{record!r} refused with an error that is not the disk's: {record.error}")
        drained, problems = drain(world, records, timeout=180)
        for problem in problems:
            fail(problem)
        check_outboxes(world, records, fail)
        tally = check_upstream(world, records, before, fail)
        compared = mirror_matches_upstream(world, fail)
        unchanged = second_run(world, fail)
        figures["notes"] = (f"doctor SIGKILLed with the faults on and restarted; drained {drained:.0f} s after; "
                            f"mirror records compared {compared}; second run changed nothing: {unchanged}")
    except Exception as error:  # noqa: BLE001
        fail(f"the round itself failed: {error!r} at {traceback.format_exc(limit=-3)!r}")
    finally:
        stop.set()
        codes = world.stop()
        for role, code in codes.items():
            if code not in (0, None):
                fail(f"{role}'s vdsyncd exited {code} on SIGTERM")
        for line in world.crash_lines():
            fail(f"crash line: {line}")
    return tally, figures


def damaged_page(database):
    """The page size and the root page of the change journal's table."""
    import sqlite3
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'change_journal'").fetchone()[0]
    return page_size, root


def _files_at_start(bin_dir, work, rng, result):
    """Stale socket, leftover -wal/-shm, truncated, damaged and foreign database files. Returns
    the number of cases that passed."""
    world = World(bin_dir, work, "disk-files")
    fiu = Fiu(world)
    passed = 0
    expected_critical = []

    def fail(message):
        result.fail(f"files at start: {redact(message)}")
    try:
        world.start(wrapper={"doctor": fiu.wrapper["doctor"]})
        doctor = world.daemons["doctor"]
        patient = world.ids["patient"]
        database = os.path.join(doctor.state, "vdsync.sqlite")

        def queue_messages(label, count=4):
            """Messages acknowledged while vdapi is down, so they wait in the outbox."""
            contents = []
            for i in range(count):
                content = f"磁盘 {label} {rng.randrange(10 ** 6)}-{i}"
                doctor.call("chat.send", {"to_user_id": patient, "content": content})
                contents.append(content)
            return contents

        def upstream_counts(contents):
            return [world.upstream.value("SELECT COUNT(*) FROM chat_message WHERE content = ?", [c]) for c in contents]

        def drained():
            world.upstream.start()
            if not doctor.wait_ready(60):
                fail(f"the daemon did not log in again: {doctor.tail()}")
            _, problems = drain(world, [], timeout=90, roles=("doctor",))
            for problem in problems:
                fail(problem)

        # 0. Mutations refused while fsync fails, then SIGKILL before any other write: SQLite
        # left each failed commit's frames in the WAL, and the recovery at the next start would
        # replay the last one (a mutation the client was told was refused).
        world.upstream.stop()
        points = [("posix/io/sync/fdatasync", 1.0, EIO), ("posix/io/sync/fsync", 1.0, EIO)]
        fiu.enable(doctor, points)
        refused, codes = [], {}
        for i in range(3):
            content = f"磁盘 fsync {rng.randrange(10 ** 6)}-{i}"
            try:
                doctor.call("chat.send", {"to_user_id": patient, "content": content})
                fail("a mutation was acknowledged while every fsync failed")
            except RPCFailure as failure:
                refused.append(content)
                codes[failure.error.get("code")] = codes.get(failure.error.get("code"), 0) + 1
        doctor.kill()
        doctor.start(wait=False)
        world.upstream.start()
        if not doctor.wait_ready(60):
            fail(f"the daemon did not come back: {doctor.tail()}")
        _, problems = drain(world, [], timeout=60, roles=("doctor",))
        entries = doctor.entries()
        counts = upstream_counts(refused)
        if entries or any(counts) or problems:
            fail(f"refused during fsync failures, then SIGKILL: {len(entries)} entries came back "
                 f"{[(e['mutation_id'], e['kind'], e['state']) for e in entries]}, upstream counts {counts} {problems}")
        else:
            passed += 1
        print(f"  refused while fsync failed, then SIGKILL: {len(refused)} refused {codes}; after the restart "
              f"{len(entries)} came back in the outbox, upstream counts {counts}", flush=True)

        # 1. A stale socket file: SIGKILL leaves it; the next start replaces it and serves.
        doctor.kill()
        if not os.path.exists(doctor.socket):
            fail("SIGKILL left no socket file to test with")
        doctor.start()
        doctor.call("status")
        passed += 1
        print("  stale socket file after SIGKILL: replaced, the daemon serves", flush=True)

        # 2. Leftover -wal/-shm holding acknowledged entries (SIGKILL before any checkpoint).
        world.upstream.stop()
        contents = queue_messages("wal")
        doctor.kill()
        sizes = {suffix: os.path.getsize(database + suffix) if os.path.exists(database + suffix) else None
                 for suffix in ("-wal", "-shm")}
        if not sizes["-wal"] or sizes["-shm"] is None:
            fail(f"SIGKILL left no -wal/-shm to test with: {sizes}")
        doctor.start()
        counts_now = doctor.status()["outbox"]
        queued = sum(counts_now.get(state, 0) for state in ("queued", "in_flight", "unknown"))
        drained()
        counts = upstream_counts(contents)
        if queued < len(contents) or counts != [1] * len(contents):
            fail(f"leftover WAL: {queued} queued after the restart, upstream counts {counts}")
        else:
            passed += 1
        print(f"  leftover -wal ({sizes['-wal']} bytes) and -shm: {queued} acknowledged entries found waiting after the "
              f"restart, each upstream once ({counts})", flush=True)

        # 3-5. A truncated database, a damaged page, a file that is not a database.
        for case, label in (("truncated", "a truncated database"), ("damaged page", "a database with a damaged page"),
                            ("not a database", "a file that is not a database")):
            world.upstream.stop()
            contents = queue_messages(case.split()[0])
            code = doctor.stop()
            if code != 0:
                fail(f"{case}: SIGTERM exit {code}")
            size = os.path.getsize(database)
            with open(database, "r+b") as f:
                if case == "truncated":
                    f.truncate(size * 6 // 10)
                elif case == "damaged page":
                    # The root page of the change journal (a table of the mirror, not the
                    # outbox): the file opens, its integrity check fails, the outbox is readable.
                    page_size, root = damaged_page(database)
                    f.seek((root - 1) * page_size)
                    f.write(bytes(rng.randrange(256) for _ in range(page_size)))
                else:
                    f.seek(0)
                    f.write(b"this is not a database\n" * 200)
            before = set(glob.glob(database + ".damaged-*"))
            with open(doctor.log, "rb") as f:
                log_offset = len(f.read())
            # Its stored session went with the file and vdapi is down: it cannot log in yet, so
            # wait for the socket only.
            doctor.start(wait=False)

            def serving():
                try:
                    return doctor.status()
                except (OSError, ValueError, RPCFailure):
                    return None
            if not wait_until(serving, 60) or not doctor.alive():
                raise RuntimeError(f"{case}: the daemon does not serve: {doctor.tail()}")
            moved = set(glob.glob(database + ".damaged-*")) - before
            carried = doctor.status()["outbox"]
            drained()
            counts = upstream_counts(contents)
            with open(doctor.log, "r", errors="replace") as f:
                f.seek(log_offset)
                new_lines = [line.rstrip() for line in f if "critical" in line]
            expected_critical += new_lines
            problems = []
            if not moved:
                problems.append("the file was not moved aside")
            if any(n > 1 for n in counts):
                problems.append(f"doubled upstream: {counts}")
            if problems:
                fail(f"{case}: " + "; ".join(problems))
            else:
                passed += 1
            print(f"  {label}: the daemon started, the file was moved aside ({len(moved)}), outbox after start "
                  f"{ {k: v for k, v in carried.items() if v} }; of {len(contents)} acknowledged messages "
                  f"{sum(counts)} reached the upstream once, {counts.count(0)} were lost with the file, 0 doubled; "
                  f"{len(new_lines)} critical log line(s)", flush=True)
    except Exception as error:  # noqa: BLE001
        fail(f"the check itself failed: {error!r} at {traceback.format_exc(limit=-3)!r}")
    finally:
        codes = world.stop()
        for role, code in codes.items():
            if code not in (0, None):
                fail(f"{role}'s vdsyncd exited {code} on SIGTERM")
        for line in world.crash_lines():
            if not any(expected[:60] in line for expected in expected_critical):
                fail(f"crash line: {line}")
    return passed


if __name__ == "__main__":
    import argparse
    import tempfile
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="vdsync-disk-")
    print("work", work)
    print(run_disk(args.bin, work, args.seconds, args.seed).summary())
