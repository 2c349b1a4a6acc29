"""Heartbeat keys name the host as well as the pid: in Kubernetes every container's first
process is pid 1, and two pods' workers must not share (and overwrite) one beat."""

from shared import heartbeats

FRESH_TTL_MS = heartbeats.KEY_TTL_SECONDS * 1000


def test_two_pods_whose_workers_are_both_pid_1_are_two_beats():
    beats = heartbeats.parse([(heartbeats.key("triage", 1, host="triage-7d9f-a"), FRESH_TTL_MS),
                              (heartbeats.key("triage", 1, host="triage-7d9f-b"), FRESH_TTL_MS)])
    assert len(beats) == 2
    summary = heartbeats.summarise(beats, stale_after=10)
    assert summary["triage"] == {"alive": [1, 1], "stale": []}


def test_a_process_beats_under_its_own_host_name(monkeypatch):
    monkeypatch.setattr(heartbeats.socket, "gethostname", lambda: "clinic-host")
    assert heartbeats.key("relay", 42) == "clinic:heartbeat:relay:clinic-host:42"
    assert heartbeats.key("relay", 42) != heartbeats.key("relay", 42, host="other-host")


def test_keys_of_another_shape_are_not_beats():
    assert heartbeats.parse([(b"clinic:heartbeat:triage:42", FRESH_TTL_MS),
                             (b"clinic:heartbeat:triage:host:not-a-pid", FRESH_TTL_MS)]) == []
