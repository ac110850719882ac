"""The Python client against a real two-member cluster over TLS (see conftest.py)."""

import os
import re
import signal
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT, eventually
from shepherd import (Client, DuplicateName, Forbidden, InvalidArgument, InvalidTransition, NodeManager, NoManagerReachable,
                      NoSuchNode, NotAllowed, Unauthorized, UnknownType)


def test_status_lists_the_members_hosts_and_manager(client):
    status = client.status()
    assert status["manager"]["epoch"] >= 1
    assert sorted(h["id"] for h in status["hosts"]) == ["daq1", "daq2"]
    assert len(status["members"]) == 2, "a client never joins the cluster"
    assert all("member" in m["roles"] for m in status["members"])


def test_a_node_goes_through_its_lifecycle(client):
    client.create_group("daq2/life")
    created = client.create_node("daq2/life/sine", "sine", {"frequency": 3})
    assert created["state"] == "CREATED"
    assert client.configure("daq2/life/sine")["state"] == "CONFIGURED"
    assert client.initialize("daq2/life/sine")["state"] == "INITIALIZED"
    assert client.start("daq2/life/sine")["state"] == "RUNNING"
    assert client.stop("daq2/life/sine")["state"] == "STOPPED"
    assert client.request("daq2/life/sine", "running", wait=True)["state"] == "RUNNING"
    assert client.node("daq2/life/sine")["arrived"] is True
    client.remove_node("daq2/life/sine")
    client.remove_group("daq2/life")
    assert not [n for n in client.nodes("daq2/life/*")]


def test_a_node_type_registered_at_run_time_runs_its_class_and_a_bad_class_registers_nothing(client):
    # pyacq's register_node_type_from_module, scoped to a group as pyacq's NodeGroup does.
    client.create_group("daq2/reg")
    assert "registered node type PySine" in client.register_node_type("daq2/reg", "PySine", "io.shepherd.host.nodes.SineNode")
    client.create_node("daq2/reg/s", "PySine", {"frequency": 2}, requested="RUNNING")
    eventually(lambda: client.node("daq2/reg/s")["state"] == "RUNNING", "the node of the registered type running")
    assert client.node("daq2/reg/s")["agentClass"] == "io.shepherd.host.nodes.SineNode"
    with pytest.raises(UnknownType):
        client.register_node_type("daq2/reg", "Ghost", "io.shepherd.host.nodes.Ghost")
    with pytest.raises(NotAllowed) as outside:
        client.register_node_type("daq2/reg", "Dict", "java.util.HashMap")
    assert "allowed-packages" in str(outside.value)
    group = [g for g in client.status()["groups"] if g["path"] == "daq2/reg"][0]
    assert group["types"] == {"PySine": "io.shepherd.host.nodes.SineNode"}, group
    client.remove_group("daq2/reg")


def test_refusals_are_typed_say_why_and_change_nothing(client, cluster):
    client.create_group("daq1/refused")
    client.create_node("daq1/refused/n", "noop")
    before = [(n["path"], n["state"], n["requested"], n["seq"]) for n in client.nodes()]
    with pytest.raises(InvalidTransition, match="cannot start daq1/refused/n: it is CREATED"):
        client.start("daq1/refused/n")
    with pytest.raises(NoSuchNode, match="no node daq1/refused/ghost"):
        client.start("daq1/refused/ghost")
    with pytest.raises(InvalidArgument, match="invalid node path"):
        client.start("daq1/refused")
    with pytest.raises(UnknownType, match="unknown node type 'sinus'"):
        client.create_node("daq1/refused/x", "sinus")
    with pytest.raises(NotAllowed):
        client.create_node("daq1/refused/x", "java.lang.Runtime")
    with pytest.raises(DuplicateName):
        client.create_node("daq1/refused/n", "noop")
    with pytest.raises(InvalidArgument, match="nothing was changed"):
        client.up("daq1/refused/n", "daq1/nowhere")
    assert [(n["path"], n["state"], n["requested"], n["seq"]) for n in client.nodes()] == before


