#!/usr/bin/env python3
"""Where the machine's CPU goes during a load step, per search (Linux /proc; issue 14).

  cpu_sampler.py record SERVER_PID OUT   samples once a second until killed: the server's threads
                                         (inference workers apart) and the whole machine, as JSON lines
  cpu_sampler.py report OUT FROM_MS TO_MS SEARCHES
                                         CPU ms per search between the samples nearest two instants
                                         (epoch ms, as CapacitySimulation prints them): one POISK-CPU line

The rest of the machine ("others") is mostly the load generator, which shares the cores in these runs. Capacity
cannot pass 1000 ms x cores / (all three per search), however fast the model alone is.
"""
import json
import os
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


def thread_ticks(pid):
    inference, rest = 0, 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # a thread that ended between the listing and the read
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        ticks = int(fields[11]) + int(fields[12])  # utime + stime
        if name.startswith("poisk-inference"):
            inference += ticks
        else:
            rest += ticks
    return inference, rest


def machine_busy_ticks():
    with open("/proc/stat") as f:
        cpu = f.readline().split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(v) for v in cpu[:8])
    return user + nice + system + irq + softirq + steal


def record(pid, out):
    with open(out, "a") as f:
        while os.path.exists(f"/proc/{pid}"):
            inference, rest = thread_ticks(pid)
            f.write(json.dumps({"ms": int(time.time() * 1000), "inference": inference, "server_rest": rest,
                                "machine": machine_busy_ticks()}) + "\n")
            f.flush()
            time.sleep(1)


def report(samples_file, from_ms, to_ms, searches):
    samples = [json.loads(line) for line in open(samples_file)]
    if len(samples) < 2 or searches <= 0:
        print(f"POISK-CPU unavailable (samples={len(samples)} searches={searches})")
        return
    a = min(samples, key=lambda s: abs(s["ms"] - from_ms))
    b = min(samples, key=lambda s: abs(s["ms"] - to_ms))
    if b["ms"] <= a["ms"]:
        print("POISK-CPU unavailable (no samples inside the window)")
        return
    per = lambda key: (b[key] - a[key]) * 1000.0 / HZ / searches
    inference, rest, machine = per("inference"), per("server_rest"), per("machine")
    others = max(0.0, machine - inference - rest)
    cores = os.cpu_count()
    seconds = (b["ms"] - a["ms"]) / 1000.0
    print(f"POISK-CPU seconds={seconds:.1f} searches={searches} ms_per_search: inference={inference:.1f} "
          f"server_rest={rest:.1f} others={others:.1f} all={machine:.1f} machine_busy={machine * searches / seconds / 10 / cores:.0f}% "
          f"ceiling_searches_per_s={1000.0 * cores / machine:.1f}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "record":
        record(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 6 and sys.argv[1] == "report":
        report(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(__doc__)
