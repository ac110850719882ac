"""The Python client of Shepherd's HTTP API (standard library only).

A :class:`Client` talks to the API of the cluster's manager members, trying each in turn: a
member that cannot be reached makes a call go to the next one, and during a Manager failover (the
API answers 503) a call is retried until its timeout. A member that does not answer in time (a
frozen JVM) makes the next call start with another one; a GET, which may be asked twice, goes on
to the next member at once. It never joins the cluster.

Groups a client creates belong to its session, a lease renewed in the background: they are
removed when the client closes, or once the lease lapses if the program dies.
"""

import http.client
import json
import os
import queue
import re
import socket
import ssl
import threading
import time
import urllib.parse

from .errors import (InvalidArgument, NoManagerReachable, ShepherdError, Timeout, error_for)

API = "/api/v1"
_NODE_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}/[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}/[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")
_GROUP_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}/[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")
_STATES = {"CREATED", "CONFIGURED", "INITIALIZED", "STARTING", "RUNNING", "STOPPED", "CLOSED", "FAILED", "LOST"}
_CHECK_KEYS = {"type", "port", "url", "command", "period", "timeout", "failures"}


def _check(what, check):
    """A readiness or liveness check as the API takes it: a type name ("notify") or a dict of the site file's keys, with
    period and timeout in seconds."""
    if isinstance(check, str):
        return {"type": check}
    if not isinstance(check, dict) or "type" not in check:
        raise InvalidArgument("%s is a type name ('notify', 'tcp', 'http', 'command', 'none') or a dict with a 'type', got %r"
                              % (what, check))
    unknown = set(check) - _CHECK_KEYS
    if unknown:
        raise InvalidArgument("%s has unknown keys %s; it has %s" % (what, sorted(unknown), sorted(_CHECK_KEYS)))
    out = dict(check)
    if "port" in out:
        out["port"] = str(out["port"])
    if "command" in out:
        out["command"] = [str(a) for a in out["command"]]
    for key in ("period", "timeout"):
        if key in out:
            out[key] = float(out[key])
    return out


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def _limits(limits):
    unknown = set(limits) - {"memory", "cpu", "pids"}
    if unknown:
        raise InvalidArgument("limits has unknown keys %s; it has ['cpu', 'memory', 'pids']" % sorted(unknown))
    out = {}
    if limits.get("memory") is not None:
        memory = limits["memory"]
        if isinstance(memory, str):
            text = memory.strip().upper().rstrip("IB").rstrip("B")
            unit = text[-1] if text and text[-1] in _UNITS else ""
            try:
                memory = int(float(text[:-1] if unit else text) * _UNITS[unit])
            except ValueError:
                raise InvalidArgument("a memory limit is a number of bytes or a size such as '512M', got %r" % (limits["memory"],))
        out["memory"] = int(memory)
    if limits.get("cpu") is not None:
        out["cpu"] = float(limits["cpu"])
    if limits.get("pids") is not None:
        out["pids"] = int(limits["pids"])
    return out


def _checks(spec, readiness, liveness, start_timeout, depends_on=None, on_dependency_failure=None):
    if depends_on is not None:
        if isinstance(depends_on, str):
            raise InvalidArgument("depends_on is a list of node paths, e.g. ['daq1/readout/digitizer']")
        spec["dependsOn"] = [node_path(p) for p in depends_on]
    if on_dependency_failure is not None:
        spec["onDependencyFailure"] = on_dependency_failure
    if readiness is not None:
        spec["readiness"] = _check("readiness", readiness)
    if liveness is not None:
        spec["liveness"] = _check("liveness", liveness)
    if start_timeout is not None:
        spec["startTimeout"] = float(start_timeout)
    return spec


def _state(state):
    if not isinstance(state, str):
        raise InvalidArgument("a state is a string such as 'RUNNING', got %r" % (state,))
    upper = state.strip().upper()
    upper = {"UP": "RUNNING", "DOWN": "STOPPED"}.get(upper, upper)
    if upper not in _STATES:
        raise InvalidArgument("unknown state '%s'; use one of %s, up or down" % (state, sorted(_STATES)))
    return upper


def node_path(path):
    """Checks a node path HOST/GROUP/NODE (or any/GROUP/NODE); the API checks it fully."""
    if not isinstance(path, str) or not _NODE_PATH.match(path):
        raise InvalidArgument("invalid node path %r: expected HOST/GROUP/NODE, e.g. daq1/acq/sine" % (path,))
    return path


def group_path(path):
    if not isinstance(path, str) or not _GROUP_PATH.match(path):
        raise InvalidArgument("invalid group path %r: expected HOST/GROUP (or any/GROUP), e.g. daq1/acq" % (path,))
    return path


class Client:
    """A client of the HTTP API.

    :param api: the API's URL, or a list of them (every manager member), e.g.
        ``"https://10.0.0.11:8551"``; default: ``$SHEPHERD_API``, else ``https://127.0.0.1:8551`` (members speak
        HTTPS unless started with TLS off, then give ``http://127.0.0.1:8551``)
    :param tls_dir: the folder ``bin/shepherd certs`` made for this machine (``ca.pem``, and
        ``cert.pem`` with ``key.pem`` for a client certificate); default ``$SHEPHERD_TLS_DIR``, else ``~/.shepherd/tls``
    :param token: a bearer token (instead of a client certificate); default ``$SHEPHERD_TOKEN``
    :param timeout: every call fails after this many seconds
    :param lease_ttl: the lease of this client's session, in seconds
    """

    def __init__(self, api=None, tls_dir=None, token=None, timeout=10.0, lease_ttl=15.0, cafile=None, certfile=None,
                 keyfile=None):
        urls = api or os.environ.get("SHEPHERD_API") or "https://127.0.0.1:8551"
        if isinstance(urls, str):
            urls = [u for u in urls.split(",") if u.strip()]
        self.bases = []
        for url in urls:
            parts = urllib.parse.urlsplit(url.strip())
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
                raise InvalidArgument("%r is not an API URL; write http(s)://HOST:PORT, e.g. https://10.0.0.11:8551" % (url,))
            self.bases.append((parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)))
        if not self.bases:
            raise InvalidArgument("no API URL given")
        self.token = token if token is not None else (os.environ.get("SHEPHERD_TOKEN") or None)
        self.timeout = float(timeout)
        if self.timeout <= 0:
            raise InvalidArgument("timeout must be positive, got %r" % (timeout,))
        if lease_ttl < 2:
            raise InvalidArgument("the lease time to live must be at least 2 s, got %r" % (lease_ttl,))
        self.lease_ttl = float(lease_ttl)
        self._ssl = None
        if any(scheme == "https" for scheme, _, _ in self.bases):
            self._ssl = self._tls_context(tls_dir, cafile, certfile, keyfile)
        self._preferred = 0
        self._local = threading.local()
        self._lock = threading.Lock()
        self._session = None
        self._renewer = None
        self._closed = threading.Event()

    @staticmethod
    def _tls_context(tls_dir, cafile, certfile, keyfile):
        folder = os.path.expanduser(tls_dir or os.environ.get("SHEPHERD_TLS_DIR") or "~/.shepherd/tls")
        cafile = cafile or os.path.join(folder, "ca.pem")
        if not os.path.isfile(cafile):
            raise InvalidArgument("the API is HTTPS, and %s is missing to trust the cluster's CA with; make the cluster's "
                                  "certificates with bin/shepherd certs and copy this machine's folder to %s" % (cafile, folder))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_verify_locations(cafile)
        # Trust is the cluster's own CA; members' certificates carry member names, not addresses.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_REQUIRED
        certfile = certfile or os.path.join(folder, "cert.pem")
        keyfile = keyfile or os.path.join(folder, "key.pem")
        if os.path.isfile(certfile) and os.path.isfile(keyfile):
            context.load_cert_chain(certfile, keyfile)
        return context

    # ---- transport -------------------------------------------------------------------------------

    def _connection(self, index, timeout):
        scheme, host, port = self.bases[index]
        if scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=timeout, context=self._ssl)
        return http.client.HTTPConnection(host, port, timeout=timeout)

    def _headers(self, extra=None):
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        headers.update(extra or {})
        return headers

    def _send(self, method, path, body=None, content_type="application/json", timeout=None):
        """Sends a request to the members in turn; answers (status, body bytes) of a 2xx answer, raises otherwise."""
        budget = timeout or self.timeout
        deadline = time.monotonic() + budget
        index = self._preferred
        tried = 0
        unreachable = None
        silent = None
        # A GET may be asked again elsewhere: each member gets its share of the call's time, so that one that
        # accepts connections and never answers (a frozen JVM) does not use all of it.
        safe = method == "GET"
        share = max(budget / len(self.bases), min(budget, 1.0)) if safe and len(self.bases) > 1 else budget
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if silent:
                    raise Timeout("no API answered %s %s in time (the last tried: %s)" % (method, path, silent))
                if unreachable:
                    raise NoManagerReachable("cannot reach the Shepherd API at %s (%s); is a member with role manager running "
                                             "there, and is the API port right (default 8551)?"
                                             % (", ".join(self._url(i) for i in range(len(self.bases))), unreachable))
                raise NoManagerReachable("no Manager answered %s %s in time: none is running right now (a failover?)"
                                         % (method, path))
            i = index % len(self.bases)
            connection = self._connection(i, min(remaining, share))
            headers = self._headers({"Content-Type": content_type} if body is not None else None)
            try:
                try:
                    connection.connect()
                except (ConnectionRefusedError, socket.gaierror, socket.timeout, OSError) as e:
                    if isinstance(e, ssl.SSLError):
                        raise NoManagerReachable("the TLS handshake with the API at %s failed: %s; does this machine have the "
                                                 "cluster's certificates?" % (self._url(i), e))
                    unreachable = "%s: %s" % (self._url(i), e)
                    index += 1
                    tried += 1
                    if tried >= len(self.bases):
                        tried = 0
                        time.sleep(min(0.25, max(0, deadline - time.monotonic())))
                    continue
                try:
                    connection.request(method, path, body=body, headers=headers)
                    response = connection.getresponse()
                    data = response.read()
                except socket.timeout:
                    # The next call starts with another member: this one may be frozen.
                    self._preferred = (i + 1) % len(self.bases)
                    if safe:
                        silent = self._url(i)
                        index += 1
                        continue
                    raise Timeout("the API at %s did not answer %s %s in time; the call may or may not have taken effect"
                                  % (self._url(i), method, path))
                except (http.client.HTTPException, OSError) as e:
                    hint = "; it probably speaks HTTPS: use https://" if self.bases[i][0] == "http" else ""
                    raise NoManagerReachable("the call to the API at %s failed: %s%s%s" % (
                        self._url(i), e, hint, "" if method == "GET" else "; it may or may not have taken effect"))
            finally:
                connection.close()
            if response.status == 503 and time.monotonic() + 0.25 < deadline:
                time.sleep(0.25)
                index += 1
                continue
            self._preferred = i
            if response.status // 100 != 2:
                raise self._problem(response.status, data)
            return data

    def _url(self, index):
        scheme, host, port = self.bases[index]
        return "%s://%s:%d" % (scheme, host, port)

    @staticmethod
    def _problem(status, data):
        try:
            problem = json.loads(data.decode("utf-8"))
            return error_for(problem.get("code", "INTERNAL"), problem.get("detail", "the API answered %d" % status), status)
        except (ValueError, UnicodeDecodeError, AttributeError):
            return error_for("UNAUTHORIZED" if status == 401 else "INTERNAL",
                             "the API answered %d: %s" % (status, data[:200].decode("utf-8", "replace")), status)

    def _call(self, method, path, body=None):
        data = self._send(method, path, None if body is None else json.dumps(body).encode("utf-8"))
        return json.loads(data.decode("utf-8")) if data else None

    # ---- status ----------------------------------------------------------------------------------

    def status(self):
        """The whole cluster: Manager, members, hosts, groups, nodes and the log server's counters (a dict)."""
        return self._call("GET", API + "/status")

    def hosts(self):
        return self._call("GET", API + "/hosts")

    def groups(self):
        return self._call("GET", API + "/groups")

    def nodes(self, glob=None):
        """The nodes; ``glob`` keeps those whose path matches (``daq1/acq/*``, ``**/recorder``)."""
        return self._call("GET", API + "/nodes" + _query(node=glob))

    def node(self, path):
        """One node's status (a dict)."""
        return self._call("GET", API + "/nodes/" + node_path(path))

    # ---- groups and nodes -------------------------------------------------------------------------

    def create_group(self, path, persistent=False):
        """Creates a NodeGroup (``host/group``, or ``any/group``); unless persistent, it goes when this client closes."""
        body = {"path": group_path(path), "persistent": bool(persistent)}
        if not persistent:
            body["session"] = self.client_id
        self._call("POST", API + "/groups", body)
        return path

    def remove_group(self, path):
        self._call("DELETE", API + "/groups/" + group_path(path))

    def register_node_type(self, group, name, class_name):
        """Registers a node type in a group at run time (pyacq's ``register_node_type_from_module``): ``name`` then stands
        for ``class_name`` (a Java class on the host's allow-list) in the nodes created in the group. The host checks the
        class first: an unknown one, one outside the allow-list or one that is not a Node is refused with the reason
        (UnknownType, NotAllowed, InvalidArgument), and nothing is registered. Answers the Manager's message."""
        if not isinstance(name, str) or not isinstance(class_name, str):
            raise InvalidArgument("a node type name and a class name are strings, e.g. ('MySine', 'org.lab.daq.MySine')")
        return self._call("POST", API + "/groups/" + group_path(group) + "/types", {"name": name, "class": class_name})["message"]

    def create_node(self, path, type, params=None, requested="CREATED", mode=None, restart=None, autorestart=None,
                    readiness=None, start_timeout=None, depends_on=None, on_dependency_failure=None):
        """Creates a node of a type with string params, driven to ``requested``; answers its status.

        ``autorestart``: "always" (the default), "on-failure" or "never" (a crash then leaves the node FAILED).
        ``readiness="explicit"``: the node is STARTING after its ``start()`` until it calls ``context.ready()``, which it
        must do within ``start_timeout`` seconds (30 by default). ``depends_on`` and ``on_dependency_failure``: as for
        :meth:`create_process`."""
        spec = {"type": type, "params": {str(k): str(v) for k, v in (params or {}).items()}}
        if mode:
            spec["mode"] = mode.upper()
        if restart:
            spec["restart"] = restart
        if autorestart:
            spec["autorestart"] = autorestart
        _checks(spec, readiness, None, start_timeout, depends_on, on_dependency_failure)
        return self._node_answer(self._call("POST", API + "/nodes", {"path": node_path(path), "spec": spec,
                                                                     "requested": _state(requested)}))

    def create_process(self, path, command, env=None, working_dir=None, stdin=False, stop_grace=None, requested="RUNNING",
                       mode=None, autorestart=None, readiness=None, liveness=None, start_timeout=None, depends_on=None,
                       on_dependency_failure=None, limits=None):
        """Creates an OS-process node running ``command`` (a list: the executable and its arguments).

        ``autorestart``: "always" (the default: every exit is restarted), "on-failure" (an exit with 0 is done: the node is
        STOPPED and its requested state follows; Architect's one-shot roles) or "never" (any exit is done).

        ``readiness`` and ``liveness``: "notify" (systemd's notify protocol: see :mod:`shepherd.notify`), or a dict such as
        ``{"type": "tcp", "port": "${port:data}", "period": 0.5}``, ``{"type": "http", "url": ...}``,
        ``{"type": "command", "command": [...]}``, with ``period``/``timeout`` in seconds and ``failures`` (liveness).
        A node with readiness is STARTING until ready; not ready within ``start_timeout`` seconds (30) is a crash.

        ``depends_on``: node paths (on any host) that must be RUNNING, and ready, before this node starts; it is stopped
        before them. ``on_dependency_failure``: "keep" (the default), "stop" (stopped while a dependency is down) or
        "restart" (restarted once a crashed dependency runs again). A missing dependency or a cycle is refused.

        ``limits``: ``{"memory": bytes or "512M", "cpu": 1.5, "pids": 256}``, held by the host's cgroups (a host without
        them refuses the node); a process killed for want of memory is a crash with reason "oom"."""
        if isinstance(command, str) or not command:
            raise InvalidArgument("a command is a list: the executable and its arguments, e.g. ['/usr/bin/python3', 'daq.py']")
        process = {"command": [str(a) for a in command], "env": {str(k): str(v) for k, v in (env or {}).items()},
                   "stdin": bool(stdin)}
        if working_dir:
            process["workingDir"] = working_dir
        if stop_grace is not None:
            process["stopGrace"] = float(stop_grace)
        if limits:
            process["limits"] = _limits(limits)
        spec = {"type": "process", "process": process}
        if mode:
            spec["mode"] = mode.upper()
        if autorestart:
            spec["autorestart"] = autorestart
        _checks(spec, readiness, liveness, start_timeout, depends_on, on_dependency_failure)
        return self._node_answer(self._call("POST", API + "/nodes", {"path": node_path(path), "spec": spec,
                                                                     "requested": _state(requested)}))

    def set_log_level(self, target, level):
        """Sets a log level at run time (Architect's ``set_log_level``): of a node's records ("daq1/acq/sine"), of a host
        ("daq1"), or of a logger on every host ("logger:io.lab.daq"); ``level`` "DEBUG", ..., or "default" to undo it.
        The hosts' status shows the levels set (``logLevels``). Answers the message."""
        if not isinstance(target, str) or not isinstance(level, str):
            raise InvalidArgument("a log level's target and level are strings, e.g. ('daq1/acq/sine', 'DEBUG')")
        return self._call("POST", API + "/log-level", {"target": target, "level": level})["message"]

    def remove_node(self, path):
        self._call("DELETE", API + "/nodes/" + node_path(path))

    @staticmethod
    def _node_answer(answer):
        return answer.get("node") if answer else None

    def _lifecycle(self, path, call, body=None):
        return self._node_answer(self._call("POST", "%s/nodes/%s/%s" % (API, node_path(path), call), body))

    def configure(self, path):
        return self._lifecycle(path, "configure")

    def initialize(self, path):
        return self._lifecycle(path, "initialize")

    def start(self, path):
        return self._lifecycle(path, "start")

    def stop(self, path):
        return self._lifecycle(path, "stop")

    def close_node(self, path):
        """The lifecycle call close (``close()`` closes this client)."""
        return self._lifecycle(path, "close")

    def request(self, path, state, wait=False, by=None):
        """Requests a state (Guardian); with ``wait``, answers the node's status once it has arrived.

        ``by``: the manager asking (a NodeManager's own requests); default this client's principal."""
        body = {"state": _state(state), "await": bool(wait)}
        if by is not None:
            body["by"] = by
        return self._lifecycle(path, "request", body)

    def kill(self, path):
        """SIGKILL to a process node's whole session at once; it ends STOPPED (not a crash)."""
        return self._lifecycle(path, "kill")

    def purge(self, path):
        """Removes a node that does not run (the Architect's purge)."""
        self._lifecycle(path, "purge")

    def send_input(self, path, line):
        """Writes a line to a process node's stdin (created with stdin on)."""
        self._lifecycle(path, "input", {"line": str(line)})

    def set_mode(self, paths, mode, manager=None):
        """Sets the mode of nodes, all or none: ``"AUTO"`` or ``"MANAGED"`` (then ``manager`` is recorded; default: this
        client's session, so that they return to AUTO when it goes)."""
        mode = str(mode).upper()
        if mode not in ("AUTO", "MANAGED"):
            raise InvalidArgument("mode must be AUTO or MANAGED, got %r" % (mode,))
        body = {"paths": [node_path(p) for p in paths], "mode": mode}
        if mode == "MANAGED":
            body["manager"] = manager or self.client_id
        return self._call("POST", API + "/mode", body)["message"]

    def revive(self, *paths):
        """Re-requests the last requested state of nodes (Guardian's revive): stalled ones start again."""
        return self._call("POST", API + "/revive", {"paths": [node_path(p) for p in paths]})["message"]

    # ---- hosts (the Architect node) -----------------------------------------------------------------

    def bind_tcp(self, host, count=1):
        return self._call("POST", "%s/hosts/%s/ports" % (API, _host(host)), {"protocol": "tcp", "count": int(count)})["ports"]

    def bind_udp(self, host, count=1):
        return self._call("POST", "%s/hosts/%s/ports" % (API, _host(host)), {"protocol": "udp", "count": int(count)})["ports"]

    def release(self, host, ports, udp=False):
        return self._call("POST", "%s/hosts/%s/ports/release" % (API, _host(host)),
                          {"protocol": "udp" if udp else "tcp", "ports": [int(p) for p in ports]})["ports"]

    def reserved_ports(self, host, udp=False):
        """The ports reserved on a host, ascending: by clients, and the named ports of its nodes."""
        return self._call("GET", "%s/hosts/%s/ports?protocol=%s" % (API, _host(host), "udp" if udp else "tcp"))["ports"]

    def environment(self, host):
        return self._call("GET", "%s/hosts/%s/env" % (API, _host(host)))["env"]

    def get_env(self, host, name):
        return self.environment(host).get(name)

    def set_env(self, host, name, value):
        """Sets (``value`` None: removes) a variable for the processes a host starts from now on."""
        if value is None:
            self._call("DELETE", "%s/hosts/%s/env/%s" % (API, _host(host), urllib.parse.quote(name, safe="")))
        else:
            self._call("PUT", "%s/hosts/%s/env/%s" % (API, _host(host), urllib.parse.quote(name, safe="")), {"value": str(value)})

    # ---- site files and targets (OCS) ----------------------------------------------------------------

    def apply(self, site, dry_run=False, source=None):
        """Applies a site file (a path, or its text); with ``dry_run`` answers the plan and changes nothing.

        Answers ``{"added": [...], "changed": [...], "removed": [...], "unchanged": [...], "dryRun": ...}``.
        """
        text = site
        if source is None and os.path.exists(str(site)):
            if os.path.isdir(site):
                raise InvalidArgument("site file %s is a directory, not a site file" % site)
            with open(site, "rb") as f:
                raw = f.read()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidArgument("site file %s is not a UTF-8 text file; a site file is HOCON text" % site)
            source = os.path.basename(site)
        data = self._send("POST", API + "/site" + _query(source=source or "site.conf", **{"dry-run": "true" if dry_run else None}),
                          text.encode("utf-8"), "text/plain; charset=utf-8")
        return json.loads(data.decode("utf-8"))

    def update(self, requests):
        """Requests up or down per target, in order (OCS's update): ``[("all", "up"), ("data1", "down")]``. A target is a
        node path, a group path, a host id, a node name unique in the cluster (OCS's instance id) or ``all``."""
        body = []
        for target, state in requests:
            body.append({"target": target, "state": _state(state)})
        if not body:
            raise InvalidArgument("no targets given; give node paths, group paths, host ids or all")
        return self._call("POST", API + "/update", {"requests": body})["message"]

    def up(self, *targets):
        return self._targets("/up", targets)

    def down(self, *targets):
        return self._targets("/down", targets)

    def restart(self, *targets):
        """Down, then up: answers once every node of the targets runs again."""
        return self._targets("/restart", targets)

    def _targets(self, call, targets):
        if not targets or any(not isinstance(t, str) or not t.strip() for t in targets):
            raise InvalidArgument("give targets: node paths, group paths, host ids or all")
        return self._call("POST", API + call, {"targets": list(targets)})["message"]

    # ---- events and logs ---------------------------------------------------------------------------------

    def events(self, types=None, node=None, last_id=None):
        """The cluster's events (dicts), live, from the moment of this call: an iterator that reconnects by itself and
        resumes from the last event seen (an event of type ``resync`` says some were missed: read the status again).
        ``stream.next(timeout)`` waits at most that long. Close it to stop."""
        query = _query(types=",".join(types) if types else None, node=node)
        return Stream(self, lambda last: API + "/events" + query, last_id, _decode_event)

    def recent_events(self, after=None, limit=1000):
        """The events after an id (default: every one the API keeps): ``{"events": [...], "resync": bool, "lastId": ...}``."""
        return self._call("GET", API + "/events/recent" + _query(after=after, limit=str(limit)))

    def logs(self, follow=False, node=None, level=None, since=None, limit=1000):
        """The cluster's log records (dicts), in time order; with ``follow``, a live iterator (from the moment of this call)
        that goes on with every new one, across a Manager failover, each record once. Close it to stop."""
        if not follow:
            return iter(self._call("GET", API + "/logs" + _query(node=node, level=level, since=since, limit=str(limit)))["records"])
        seen = {}
        last = {"micros": 0}

        def path(last_id):
            start = since
            if last["micros"]:
                start = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(last["micros"] / 1e6 - 5)) + "Z"
            return API + "/logs/stream" + _query(node=node, level=level, since=start)

        def decode(event, data):
            if event != "log":
                return None
            record = json.loads(data)
            if record["seq"] > 0 and seen.get(record["source"], 0) >= record["seq"]:
                return None
            seen[record["source"]] = record["seq"]
            last["micros"] = max(last["micros"], record["micros"])
            return record

        return Stream(self, path, None, decode)

    # ---- the session (its lease) ------------------------------------------------------------------------

    @property
    def client_id(self):
        """This client's session: the owner of the groups it creates, and the manager of the nodes it manages."""
        with self._lock:
            if self._closed.is_set():
                raise InvalidArgument("this client is closed")
            if self._session is None:
                opened = self._call("POST", API + "/sessions", {"ttlMillis": int(self.lease_ttl * 1000)})
                self._session = opened["id"]
                self._renewer = threading.Thread(target=self._renew, name="shepherd-lease", daemon=True)
                self._renewer.start()
            return self._session

    def _renew(self):
        while not self._closed.wait(self.lease_ttl / 3):
            try:
                self._call("PUT", API + "/sessions/" + self._session, {"ttlMillis": int(self.lease_ttl * 1000)})
            except ShepherdError:
                pass  # the next renewal tries again; the lease lapses only after lease_ttl without one

    def close(self):
        """Closes the session: the groups this client created (unless persistent) are removed, and the nodes it manages
        return to AUTO."""
        if self._closed.is_set():
            return
        self._closed.set()
        if self._session is not None:
            try:
                self._call("DELETE", API + "/sessions/" + self._session)
            except ShepherdError:
                pass  # its lease lapses by itself

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _decode_event(event, data):
    return json.loads(data)


