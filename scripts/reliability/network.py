"""Issue 9 item 2 at process level: the link misbehaves during a mixed workload of the three roles.

For each scenario a fresh world (vdapi --seed demo on a database file, the demo doctor, assistant
and patient each in their own vdsyncd; world.py) runs the three clients' mixed traffic for a few
seconds while vdapi (through its admin port) or the script breaks the link:

  reset_after_commit     the reply is lost after the handler committed (30% of requests)
  reset_before_handler   the connection is reset before the handler runs (30%)
  black hole             no answer at all until the daemon's own timeout (every request, `hang`
                         for 20 s, longer than vdsyncd's 15 s read timeout)
  slow server            writes held before their handler past the daemons' read timeout (here
                         VDSYNC_READ_TIMEOUT=2): `delay` 3 s (30%) and 1 s (30%, so 4 s when both
                         fire), and some of them then reset before the handler (15%); the held
                         ones that are not reset commit after the daemon gave up on them
  flapping link          vdapi killed and started again on the same port and data, down and up
                         every 1-2 s
  5xx storm              500 before the handler (60%) and 502 after the commit (30%)
  truncated bodies       the real headers, half the body, then the connection closes (30%)
  token expiry           the caller's token expires before authentication (15%): 4002, log in again
  upstream restarted     vdapi stopped (SIGTERM) and started again on the same port with the same
                         database, twice

Faults apply to every request (pulls, sends, read-back checks, logins; the slow server's only to
the outbox's writes, world.WRITE_PATHS). Every daemon runs with a settle time above the longest
delay (world.SETTLE_SECONDS). Then the fault is
removed, the outboxes drain, and the checks of world.py run: every committed mutation's effect
upstream exactly once (none for one that was not), every entry applied, and each daemon's
mirror equal to what vdapi answers that account over HTTP.
"""

import random
import signal
import threading
import time
import traceback

from hostile import Result
from world import (ROLES, WRITE_PATHS, LoopWorkload, Tally, World, Writer, check_outboxes, check_upstream, drain,
                   mirror_matches_upstream, redact, snapshot, targets)

SCENARIOS = ["reset_after_commit", "reset_before_handler", "black_hole", "slow_server", "flapping", "5xx_storm",
             "truncate_body", "expire_token", "upstream_restart"]
# The slow server's read timeout: its 3 and 4 s delays are beyond it, its 1 s delays are not.
SLOW_READ_TIMEOUT = 2
DAEMON_ENV = {"slow_server": {"VDSYNC_READ_TIMEOUT": str(SLOW_READ_TIMEOUT)}}
RULES = {
    "reset_after_commit": [{"action": "reset_after_commit", "rate": 0.3}],
    "reset_before_handler": [{"action": "reset_before_handler", "rate": 0.3}],
    "black_hole": [{"action": "hang", "rate": 1.0, "delay_ms": 20000}],
    "5xx_storm": [{"action": "server_error_before_handler", "rate": 0.6},
                  {"action": "server_error_after_commit", "rate": 0.3}],
    "truncate_body": [{"action": "truncate_body", "rate": 0.3}],
    "expire_token": [{"action": "expire_token", "rate": 0.15}],
    # Rules fire independently, in order: a write is held 0, 1, 3 or 4 s (at most
    # world.LONGEST_DELAY_MS, below the settle time), then maybe reset before its handler.
    "slow_server": [dict(rule, method=method, path=path) for method, path in WRITE_PATHS for rule in (
        {"action": "delay", "delay_ms": 3000, "rate": 0.3}, {"action": "delay", "delay_ms": 1000, "rate": 0.3},
        {"action": "reset_before_handler", "rate": 0.15})],
}


def describe(rules):
    """The distinct rules, without their paths: "delay 3000 ms 30%, ..."."""
    seen = []
    for rule in rules:
        text = rule["action"] + (f" {rule['delay_ms']} ms" if rule["action"] == "delay" else "") + f" {rule['rate']:.0%}"
        if text not in seen:
            seen.append(text)
    return ", ".join(seen) + (" on the outbox's writes" if any("path" in r for r in rules) else "")


