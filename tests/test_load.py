"""A short room (bench/load.py) against the real server, and CPU shared fairly between runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.load import fair_cpu, run_load
from server.cgroups import Cgroups


@pytest.mark.slow
def test_a_room_of_thirty_runs_everything_and_leaves_nothing() -> None:
    results = run_load(clients=30, rounds=1, timeout=300)
    room = results["rounds"][0]
    assert room["client_failure_count"] == 0, room["client_failures"]
    assert room["runs"] == {"expected": 60, "ok": 60, "other_exit": [], "refused": [], "lost": 0}
    # Two slots on this machine: most readers waited, and were told where they stood.
    assert room["queue"]["max_position"] >= 10 and room["queue"]["position_frames"] >= 30
    assert room["after"]["orphans"] == 0
    assert room["after"]["run_cgroups"] == results["before"]["run_cgroups"]  # the warm sandboxes' only
    assert results["after_stop"] == {"run_cgroups": [], "temp_dirs": [], "sandbox_processes": 0}


@pytest.mark.slow
def test_a_light_run_keeps_its_share_beside_busy_ones() -> None:
    results = fair_cpu(samples=3)
    if "skipped" in results["per-run"]:
        pytest.skip(results["per-run"]["skipped"])
    light = "one busy process"
    alone = results["per-run"]["light_alone_ms"][light]["median"]
    fair = results["per-run"]["light_beside_two_heavy_ms"][light]["median"]
    unfair = results["shared"]["light_beside_two_heavy_ms"][light]["median"]
    # Three runs on the cores: the light one gets a third of them or more, whatever the others start.
    assert fair < 3 * alone, results
    assert fair < unfair, results


def test_the_cpu_controller_is_used_when_the_machine_has_one(tmp_path: Path) -> None:
    mounts = tmp_path / "mounts"
    own = tmp_path / "cgroup"
    lines = [f"cgroup {tmp_path / name} cgroup rw,relatime,{name} 0 0" for name in ("pids", "memory", "cpu")]
    mounts.write_text("\n".join(lines) + "\n")
    own.write_text("3:cpu:/\n2:memory:/box\n1:pids:/\n")
    found = Cgroups.detect(str(mounts), str(own))
    assert found is not None and found.version == 1
    assert found.parents == {"pids": tmp_path / "pids" / "mpbook", "memory": tmp_path / "memory" / "box" / "mpbook",
                             "cpu": tmp_path / "cpu" / "mpbook"}
    mounts.write_text("\n".join(lines[:2]) + "\n")  # no cpu controller: runs still run, without fair shares
    assert set(Cgroups.detect(str(mounts), str(own)).parents) == {"pids", "memory"}  # type: ignore[union-attr]