def test_credentials_are_checked(cluster):
    # No certificate and no token: refused.
    with Client(api=cluster.api, cafile=os.path.join(cluster.tls_dir, "ca.pem"), certfile="/nonexistent",
                keyfile="/nonexistent") as anonymous:
        with pytest.raises(Unauthorized, match="client certificate"):
            anonymous.status()
    # A read token reads, and may not operate.
    with Client(api=cluster.api, cafile=os.path.join(cluster.tls_dir, "ca.pem"), certfile="/nonexistent",
                keyfile="/nonexistent", token=cluster.read_token) as reader:
        assert reader.status()["hosts"]
        with pytest.raises(Forbidden, match="may only read"):
            reader.up("all")
    # An operate token operates.
    with Client(api=cluster.api, cafile=os.path.join(cluster.tls_dir, "ca.pem"), certfile="/nonexistent",
                keyfile="/nonexistent", token=cluster.operate_token) as operator:
        operator.create_group("daq1/by-token", persistent=True)
        operator.remove_group("daq1/by-token")
    # Plain HTTP to an HTTPS API: a clear error, no hang.
    with Client(api=cluster.api.replace("https", "http"), timeout=5) as plain:
        with pytest.raises(NoManagerReachable, match="HTTPS"):
            plain.status()


def test_process_nodes_input_kill_purge_ports_and_environment(client, tmp_path):
    out = tmp_path / "echo.txt"
    client.create_group("daq2/proc")
    client.set_env("daq2", "SHEPHERD_PY_TEST", "42")
    assert client.get_env("daq2", "SHEPHERD_PY_TEST") == "42"
    ports = client.bind_tcp("daq2", 2)
    assert len(ports) == 2 and all(1 <= p <= 65535 for p in ports)
    assert set(ports) <= set(client.reserved_ports("daq2"))
    assert sorted(client.release("daq2", ports)) == sorted(ports)
    assert not set(ports) & set(client.reserved_ports("daq2"))
    client.create_process("daq2/proc/cat", ["/bin/sh", "-c", "echo $SHEPHERD_PY_TEST > %s; cat >> %s" % (out, out)], stdin=True)
    eventually(lambda: client.node("daq2/proc/cat")["state"] == "RUNNING", "the process running")
    client.send_input("daq2/proc/cat", "hello from python")
    eventually(lambda: out.exists() and "hello from python" in out.read_text(), "the line written to the process's stdin")
    assert out.read_text().startswith("42\n"), "the host environment reached the process"
    killed = client.kill("daq2/proc/cat")
    assert killed["state"] == "STOPPED"
    client.purge("daq2/proc/cat")
    assert not client.nodes("daq2/proc/*")
    client.set_env("daq2", "SHEPHERD_PY_TEST", None)
    assert client.get_env("daq2", "SHEPHERD_PY_TEST") is None

    # Architect's one-shot roles: a clean exit under on-failure is done, not restarted, and can be purged.
    client.create_process("daq2/proc/once", ["/bin/sh", "-c", "sleep 0.2; exit 0"], autorestart="on-failure")
    eventually(lambda: client.node("daq2/proc/once")["requested"] == "STOPPED", "the role done and its request following")
    once = client.node("daq2/proc/once")
    assert (once["state"], once["exit"], once["restarts"], once["agentClass"]) == ("STOPPED", "exit 0", 0, "/bin/sh")
    client.purge("daq2/proc/once")
    with pytest.raises(InvalidArgument) as refused:
        client.create_process("daq2/proc/bad", ["/bin/true"], autorestart="sometimes")
    assert "autorestart must be always, on-failure or never" in str(refused.value)
    assert not client.nodes("daq2/proc/*")
    client.remove_group("daq2/proc")


