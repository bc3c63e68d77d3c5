"""Resident memory of the processes a deployment runs: gunicorn workers and the alert scheduler.

Why: issue 7's budget is < 400 MB RSS per gunicorn worker; the scheduler runs beside them on the
same machine. Read from /proc (Linux), so no psutil is needed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def rss_mb(pid: int) -> float:
    """VmRSS of a process in MiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def memory_mb(pid: int) -> dict[str, float]:
    """RSS split the way it matters on a shared machine (/proc/<pid>/smaps_rollup).

    RSS counts every page a process maps, including the database file SQLite maps read-only
    (PRAGMA mmap_size): those pages are the kernel's page cache, held once however many workers
    map them, and dropped under memory pressure. `anon` is the process's own memory; `pss`
    charges each shared page to its sharers in equal parts, so the workers' PSS sum to what they
    really cost together.
    """
    fields = {
        "Rss:": "rss",
        "Pss:": "pss",
        "Pss_Anon:": "anon_pss",
        "Anonymous:": "anon",
        "Pss_File:": "file_pss",
    }
    out = dict.fromkeys(fields.values(), 0.0)
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(" ")
            if name in fields:
                out[fields[name]] = int(rest.split()[0]) / 1024
    except OSError:
        pass
    return out


def children(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers are its master's)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(entry.name))
    return sorted(out)


def scheduler_rss(database_url: str, seconds: float, env: dict[str, str]) -> dict[str, float]:
    """Start `python -m alerts run` for `seconds` (bounded), sampling its RSS every 0.25 s.

    The scheduler runs its jobs on its own timetable; over the window it starts, migrates, and runs
    whatever jobs fall due (the first tick included when it ticks on start). Peak and last RSS.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "alerts", "--database-url", database_url, "run"],
        cwd=REPO,
        env={**os.environ, **env, "ALERTS_METRICS_PORT": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak = last = 0.0
    early: int | None = None
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline and process.poll() is None:
            last = rss_mb(process.pid)
            peak = max(peak, last)
            time.sleep(0.25)
        early = process.poll()
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return {"peak": peak, "last": last, "exited_early": float(early is not None)}
