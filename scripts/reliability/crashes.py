"""Issue 9 item 1 at process level: crashes at every durable step, and random SIGKILLs under load.

Both run a mixed workload of the three roles: three vdsyncd processes (the demo doctor,
assistant and patient, each with its own state directory and socket) against one vdapi, each
fed by one client (world.py says what each role submits and how each mutation's fate is known).

crashes: for each step (before-state, after-state, before-send, after-send) and n = 1..K, a
fresh world whose three daemons all run with VDSYNCD_CRASH_AT=<step>:<n> (each counts its own
steps, so each role ends at its own n-th one); the clients submit a fixed mixed plan; every
daemon that ended is started again on its state directory; then all drain and the upstream is
checked (exactly once for what was committed, nothing for what was not), the outboxes must
hold only applied entries, and a second run (stop, start, pull, drain) must change nothing.

kills: one world, the three clients submitting all the time, and SIGKILL at random moments to a
random daemon (right after its restart too), each started again at once; at the end the same
checks, and each daemon's mirror compared with the upstream. vdapi holds 15% of the outbox's
writes 1.5 s before their handler (`delay`: the handler runs even when the client is gone), and a
quarter of the kills first wait (up to 3 s) until the daemon's `status` shows an entry in flight:
the restarted daemon finds it unanswered, and must neither lose it nor send it again before its
settle time (world.py, SETTLE_SECONDS) has passed.
"""

import os
import random
import threading
import time
import traceback

from hostile import Result
from stack import RPCFailure
from world import (ROLES, WRITE_PATHS, LoopWorkload, Tally, World, Writer, check_outboxes, check_upstream, drain,
                   mirror_matches_upstream, one_time_plan, redact, PlanRun, second_run, snapshot, targets,
                   wait_until)

STEPS = ("before-state", "after-state", "before-send", "after-send")
# The kills' slow writes: held this long before the handler (below the read timeout: the daemon
# waits for them, and is killed meanwhile), at this rate; and the share of kills that wait for an
# entry in flight.
KILL_DELAY_MS = 1500
KILL_DELAY_RATE = 0.15
IN_FLIGHT_KILLS = 0.25


def run_crashes(bin_dir, work, state_n, send_n, seed):
    result = Result("crashes")
    print(f"== crashes: VDSYNCD_CRASH_AT=<step>:n on all three daemons, n = 1..{state_n} for state changes and "
          f"1..{send_n} for sends", flush=True)
    rng = random.Random(seed)
    tally = Tally()
    runs = crashed = not_reached = 0
    started = time.monotonic()
    for step in STEPS:
        upto = state_n if step.endswith("state") else send_n
        step_crashes = step_mutations = 0
        for n in range(1, upto + 1):
            outcome = _crash_run(bin_dir, work, step, n, rng, result)
            runs += 1
            crashed += outcome["crashed"]
            not_reached += 3 - outcome["crashed"]
            step_crashes += outcome["crashed"]
            step_mutations += outcome["tally"].mutations
            tally.add(outcome["tally"])
        print(f"  {step}: n = 1..{upto}, {step_crashes} daemons crashed and restarted, {step_mutations} mutations "
              f"checked ({time.monotonic() - started:.0f} s so far)", flush=True)
    print(f"  {runs} runs, {crashed} crashes and restarts ({not_reached} daemon-runs ended before their n-th step); "
          f"{tally.describe()}; by kind {dict(sorted(tally.kinds.items()))}", flush=True)
    result.figure("runs", runs)
    result.figure("crashes", crashed)
    result.figure("mutations", tally.mutations)
    result.figure("effects", tally.effects)
    result.figure("lost", tally.lost)
    result.figure("doubled", tally.doubled + tally.strays)
    return result