def test_a_process_speaking_the_notify_protocol_is_starting_until_it_says_ready(client, tmp_path):
    """A Python program using shepherd.notify, run by a real host: STARTING (with its status text) until READY=1."""
    go = tmp_path / "go"
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    program = ("import os, time\nfrom shepherd import notify\nnotify.status('waiting for go')\n"
               "while not os.path.exists(%r): time.sleep(0.05)\nnotify.ready('taking data')\ntime.sleep(600)\n" % str(go))
    client.create_group("daq2/ready")
    client.create_process("daq2/ready/daq", ["/usr/bin/python3", "-c", program], env={"PYTHONPATH": package},
                          readiness="notify", start_timeout=60)
    starting = eventually(lambda: (lambda n: n if n["state"] == "STARTING" and n["statusText"] else None)(
        client.node("daq2/ready/daq")), "the node STARTING with its status text")
    assert starting["statusText"] == "waiting for go" and not starting["arrived"] and starting["pid"]
    go.write_text("")
    running = eventually(lambda: (lambda n: n if n["state"] == "RUNNING" else None)(client.node("daq2/ready/daq")),
                         "the node RUNNING once it said READY=1")
    assert running["statusText"] == "taking data" and running["restarts"] == 0
    with pytest.raises(InvalidArgument) as refused:
        client.create_process("daq2/ready/bad", ["/bin/true"], readiness={"type": "tcp"})
    assert "a tcp check needs a port" in str(refused.value)
    with pytest.raises(InvalidArgument):
        client.create_process("daq2/ready/bad", ["/bin/true"], readiness={"type": "tcp", "port": 80, "every": 1})
    # A node that depends on it starts only once it runs, and waits (saying for what) while it does not.
    client.request("daq2/ready/daq", "STOPPED", wait=True)
    client.create_process("daq2/ready/after", ["/bin/sleep", "600"], depends_on=["daq2/ready/daq"])
    held = eventually(lambda: (lambda n: n if n["waitingFor"] else None)(client.node("daq2/ready/after")),
                      "the dependent waiting")
    assert held["waitingFor"] == "waiting for daq2/ready/daq: STOPPED" and held["pid"] is None
    assert held["requested"] == "RUNNING"
    client.request("daq2/ready/daq", "RUNNING")
    eventually(lambda: client.node("daq2/ready/after")["state"] == "RUNNING", "the dependent started after it")
    with pytest.raises(InvalidArgument) as missing:
        client.create_process("daq2/ready/orphan", ["/bin/true"], depends_on=["daq2/ready/nothing"])
    assert "depends on daq2/ready/nothing, which does not exist" in str(missing.value)
    client.remove_node("daq2/ready/after")
    client.remove_node("daq2/ready/daq")
    assert not client.nodes("daq2/ready/*")
    client.remove_group("daq2/ready")


def test_log_levels_are_set_at_run_time_shown_in_status_and_undone(client):
    assert "set to DEBUG" in client.set_log_level("logger:io.shepherd.pytest", "debug")
    hosts = {h["id"]: h for h in client.hosts()}
    assert all(h["logLevels"].get("logger:io.shepherd.pytest") == "DEBUG" for h in hosts.values()), hosts
    assert "back to its configured one" in client.set_log_level("logger:io.shepherd.pytest", "default")
    assert all("logger:io.shepherd.pytest" not in h["logLevels"] for h in client.hosts())
    with pytest.raises(InvalidArgument) as bad:
        client.set_log_level("daq2", "LOUD")
    assert "log level must be TRACE, DEBUG, INFO, WARN, ERROR, OFF or default" in str(bad.value)
    with pytest.raises(NoSuchNode):
        client.set_log_level("daq2/nowhere/x", "DEBUG")