class Stream:
    """A Server-Sent Event stream of the API, read by a thread of its own from the moment it is made (so nothing that
    happens after the call is missed), reconnecting to the next member when one goes, with ``Last-Event-ID``."""

    def __init__(self, client, path, last_id, decode):
        self._client = client
        self._path = path
        self._decode = decode
        self.last_id = last_id
        self._queue = queue.Queue(maxsize=100000)
        self._closed = threading.Event()
        self._connected = threading.Event()
        self._connection = None
        self._thread = threading.Thread(target=self._run, name="shepherd-stream", daemon=True)
        self._thread.start()
        self._connected.wait(client.timeout)

    def _run(self):
        client = self._client
        index = client._preferred
        backoff = 0.1
        while not self._closed.is_set():
            i = index % len(client.bases)
            connection = client._connection(i, 50)
            self._connection = connection
            try:
                headers = client._headers({"Accept": "text/event-stream"})
                if self.last_id:
                    headers["Last-Event-ID"] = self.last_id
                connection.request("GET", self._path(self.last_id), headers=headers)
                response = connection.getresponse()
                if response.status != 200:
                    data = response.read()
                    if response.status != 503:
                        self._queue.put(client._problem(response.status, data))
                        self._connected.set()
                        return
                else:
                    backoff = 0.1
                    self._connected.set()
                    event_id, event_type, data = None, "message", []
                    while not self._closed.is_set():
                        line = response.readline()
                        if not line:
                            break
                        line = line.decode("utf-8").rstrip("\r\n")
                        if not line:
                            if data:
                                value = self._decode(event_type, "\n".join(data))
                                if event_id:
                                    self.last_id = event_id
                                if value is not None:
                                    self._queue.put(value)
                            event_id, event_type, data = None, "message", []
                        elif line.startswith(":"):
                            continue
                        elif line.startswith("id:"):
                            event_id = line[3:].strip()
                        elif line.startswith("event:"):
                            event_type = line[6:].strip()
                        elif line.startswith("data:"):
                            data.append(line[6:] if line[5:].startswith(" ") else line[5:])
            except (OSError, http.client.HTTPException, ValueError):
                pass
            finally:
                connection.close()
            index += 1
            self._closed.wait(backoff)
            backoff = min(2.0, backoff * 2)

    def next(self, timeout=None):
        """The next item; waits at most ``timeout`` seconds (None: for ever), then raises :class:`Timeout`."""
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            raise Timeout("nothing came on the stream within %s s" % timeout)
        if isinstance(item, Exception):
            raise item
        return item

    def __iter__(self):
        return self

    def __next__(self):
        if self._closed.is_set() and self._queue.empty():
            raise StopIteration
        return self.next()

    def close(self):
        """Stops the stream; what it has read stays readable."""
        self._closed.set()
        connection = self._connection
        if connection is not None and connection.sock is not None:
            try:
                connection.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _host(host):
    if not isinstance(host, str) or not re.match(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$", host):
        raise InvalidArgument("invalid host id %r" % (host,))
    return host


def _query(**params):
    present = {k: v for k, v in params.items() if v is not None and v != ""}
    return "?" + urllib.parse.urlencode(sorted(present.items())) if present else ""