def run_network(bin_dir, work, seconds, seed, only=None):
    result = Result("network")
    print(f"== network: {len(only or SCENARIOS)} link faults, each during {seconds:.0f} s of mixed traffic of the "
          f"three roles (seed {seed})", flush=True)
    rng = random.Random(seed)
    total = Tally()
    compared_total = 0
    for name in only or SCENARIOS:
        started = time.monotonic()
        tally, compared, notes = _scenario(bin_dir, work, name, seconds, rng, result)
        total.add(tally)
        compared_total += compared
        print(f"  {name}: {tally.describe()}; {notes}; mirror records compared {compared} "
              f"({time.monotonic() - started:.0f} s)", flush=True)
    print(f"  all: {total.describe()}; by kind {dict(sorted(total.kinds.items()))}", flush=True)
    result.figure("scenarios", len(only or SCENARIOS))
    result.figure("mutations", total.mutations)
    result.figure("effects", total.effects)
    result.figure("lost", total.lost)
    result.figure("doubled", total.doubled + total.strays)
    result.figure("mirror_records", compared_total)
    return result


def _scenario(bin_dir, work, name, seconds, rng, result):
    world = World(bin_dir, work, f"network-{name}", daemon_env=DAEMON_ENV.get(name))
    records = []
    lock = threading.Lock()
    stop = threading.Event()
    failures = []
    tally, compared, notes = Tally(), 0, ""

    def fail(message):
        result.fail(f"{name}: {redact(message)}")
    try:
        world.start()
        t = targets(world)
        before = snapshot(world.upstream)
        tag = f"n{name[:3]}{rng.randrange(10 ** 6)}"
        writers = {role: Writer(world.daemons[role], records, lock) for role in ROLES}

        def client(role):
            try:
                LoopWorkload(role, t, tag, random.Random(rng.random())).run(writers[role], stop, 3.0, lambda: False)
            except Exception as error:  # noqa: BLE001
                failures.append(f"{role}'s client failed: {error!r}")
        for rule in RULES.get(name, []):
            world.upstream.add_fault(rule)
        threads = [threading.Thread(target=client, args=(role,), daemon=True) for role in ROLES]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        if name == "flapping":
            flips = 0
            while time.monotonic() - started < seconds:
                stop.wait(rng.uniform(1, 2))
                world.upstream.stop(signal.SIGKILL)
                stop.wait(rng.uniform(1, 2))
                world.upstream.start()
                flips += 1
            notes = f"vdapi killed and started again {flips} times"
        elif name == "upstream_restart":
            for _ in range(2):
                stop.wait(seconds / 3)
                code = world.upstream.stop()
                stop.wait(1.5)
                world.upstream.start()
                notes += f"vdapi stopped (exit {code}) and started on the same port and data; "
            stop.wait(max(0.0, seconds - (time.monotonic() - started)))
            notes = notes.rstrip("; ")
        else:
            stop.wait(seconds)
            notes = "faults: " + describe(RULES[name])
        stop.set()
        if world.upstream.alive():
            world.upstream.clear_faults()
        else:
            world.upstream.start()
        for thread in threads:
            thread.join(timeout=120)
        for failure in failures:
            fail(failure)
        drained, problems = drain(world, records, timeout=180)
        for problem in problems:
            fail(problem)
        notes += f"; drained {drained:.0f} s after the fault ended"
        check_outboxes(world, records, fail)
        tally = check_upstream(world, records, before, fail)
        compared = mirror_matches_upstream(world, fail)
        attempts = checks = 0
        for role in ROLES:
            for entry in world.daemons[role].entries():
                attempts += max(0, entry["attempts"] - 1)
                checks += entry["checks"]
        notes += f"; {attempts} extra sends and {checks} read-back checks"
        settled = sum(daemon.log_count("waiting for its last send to settle") for daemon in world.daemons.values())
        if settled:
            notes += f"; {settled} entries waited for their last send to settle"
        refused = [r for r in records if r.fate == "refused"]
        for record in refused:
            fail(f"{record!r} refused: {record.error}")
        if not any(r.committed for r in records):
            fail("no mutation was committed")
    except Exception as error:  # noqa: BLE001
        fail(f"the scenario itself failed: {error!r} at {traceback.format_exc(limit=-3)!r}")
    finally:
        stop.set()
        codes = world.stop()
        for role, code in codes.items():
            if code not in (0, None):
                fail(f"{role}'s vdsyncd exited {code} on SIGTERM")
        for line in world.crash_lines():
            fail(f"crash line: {line}")
    return tally, compared, notes


if __name__ == "__main__":
    import argparse
    import tempfile
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--only")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="vdsync-network-")
    print("work", work)
    print(run_network(args.bin, work, args.seconds, args.seed, args.only.split(",") if args.only else None).summary())