def test_a_site_file_is_planned_applied_and_targets_go_up_down_and_restart(client, tmp_path):
    site = tmp_path / "site.conf"
    site.write_text(textwrap.dedent("""
        hosts {
          daq1.groups.pysite.nodes {
            a { type = noop }
            b { type = counter, target = down }
          }
        }
    """))
    plan = client.apply(str(site), dry_run=True)
    assert plan["dryRun"] is True
    assert plan["added"] == ["daq1/pysite/a", "daq1/pysite/b"]
    assert not client.nodes("daq1/pysite/*"), "a dry run changes nothing"
    applied = client.apply(str(site))
    assert applied["added"] == ["daq1/pysite/a", "daq1/pysite/b"]
    eventually(lambda: {n["path"]: n["state"] for n in client.nodes("daq1/pysite/*")} ==
               {"daq1/pysite/a": "RUNNING", "daq1/pysite/b": "INITIALIZED"}, "the site's nodes up and down")
    client.update([("daq1/pysite", "up"), ("a", "down")])  # "a": a node name unique in the cluster (OCS instance id)
    eventually(lambda: {n["path"]: n["state"] for n in client.nodes("daq1/pysite/*")} ==
               {"daq1/pysite/a": "STOPPED", "daq1/pysite/b": "RUNNING"}, "a later request winning")
    assert "restarted 2 nodes" in client.restart("daq1/pysite")
    assert all(n["state"] == "RUNNING" for n in client.nodes("daq1/pysite/*"))
    with pytest.raises(InvalidArgument, match="unknown key 'typo'"):
        client.apply("hosts.daq1.groups.g.nodes.n { typo = sine }", source="bad.conf")
    site.write_text("hosts { }\n")
    assert sorted(client.apply(str(site))["removed"]) == ["daq1/pysite/a", "daq1/pysite/b"]


def test_events_stream_live_and_resume_from_the_last_id(client):
    client.create_group("daq1/ev", persistent=True)
    events = client.events(node="daq1/ev/*")
    client.create_node("daq1/ev/n", "noop", requested="RUNNING")
    seen = []
    while not seen or not (seen[-1]["type"] == "node" and seen[-1].get("state") == "RUNNING"):
        seen.append(events.next(timeout=60))
    events.close()
    assert [e["state"] for e in seen if e["type"] == "node"][-1] == "RUNNING"
    assert all(re.match(r"^\d+-\d+$", e["id"]) for e in seen)
    # Resuming after the first event gives every later one, in order.
    resumed = client.events(node="daq1/ev/*", last_id=seen[0]["id"])
    again = [resumed.next(timeout=60) for _ in range(len(seen) - 1)]
    resumed.close()
    assert [e["id"] for e in again] == [e["id"] for e in seen[1:]]
    client.remove_group("daq1/ev")


def test_logs_tail_and_follow(client):
    client.create_group("daq2/talk")
    follow = client.logs(follow=True, node="daq2/talk/*")
    client.create_process("daq2/talk/echo", ["/bin/sh", "-c", "echo spoken from a process; sleep 600"])
    record = follow.next(timeout=60)
    while record["message"] != "spoken from a process":
        record = follow.next(timeout=60)
    follow.close()
    assert record["node"] == "daq2/talk/echo" and record["level"] == "INFO"
    tail = list(client.logs(node="daq2/talk/*", limit=10))
    assert any(r["message"] == "spoken from a process" for r in tail)
    client.remove_group("daq2/talk")