def _crash_run(bin_dir, work, step, n, rng, result):
    label = f"{step}:{n}"
    run_started = time.monotonic()
    world = World(bin_dir, work, f"crash-{step}-{n}")
    records = []
    outcome = {"crashed": 0, "tally": Tally()}

    def fail(message):
        result.fail(f"{label}: {redact(message)}")
    try:
        world.start(extra_env={role: {"VDSYNCD_CRASH_AT": label} for role in ROLES})
        t = targets(world)
        before = snapshot(world.upstream)
        tag = f"c{step[0]}{step.split('-')[1][0]}{n}x{rng.randrange(10 ** 6)}"
        lock = threading.Lock()
        plans = {role: PlanRun(Writer(world.daemons[role], records, lock), one_time_plan(role, t, tag, rng), t, 0.05)
                 for role in ROLES}
        # The plans run together; a daemon that ended (at its n-th step) is started again and its
        # plan resumed. Only the first start has the crash hook, so this ends.
        for _ in range(3):
            running = [role for role in ROLES if not plans[role].finished]
            if not running:
                break
            threads = [threading.Thread(target=plans[role].run) for role in running]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            for role in ROLES:
                daemon = world.daemons[role]

                def settled(daemon=daemon):
                    if not daemon.alive():
                        return True
                    try:
                        counts = daemon.status()["outbox"]
                    except (OSError, ValueError):
                        return False
                    return not any(counts.get(s, 0) for s in ("queued", "in_flight", "unknown"))
                # Each daemon ends at its n-th step, or drains when it has fewer steps.
                wait_until(settled, 20, 0.1)
                if daemon.alive():
                    # Only a plan that ran this round can have lost a reply in it (a plan whose
                    # last step was cut off, and resolved, does not run again).
                    if role in running and plans[role].outcome in ("cutoff", "down"):
                        fail(f"{role}: a reply was lost while its daemon kept running")
                        plans[role].index = len(plans[role].steps)
                    continue
                code = daemon.wait_exit(5)
                if code != 137:
                    fail(f"{role}'s vdsyncd exited {code}, not by the crash hook: {daemon.tail()}")
                outcome["crashed"] += 1
                daemon.start()
                if plans[role].outcome == "cutoff":
                    plans[role].writer.resolve_cutoff()
                    plans[role].resolved()
        phases = [("plan", time.monotonic())]
        _, problems = drain(world, records, timeout=90)
        phases.append(("drain", time.monotonic()))
        for problem in problems:
            fail(problem)
        check_outboxes(world, records, fail)
        outcome["tally"] = check_upstream(world, records, before, fail)
        phases.append(("check", time.monotonic()))
        second_run(world, fail)
        phases.append(("second run", time.monotonic()))
        if os.environ.get("RELIABILITY_VERBOSE"):
            print(f"    {label}: " + ", ".join(f"{name} {b - a:.1f} s" for (name, b), (_, a) in zip(phases[1:], phases)) +
                  f" (plans {phases[0][1] - run_started:.1f} s)", flush=True)
    except Exception as error:  # noqa: BLE001 - a run that cannot finish fails the check
        fail(f"the run itself failed: {error!r} at {traceback.format_exc(limit=-3)!r}")
    finally:
        codes = world.stop()
        for role, code in codes.items():
            if code not in (0, None):
                fail(f"{role}'s vdsyncd exited {code} on SIGTERM")
        for line in world.crash_lines():
            fail(f"crash line: {line}")
    return outcome


