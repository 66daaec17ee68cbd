"""``consolidate --scheduler`` against ports that are not a dask scheduler (issue 21, item 6):
each is one Chinese line with a code and exit 2, within seconds; never 内部错误, a hang, or
dask allocating what a banner's first bytes say."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from xl_helpers import run_main

import xlgbreport
from xlgbreport.consolidation import gather, scheduler
from xlgbreport.errors import InputError

Reply = Callable[[socket.socket], None]


@contextmanager
def listener(reply: Reply) -> Iterator[str]:
    """A local port whose every connection gets ``reply``; its ``tcp://`` address."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                peer, _ = server.accept()
            except TimeoutError:
                continue
            held.append(peer)
            try:
                reply(peer)
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        for peer in held:
            peer.close()
        server.close()


def silent(peer: socket.socket) -> None:
    """Accepts and says nothing."""


def garbage(peer: socket.socket) -> None:
    """Frames of garbage: a plausible size, then noise."""
    peer.sendall(struct.pack("<Q", 40) + bytes(range(7, 47)))


def banner(peer: socket.socket) -> None:
    """An SSH server's greeting: its first eight bytes, as a length, are 3.07 EiB."""
    peer.sendall(b"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n")


def wrong_map(peer: socket.socket) -> None:
    """dask's framing around a msgpack map that is not a handshake."""
    body = b"\x81\xa1a\x01"  # {"a": 1}
    frames = struct.pack("<QQ", 1, len(body)) + body
    peer.sendall(struct.pack("<Q", len(frames)) + frames)


def refused_address() -> str:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"  # closed again: nobody listens


def one_line(monkeypatch, capsys, tmp_path, address: str, *more: str) -> tuple[int, str, float]:
    start = time.monotonic()
    code, out, err = run_main(monkeypatch, capsys, "consolidate", tmp_path, "-o", tmp_path / "x.xlsx", "--org", "县",
                              "--scheduler", address, *more)
    return code, out + err, time.monotonic() - start


@pytest.mark.parametrize(("reply", "code"), [
    (silent, scheduler.TIMED_OUT.code), (garbage, scheduler.NOT_DASK.code),
    (banner, scheduler.NOT_DASK.code), (wrong_map, scheduler.NOT_DASK.code)])
def test_a_port_that_is_not_a_scheduler_is_one_line(monkeypatch, capsys, tmp_path, reply, code):
    with listener(reply) as address:
        with pytest.raises(InputError) as raised:
            with gather.cluster(address, timeout=2):
                pytest.fail("no executor for a port that is not a scheduler")
        assert raised.value.code == code
        status, text, seconds = one_line(monkeypatch, capsys, tmp_path, address, "--scheduler-timeout", "2")
    assert status == 2 and seconds < 30
    assert len(text.strip().splitlines()) == 1, text
    assert address in text and "内部错误" not in text


def test_a_refused_port_is_one_line(monkeypatch, capsys, tmp_path):
    address = refused_address()
    with pytest.raises(InputError) as raised:
        with gather.cluster(address, timeout=2):
            pass
    assert raised.value.code == scheduler.REFUSED.code
    status, text, _ = one_line(monkeypatch, capsys, tmp_path, address)
    assert status == 2 and text.strip().count("\n") == 0 and "拒绝连接" in text


@pytest.mark.parametrize("address", [
    "tls://127.0.0.1:8786", "ucx://127.0.0.1:8786", "127.0.0.1:8786", "tcp://127.0.0.1", "tcp://h:0",
    "tcp://h:99999", "tcp://h:1/x", "tcp://\x1b[2J:8786", "inproc://x\u202e", "ws://h:1", ""])
def test_only_tcp_addresses_are_accepted(monkeypatch, capsys, tmp_path, address):
    with pytest.raises(InputError) as raised:
        with gather.cluster(address):
            pass
    assert raised.value.code == scheduler.BAD_ADDRESS.code
    assert "\x1b" not in raised.value.message and "\u202e" not in raised.value.message
    status, text, seconds = one_line(monkeypatch, capsys, tmp_path, address)
    assert status == 2 and "内部错误" not in text and seconds < 5, text


@pytest.mark.parametrize("seconds", ["0", "-1", "nan", "1e9"])
def test_a_senseless_timeout_is_refused(monkeypatch, capsys, tmp_path, seconds):
    status, text, _ = one_line(monkeypatch, capsys, tmp_path, "tcp://127.0.0.1:1", "--scheduler-timeout",
                               seconds)
    assert status == 2 and "--scheduler-timeout" in text and "内部错误" not in text


def test_a_real_scheduler_passes_the_greeting_and_what_dask_raises_is_one_line(tmp_path):
    """The check lets a true dask scheduler through; an error raised by dask while reading is
    one line, one raised by anything else is not disguised as the cluster's."""
    from distributed import LocalCluster
    from distributed.comm.core import CommClosedError

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
                      dashboard_address=None) as local:
        address = local.scheduler_address
        with gather.cluster(address, timeout=10) as executor:
            assert list(executor.map(len, ["ab"])) == [2]
        with pytest.raises(InputError) as raised:
            with gather.cluster(address, timeout=10):
                raise CommClosedError("in <TCP (closed)>: Stream is closed")
        assert raised.value.code == gather.SCHEDULER_LOST.code and "CommClosedError" in raised.value.message
        with pytest.raises(ZeroDivisionError):
            with gather.cluster(address, timeout=10):
                print(1 / 0)


def test_a_scheduler_without_workers_is_one_line_not_a_wait(tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=0, processes=False, protocol="tcp://", dashboard_address=None) as local:
        start = time.monotonic()
        with pytest.raises(InputError) as raised:
            with gather.cluster(local.scheduler_address, timeout=1):
                pytest.fail("no executor without workers")
    assert raised.value.code == gather.NO_WORKERS.code and time.monotonic() - start < 10


def test_the_api_takes_the_timeout(tmp_path):
    with listener(silent) as address:
        start = time.monotonic()
        with pytest.raises(InputError) as raised:
            xlgbreport.consolidate([tmp_path], tmp_path / "x.xlsx", scheduler=address, scheduler_timeout=1)
    assert raised.value.code == scheduler.TIMED_OUT.code and time.monotonic() - start < 10
