"""LIGO Guardian's NodeManager over Shepherd: manage a set of nodes, request states, revive stalled ones, check faults.

::

    nodes = NodeManager(["daq1/acq/sine", "daq1/acq/counter"], api="https://10.0.0.11:8551")
    nodes.set_managed()
    nodes["daq1/acq/sine"] = "RUNNING"          # a request
    if nodes["daq1/acq/sine"] == "RUNNING": ...  # the node's current state
    if nodes.arrived: ...
    for node in nodes.get_stalled_nodes():
        node.revive()

    @nodes.checker()
    def main():
        ...                                     # runs only when no fault came since the last check
"""

import collections
import functools
import logging
import threading

from .client import Client, _state, node_path
from .errors import InvalidArgument, ShepherdError

log = logging.getLogger("shepherd.nodemanager")


class Node:
    """One managed node: compares equal to the name of its current state (``nodes["x"] == "RUNNING"``)."""

    def __init__(self, manager, path):
        self._manager = manager
        self.path = path

    @property
    def status(self):
        """The node's status now (a dict, as the API reports it)."""
        return self._manager.client.node(self.path)

    @property
    def state(self):
        return self.status["state"]

    @property
    def requested(self):
        return self.status["requested"]

    @property
    def stalled(self):
        return bool(self.status["stalled"])

    @property
    def arrived(self):
        return bool(self.status["arrived"])

    @property
    def mode(self):
        return self.status["mode"]

    def request(self, state):
        self._manager.client.request(self.path, state, by=self._manager._manager)

    def revive(self):
        """Re-requests the last requested state: a stalled node starts again."""
        self._manager.client.revive(self.path)

    def __eq__(self, other):
        if isinstance(other, str):
            return self.state == _state(other)
        return isinstance(other, Node) and other.path == self.path

    def __hash__(self):
        return hash(self.path)

    def __repr__(self):
        return "Node(%s)" % self.path


class NodeManager:
    """A set of nodes this program manages (Guardian's NodeManager).

    After :meth:`set_managed`, this program's client is their manager: a node that crashes holds where it landed
    (stalled) instead of being restarted, and its faults (node errors, the loss of its host, notifications, another
    client taking it over or setting it AUTO, and requests of its state by anyone else: another client, a site file, a
    host's ``--initial-state``) come here; :meth:`check` returns them, :meth:`checker` guards a function with them. Its
    own requests go as the manager's: once another client has taken a node over, they are refused (NotAllowed) until
    :meth:`set_managed` takes it back.

    :param nodes: node paths, ``HOST/GROUP/NODE``
    :param client: a :class:`~shepherd.Client` to use; otherwise one is made from the other arguments (and closed with
        this manager)
    """

    def __init__(self, nodes, client=None, **client_args):
        if isinstance(nodes, str):
            nodes = [nodes]
        self.paths = [node_path(p) for p in nodes]
        if not self.paths:
            raise InvalidArgument("a NodeManager needs at least one node path")
        self.client = client or Client(**client_args)
        self._own_client = client is None
        self._faults = collections.deque()
        self._lock = threading.Lock()
        self._manager = self.client.client_id
        self._events = self.client.events(types=["fault"])
        self._thread = threading.Thread(target=self._listen, name="shepherd-faults", daemon=True)
        self._thread.start()

    def _listen(self):
        for event in self._events:
            if event.get("type") == "fault" and event.get("manager") == self._manager and event.get("path") in self.paths:
                fault = {"kind": event.get("status"), "path": event.get("path"), "at": event.get("at"),
                         "reason": event.get("reason"), "message": event.get("message"), "by": event.get("by"),
                         "mode": event.get("mode"), "host": event.get("host"), "requested": event.get("requested")}
                with self._lock:
                    self._faults.append(fault)

    # ---- Guardian's interface -----------------------------------------------------------------------

    def set_managed(self):
        """Takes every node of the set in MANAGED mode, with this program as manager."""
        self.client.set_mode(self.paths, "MANAGED", self._manager)

    def set_auto(self):
        """Returns every node of the set to AUTO mode."""
        self.client.set_mode(self.paths, "AUTO")

    def __getitem__(self, path):
        return Node(self, self._member(path))

    def __setitem__(self, path, state):
        """A request (a new request also revives a stalled node), as this manager's."""
        self.client.request(self._member(path), state, by=self._manager)

    def __contains__(self, path):
        return path in self.paths

    def __iter__(self):
        return iter([Node(self, p) for p in self.paths])

    def __len__(self):
        return len(self.paths)

    def statuses(self):
        """The status of every node of the set, by path."""
        return {n["path"]: n for n in self.client.nodes() if n["path"] in self.paths}

    @property
    def arrived(self):
        """True if every node of the set is in its requested state."""
        statuses = self.statuses()
        return len(statuses) == len(self.paths) and all(n["arrived"] for n in statuses.values())

    def get_stalled_nodes(self):
        """The nodes of the set that crashed and hold, waiting for a request or a revive."""
        return [Node(self, path) for path, n in self.statuses().items() if n["stalled"]]

    def revive(self, *paths):
        """Revives these nodes (default: every stalled one)."""
        chosen = [self._member(p) for p in paths] or [n.path for n in self.get_stalled_nodes()]
        if chosen:
            self.client.revive(*chosen)

    def check(self, fail_return=None):
        """The faults of these nodes since the last check, oldest first (dicts with kind, path, at, reason, ...).

        With ``fail_return`` (a state: ``"DOWN"``, ``"STOPPED"``, ...), faults are acted on, not only reported: that
        state is requested of every node of the set (Guardian's jump), once for these faults, and each fault says so
        in its ``action``."""
        state = _state(fail_return) if fail_return is not None else None
        with self._lock:
            faults = list(self._faults)
            self._faults.clear()
        if faults and state is not None:
            requested, refused = [], []
            for path in self.paths:
                try:
                    self.client.request(path, state, by=self._manager)
                    requested.append(path)
                except ShepherdError as e:  # e.g. a node another manager took over refuses this one
                    refused.append("%s (%s)" % (path, e))
            action = "requested %s of %s" % (state, ", ".join(requested) or "no node")
            if refused:
                action += "; refused: " + "; ".join(refused)
            log.warning("%d fault%s of managed nodes: %s", len(faults), "" if len(faults) == 1 else "s", action)
            for fault in faults:
                fault["action"] = action
        return faults

    def checker(self, fail_return=None):
        """A decorator: before the function runs, the faults since the last check are reported (logged as warnings);
        with ``fail_return``, a fault also requests that state of every node of the set, and the function does not
        run: ``fail_return`` is returned instead (Guardian's jump)."""
        if fail_return is not None:
            _state(fail_return)  # a wrong state is refused here, not at the first fault

        def decorate(function):
            @functools.wraps(function)
            def checked(*args, **kwargs):
                faults = self.check(fail_return)
                for fault in faults:
                    log.warning("node %s: %s %s", fault["path"], fault["kind"], fault.get("reason") or fault.get("message") or "")
                if faults and fail_return is not None:
                    return fail_return
                return function(*args, **kwargs)
            checked.faults = self.check
            return checked
        return decorate

    def _member(self, path):
        if path not in self.paths:
            raise InvalidArgument("%s is not managed by this NodeManager" % (path,))
        return path

    def close(self):
        """Stops receiving faults (the nodes keep their mode); closes the client if this manager made it."""
        self._events.close()
        if self._own_client:
            self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