def test_guardian_node_manager_idioms(cluster, client):
    client.create_group("daq1/guard", persistent=True)
    client.create_node("daq1/guard/flaky", "flaky", {"fail-after": "300ms", "fail-times": "1"})
    client.create_node("daq1/guard/steady", "noop")
    with cluster.client() as managing:
        nodes = NodeManager(["daq1/guard/flaky", "daq1/guard/steady"], client=managing)
        nodes.set_managed()
        assert all(n.mode == "MANAGED" for n in nodes)
        nodes["daq1/guard/steady"] = "RUNNING"
        nodes["daq1/guard/flaky"] = "RUNNING"
        eventually(lambda: nodes["daq1/guard/steady"] == "RUNNING", "the steady node running")
        stalled = eventually(lambda: nodes.get_stalled_nodes(), "the flaky node to stall")
        assert [n.path for n in stalled] == ["daq1/guard/flaky"]
        assert nodes["daq1/guard/flaky"].stalled
        assert not nodes.arrived
        assert nodes["daq1/guard/flaky"].status["restarts"] == 0, "a managed node is not restarted by Shepherd"

        faults = eventually(nodes.check, "the crash reported to the manager")
        assert faults[0]["kind"] == "node-error" and "flaky node failed after 300 ms" in faults[0]["reason"], faults
        assert nodes.check() == [], "check returns the faults since the last check"
        for node in nodes.get_stalled_nodes():
            node.revive()
        eventually(lambda: nodes.arrived, "every node arrived after the revive")

        @nodes.checker(fail_return="DOWN")
        def main():
            return "ran"

        assert main() == "ran"
        with pytest.raises(InvalidArgument):
            nodes.checker(fail_return="SIDEWAYS")
        # Another client takes a node over: a fault for this manager, and the checker jumps: every node of the set
        # it still manages is requested down, once for this fault (the one taken over refuses it).
        client.set_mode(["daq1/guard/steady"], "MANAGED", manager="another-manager")
        eventually(lambda: main() == "DOWN", "the checker to see the take-over")
        flaky = nodes["daq1/guard/flaky"]
        eventually(lambda: flaky.status["requested"] == "STOPPED" and flaky.status["arrived"], "the node it still manages down")
        assert nodes["daq1/guard/steady"].status["requested"] == "RUNNING", "the node taken over is the other manager's"
        assert main() == "ran", "no fault since the last check"
        # Another client sets a node AUTO: a fault, which check acts on and says what it did.
        nodes["daq1/guard/flaky"] = "RUNNING"
        client.set_mode(["daq1/guard/flaky"], "AUTO")
        faults = eventually(lambda: nodes.check(fail_return="down"), "the mode change")
        assert faults[0]["kind"] == "mode-changed", faults
        assert faults[0]["action"].startswith("requested STOPPED of daq1/guard/flaky; refused: daq1/guard/steady (node "
                                              "daq1/guard/steady is managed by another-manager"), faults
        eventually(lambda: nodes["daq1/guard/flaky"].status["requested"] == "STOPPED", "the jump")
        managing.set_mode(["daq1/guard/flaky"], "MANAGED", managing.client_id)
        # Guardian's contract: a node lost to another manager refuses the old one; another client moving a node is a fault.
        with pytest.raises(NotAllowed) as lost:
            nodes["daq1/guard/steady"] = "RUNNING"
        assert "managed by another-manager" in str(lost.value)
        client.request("daq1/guard/flaky", "RUNNING")
        moved = eventually(nodes.check, "the other client's request reported")
        assert (moved[0]["kind"], moved[0]["requested"]) == ("request-changed", "RUNNING"), moved
    # The managing client closed: the node it still managed recovers by itself again; the one taken over by a named
    # manager stays with it.
    eventually(lambda: client.node("daq1/guard/flaky")["mode"] == "AUTO", "the closed client's node back in AUTO")
    steady = client.node("daq1/guard/steady")
    assert (steady["mode"], steady["managedBy"]) == ("MANAGED", "another-manager")
    client.remove_group("daq1/guard")


def test_a_killed_programs_groups_go_when_its_lease_lapses(cluster, client):
    script = textwrap.dedent("""
        import sys, time
        sys.path.insert(0, %r)
        from shepherd import Client
        client = Client(api=%r, tls_dir=%r, lease_ttl=2)
        client.create_group("daq2/orphan")
        print("created", flush=True)
        time.sleep(600)
    """ % (os.path.join(ROOT, "python"), cluster.api, cluster.tls_dir))
    program = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    try:
        assert program.stdout.readline().strip() == b"created"
        assert any(g["path"] == "daq2/orphan" for g in client.groups())
        program.send_signal(signal.SIGKILL)
        program.wait(10)
        eventually(lambda: not any(g["path"] == "daq2/orphan" for g in client.groups()), "the killed program's group removed")
    finally:
        program.kill()


def test_the_readme_example_runs(cluster):
    readme = open(os.path.join(ROOT, "README.md")).read()
    example = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    env = dict(os.environ, SHEPHERD_API=cluster.api, SHEPHERD_TLS_DIR=cluster.tls_dir, PYTHONPATH=os.path.join(ROOT, "python"))
    result = subprocess.run([sys.executable, "-c", example], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_package_installs_offline_into_a_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "--no-build-isolation", "--no-index", os.path.join(ROOT, "python")],
                         capture_output=True, text=True, timeout=300)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    imported = subprocess.run([str(venv / "bin" / "python"), "-c", "from shepherd import Client, NodeManager; print(Client.__module__)"],
                              capture_output=True, text=True, cwd=str(tmp_path))
    assert imported.stdout.strip() == "shepherd.client", imported.stderr
