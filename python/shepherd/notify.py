"""systemd's notify protocol, for programs that Shepherd (or systemd) runs: standard library only.

A process node whose readiness is ``notify`` is STARTING until it says it is ready; with liveness ``notify`` it must
say it is alive within its watchdog interval. Outside Shepherd and systemd (no ``NOTIFY_SOCKET``) every call does
nothing and answers False, so the same program runs anywhere::

    from shepherd import notify

    notify.status("loading calibration")
    load()
    notify.ready("taking data")        # READY=1: the node is RUNNING
    while True:
        acquire()
        notify.keepalive()             # WATCHDOG=1, at least every notify.watchdog_interval() seconds
"""

import os
import socket

__all__ = ["send", "ready", "status", "keepalive", "stopping", "extend_timeout", "watchdog_interval",
           "set_watchdog_interval"]


def send(*assignments):
    """Sends ``KEY=VALUE`` assignments in one datagram to ``NOTIFY_SOCKET``; False if there is none to send to."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    for assignment in assignments:
        if "\n" in assignment or "=" not in assignment:
            raise ValueError("an assignment is one line KEY=VALUE, got %r" % (assignment,))
    if address.startswith("@"):
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.sendto("\n".join(assignments).encode("utf-8"), address)
    return True


def ready(status_text=None):
    """The program is ready (``READY=1``), with an optional status text sent along."""
    return send("READY=1", *(["STATUS=" + _line(status_text)] if status_text is not None else []))


def status(text):
    """What the program is doing (``STATUS=``), shown in the node's status; "" clears it."""
    return send("STATUS=" + _line(text))


def keepalive():
    """The program is alive (``WATCHDOG=1``)."""
    return send("WATCHDOG=1")


def stopping():
    """The program is shutting down (``STOPPING=1``)."""
    return send("STOPPING=1")


def extend_timeout(seconds):
    """Asks for ``seconds`` more, from now, to become ready, or once told to stop (SIGTERM) to end before SIGKILL
    (``EXTEND_TIMEOUT_USEC``)."""
    return send("EXTEND_TIMEOUT_USEC=%d" % int(seconds * 1_000_000))


def watchdog_interval():
    """The seconds within which :func:`keepalive` must be called (from ``WATCHDOG_USEC``), or None without a watchdog."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    return int(usec) / 1_000_000 if usec.isdigit() and int(usec) > 0 else None


def set_watchdog_interval(seconds):
    """From now on :func:`keepalive` must be called within ``seconds`` (``WATCHDOG_USEC`` sent at run time; this call
    counts as one, and 0 turns the watchdog off) until the program's next start; :func:`watchdog_interval` answers it."""
    if seconds < 0:
        raise ValueError("a watchdog interval is 0 or more seconds, got %r" % (seconds,))
    usec = "%d" % int(seconds * 1_000_000)
    if not send("WATCHDOG_USEC=" + usec):
        return False
    os.environ["WATCHDOG_USEC"] = usec
    return True


def _line(text):
    return str(text).replace("\n", " ")
