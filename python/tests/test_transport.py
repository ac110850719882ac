"""The client's transport against real sockets on loopback, without a cluster: a member whose API accepts connections
and never answers (a frozen JVM) beside one that answers."""

import http.server
import json
import socket
import threading
import time

import pytest

import conftest  # noqa: F401  (puts the package on the path)
from shepherd import Client, Timeout


class Answering(http.server.BaseHTTPRequestHandler):
    calls = 0

    def do_GET(self):
        Answering.calls += 1
        body = json.dumps({"manager": None, "members": []}).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def servers():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(50)  # connections wait in the backlog: accepted by the kernel, never answered
    Answering.calls = 0
    answering = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answering)
    thread = threading.Thread(target=answering.serve_forever, daemon=True)
    thread.start()
    yield silent, answering
    answering.shutdown()
    answering.server_close()
    silent.close()


def url(server):
    host, port = server.getsockname()[:2] if isinstance(server, socket.socket) else server.server_address[:2]
    return "http://%s:%d" % (host, port)


def test_a_get_goes_on_past_a_member_that_never_answers_and_the_next_call_starts_elsewhere(servers):
    silent, answering = servers
    client = Client(api=[url(silent), url(answering)], timeout=4)
    started = time.monotonic()
    assert client.status() == {"manager": None, "members": []}
    assert time.monotonic() - started < 4
    assert Answering.calls == 1
    started = time.monotonic()
    client.status()
    assert time.monotonic() - started < 1, "the second call went straight to the member that answers"
    assert Answering.calls == 2


def test_a_post_to_a_member_that_never_answers_times_out_once_and_is_not_sent_twice(servers):
    silent, answering = servers
    client = Client(api=[url(silent), url(answering)], timeout=1)
    with pytest.raises(Timeout, match="may or may not have taken effect"):
        client.request("daq1/acq/sine", "RUNNING")
    assert Answering.calls == 0
    client.timeout = 4
    started = time.monotonic()
    client.status()
    assert time.monotonic() - started < 1, "the next call started with the other member"


def test_when_no_member_answers_a_get_times_out_naming_the_last_one_tried(servers):
    silent, _ = servers
    other = socket.socket()
    other.bind(("127.0.0.1", 0))
    other.listen(50)
    try:
        client = Client(api=[url(silent), url(other)], timeout=2)
        with pytest.raises(Timeout, match="no API answered GET /api/v1/status in time"):
            client.status()
    finally:
        other.close()