def run_kills(bin_dir, work, kills, seed, rate=4.0):
    result = Result("kills")
    print(f"== kills: {kills} SIGKILLs at random moments to the three daemons under a mixed load (seed {seed})", flush=True)
    rng = random.Random(seed)
    world = World(bin_dir, work, "kills")
    records = []
    lock = threading.Lock()
    stop = threading.Event()
    killed = {role: 0 for role in ROLES}
    in_flight_kills = 0
    failures = []

    def fail(message):
        result.fail(redact(message))
    try:
        world.start()
        t = targets(world)
        before = snapshot(world.upstream)
        tag = f"k{rng.randrange(10 ** 6)}"
        writers = {role: Writer(world.daemons[role], records, lock) for role in ROLES}
        for method, path in WRITE_PATHS:
            world.upstream.add_fault({"action": "delay", "delay_ms": KILL_DELAY_MS, "rate": KILL_DELAY_RATE,
                                      "method": method, "path": path})

        def writer_thread(role):
            daemon = world.daemons[role]

            def wait_back():
                return wait_until(lambda: daemon.alive() and daemon.wait_ready(0.5), 60, 0.05) is True
            try:
                LoopWorkload(role, t, tag, random.Random(rng.random())).run(writers[role], stop, rate, wait_back)
            except Exception as error:  # noqa: BLE001
                failures.append(f"{role}'s client failed: {error!r}")
        threads = [threading.Thread(target=writer_thread, args=(role,), daemon=True) for role in ROLES]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        last_report = started
        total = 0
        while total < kills:
            role = rng.choice(ROLES)
            daemon = world.daemons[role]
            # Now and then at once after the previous restart, else after a random moment; a quarter
            # of the time once the daemon has an entry in flight (most likely a held write).
            roll = rng.random()
            stop.wait(0 if roll < 0.15 else rng.uniform(0.2, 1.2))
            if roll >= 1 - IN_FLIGHT_KILLS:
                def in_flight(daemon=daemon):
                    try:
                        return daemon.status()["outbox"].get("in_flight", 0) > 0
                    except (OSError, ValueError, RPCFailure):
                        return False
                in_flight_kills += 1 if wait_until(in_flight, 3, 0.02) else 0
            daemon.kill()
            killed[role] += 1
            total += 1
            daemon.start(wait=False)
            if not daemon.wait_ready(60):
                raise RuntimeError(f"{role}'s vdsyncd did not come back after kill {total}: {daemon.tail()}")
            if time.monotonic() - last_report > 20:
                print(f"  {total} kills in {time.monotonic() - started:.0f} s; {len(records)} mutations so far", flush=True)
                last_report = time.monotonic()
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        for failure in failures:
            fail(failure)
        for role in ROLES:
            if writers[role].pending_cutoff is not None:
                writers[role].resolve_cutoff()
        duration = time.monotonic() - started
        seconds, problems = drain(world, records, timeout=180)
        for problem in problems:
            fail(problem)
        entries = check_outboxes(world, records, fail)
        tally = check_upstream(world, records, before, fail)
        compared = mirror_matches_upstream(world, fail)
        unchanged = second_run(world, fail)
        refused = {}
        for record in records:
            if record.fate == "refused":
                code = record.error.get("code")
                refused[code] = refused.get(code, 0) + 1
                if code != -32011:  # not logged in yet, right after a restart
                    fail(f"{record!r} refused: {record.error}")
        settled = sum(daemon.log_count("waiting for its last send to settle") for daemon in world.daemons.values())
        print(f"  {total} SIGKILLs in {duration:.0f} s ({', '.join(f'{r} {k}' for r, k in killed.items())}), each daemon "
              f"restarted, {in_flight_kills} of them with an entry in flight ({KILL_DELAY_RATE:.0%} of writes held "
              f"{KILL_DELAY_MS} ms); {settled} entries waited for their last send to settle; drained {seconds:.0f} s "
              f"after the load stopped; {entries} outbox entries", flush=True)
        print(f"  {tally.describe()}; refused by code {refused}; by kind {dict(sorted(tally.kinds.items()))}; "
              f"mirror records compared {compared}; second run changed nothing: {unchanged}", flush=True)
        result.figure("kills", total)
        result.figure("in_flight", in_flight_kills)
        result.figure("mutations", tally.mutations)
        result.figure("cut_off", sum(1 for r in records if r.fate in ("committed", "not_committed")))
        result.figure("effects", tally.effects)
        result.figure("lost", tally.lost)
        result.figure("doubled", tally.doubled + tally.strays)
    except Exception as error:  # noqa: BLE001
        fail(f"the check itself failed: {error!r} at {traceback.format_exc(limit=-3)!r}")
    finally:
        stop.set()
        codes = world.stop()
        for role, code in codes.items():
            if code not in (0, None):
                fail(f"{role}'s vdsyncd exited {code} on SIGTERM")
        for line in world.crash_lines():
            fail(f"crash line: {line}")
    return result


if __name__ == "__main__":
    import argparse
    import tempfile
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--state-n", type=int, default=2)
    parser.add_argument("--send-n", type=int, default=1)
    parser.add_argument("--kills", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="vdsync-crashes-")
    print("work", work)
    if args.state_n or args.send_n:
        print(run_crashes(args.bin, work, args.state_n, args.send_n, args.seed).summary())
    if args.kills:
        print(run_kills(args.bin, work, args.kills, args.seed).summary())
