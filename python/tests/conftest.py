"""A real Shepherd cluster for the Python client's tests: two members started with bin/shepherd (daq1: manager and host,
daq2: host), over TLS with certificates made by bin/shepherd certs, on loopback. Every process is ended at the end."""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))

from shepherd import Client  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launcher_env(extra_opts=""):
    env = dict(os.environ)
    # After `mvn verify` (or a first bin/shepherd), everything is built: don't build again.
    if os.path.isdir(os.path.join(ROOT, "manager", "target", "lib")) and os.path.isdir(os.path.join(ROOT, "cli", "target", "lib")):
        env["SHEPHERD_NO_BUILD"] = "1"
    env["SHEPHERD_JAVA_OPTS"] = extra_opts
    return env


class Cluster:
    def __init__(self, base):
        self.base = base
        self.processes = []
        self.certs = os.path.join(base, "certs")
        subprocess.run([os.path.join(ROOT, "bin", "shepherd"), "certs", "--out", self.certs, "--members", "daq1,daq2,py"],
                       env=launcher_env(), check=True, stdout=subprocess.DEVNULL, timeout=300)
        self.tls_dir = os.path.join(self.certs, "py")
        tokens = dict(line.split() for line in open(os.path.join(self.tls_dir, "api-tokens")) if line.strip()
                      and not line.startswith("#"))
        self.operate_token = tokens["operate"]
        self.read_token = tokens["read"]
        self.port = free_port()
        self.api_port = free_port()
        self.api = "https://127.0.0.1:%d" % self.api_port
        self.start("daq1", "manager,host", self.port, self.api_port)
        self.start("daq2", "host", free_port(), 0)

    def start(self, host_id, roles, port, api_port):
        opts = " ".join([
            "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Dshepherd.tls.enabled=on", "-Dshepherd.tls.dir=" + os.path.join(self.certs, host_id),
            "-Dshepherd.api.port=%d" % api_port,
            "-Dshepherd.host.work-root=" + os.path.join(self.base, "work"),
            "-Dshepherd.logs.server.dir=" + os.path.join(self.base, "server-logs"),
            "-Dshepherd.host.allowed-packages.0=io.shepherd.host.nodes",
            "-Dshepherd.host.process.allowed.0=/usr/bin/*", "-Dshepherd.host.process.allowed.1=/bin/*",
            "-Dshepherd.watch-parent-pid=%d" % os.getpid()])
        log = open(os.path.join(self.base, host_id + ".log"), "wb")
        process = subprocess.Popen([os.path.join(ROOT, "bin", "shepherd"), "member", "--host-id", host_id, "--roles", roles,
                                    "--hostname", "127.0.0.1", "--port", str(port), "--seeds", "127.0.0.1:%d" % self.port],
                                   env=launcher_env(opts), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)

    def client(self, **kwargs):
        args = {"api": self.api, "tls_dir": self.tls_dir, "timeout": 20.0}
        args.update(kwargs)
        return Client(**args)

    def await_hosts(self, count, timeout=180):
        deadline = time.monotonic() + timeout
        last = None
        with self.client() as client:
            while time.monotonic() < deadline:
                try:
                    hosts = client.hosts()
                    if sum(1 for h in hosts if h["status"] == "UP") >= count:
                        return
                    last = hosts
                except Exception as e:  # the member is still starting
                    last = e
                time.sleep(0.5)
        raise AssertionError("the cluster's %d hosts did not come up: %s" % (count, last))

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in self.processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    running = Cluster(str(tmp_path_factory.mktemp("shepherd")))
    try:
        running.await_hosts(2)
        yield running
    finally:
        running.stop()


@pytest.fixture
def client(cluster):
    with cluster.client() as c:
        yield c


def eventually(condition, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out after %d s waiting for %s" % (timeout, what))
