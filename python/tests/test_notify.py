"""shepherd.notify against a real Unix datagram socket, as systemd and Shepherd's hosts listen."""

import os
import socket

import pytest

from shepherd import notify


@pytest.fixture
def listener(tmp_path, monkeypatch):
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(10)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    yield sock
    sock.close()


def test_each_call_sends_its_assignment(listener):
    assert notify.ready("taking data")
    assert listener.recv(4096) == b"READY=1\nSTATUS=taking data"
    notify.status("two\nlines")
    assert listener.recv(4096) == b"STATUS=two lines"
    notify.keepalive()
    assert listener.recv(4096) == b"WATCHDOG=1"
    notify.stopping()
    assert listener.recv(4096) == b"STOPPING=1"
    notify.extend_timeout(2.5)
    assert listener.recv(4096) == b"EXTEND_TIMEOUT_USEC=2500000"


def test_an_abstract_socket_is_reached_too(monkeypatch):
    name = "shepherd-test-%d" % os.getpid()
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(10)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert notify.ready()
        assert sock.recv(4096) == b"READY=1"


def test_without_a_socket_nothing_is_sent(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert notify.ready() is False
    assert notify.keepalive() is False


def test_the_watchdog_interval_comes_from_watchdog_usec(monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "1500000")
    assert notify.watchdog_interval() == 1.5
    monkeypatch.setenv("WATCHDOG_USEC", "soon")
    assert notify.watchdog_interval() is None
    monkeypatch.delenv("WATCHDOG_USEC")
    assert notify.watchdog_interval() is None


def test_a_watchdog_interval_set_at_run_time_is_sent_and_then_answered(listener, monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "400000")
    assert notify.set_watchdog_interval(3)
    assert listener.recv(4096) == b"WATCHDOG_USEC=3000000"
    assert notify.watchdog_interval() == 3
    assert notify.set_watchdog_interval(0)
    assert listener.recv(4096) == b"WATCHDOG_USEC=0"
    assert notify.watchdog_interval() is None, "0: no watchdog"
    with pytest.raises(ValueError):
        notify.set_watchdog_interval(-1)


def test_without_a_socket_a_watchdog_interval_is_neither_sent_nor_kept(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    monkeypatch.setenv("WATCHDOG_USEC", "400000")
    assert notify.set_watchdog_interval(3) is False
    assert notify.watchdog_interval() == 0.4


def test_a_bad_assignment_is_refused(listener):
    with pytest.raises(ValueError):
        notify.send("READY=1\nSTATUS=x")
    with pytest.raises(ValueError):
        notify.send("READY")
