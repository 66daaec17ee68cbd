"""Checking a ``--scheduler`` address before dask.distributed is given it.

dask trusts its peer: a silent port makes it wait, a port answering garbage or a banner
("SSH-2.0-...") has its first eight bytes read as a frame length and allocated (3.07 EiB), and
``tls://`` or ``ucx://`` without their set-up raise ``TypeError``. So only ``tcp://host:port``
(and ``inproc://`` for tests) is accepted, and a tcp scheduler is first greeted here with a plain
socket under a deadline: a dask scheduler speaks first, one small handshake (a msgpack map naming
its ``python`` and ``pickle-protocol``); anything else is refused before dask reads a byte.
"""

from __future__ import annotations

import re
import socket
import struct
import time

from ..core import shown
from ..errors import InputError, Message, os_reason

CONNECT_SECONDS = 10.0
BAD_ADDRESS = Message("consolidate.scheduler_address",
                      "调度器地址 {address} 无效：只接受 tcp://主机:端口（如 tcp://10.0.0.5:8786）")
BAD_TIMEOUT = Message("consolidate.scheduler_timeout", "--scheduler-timeout 应为 0 到 3600 之间的秒数，实为 {seconds}")
REFUSED = Message("consolidate.scheduler_refused", "无法连接 dask 调度器 {address}：{reason}")
TIMED_OUT = Message("consolidate.scheduler_timed_out", "连接 dask 调度器 {address} 超时（{seconds:g} 秒内没有应答）")
NOT_DASK = Message("consolidate.not_a_scheduler", "{address} 不是 dask 调度器（应答不符合 dask 协议），没有发送任务")
HANDSHAKE_LIMIT = 64 * 1024  # a scheduler's handshake is about 60 bytes
MAX_SECONDS = 3600.0

_HOST = r"(?:\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))"
_TCP = re.compile(rf"tcp://(?P<host>{_HOST}):(?P<port>[0-9]{{1,5}})")
_INPROC = re.compile(r"inproc://[A-Za-z0-9./_-]{1,200}")


def check_address(address: str) -> tuple[str, int] | None:
    """The host and port of a ``tcp://`` address; None for ``inproc://``; anything else is refused."""
    if _INPROC.fullmatch(address):
        return None
    match = _TCP.fullmatch(address)
    if match is None or not 0 < int(match["port"]) < 65536:
        raise InputError(None, BAD_ADDRESS, address=shown.terminal(address))
    return match["host"].strip("[]"), int(match["port"])


def check_timeout(seconds: float) -> float:
    """A timeout that makes sense: not negative, not NaN, at most an hour."""
    if not 0 < seconds <= MAX_SECONDS:  # NaN fails both comparisons
        raise InputError(None, BAD_TIMEOUT, seconds=seconds)
    return float(seconds)


def greet(address: str, host: str, port: int, seconds: float) -> None:
    """Read the scheduler's handshake within ``seconds``, bounded in size; raise one line if the
    port refuses, stays silent, or answers anything but a dask handshake."""
    deadline = time.monotonic() + seconds
    try:
        with socket.create_connection((host, port), timeout=seconds) as peer:
            head = _read(peer, 8, deadline)
            (size,) = struct.unpack("<Q", head)
            if not 16 <= size <= HANDSHAKE_LIMIT:
                raise _not_dask(address)
            _check_handshake(address, _read(peer, size, deadline))
    except TimeoutError:
        raise InputError(None, TIMED_OUT, address=address, seconds=seconds) from None
    except EOFError:
        raise _not_dask(address) from None
    except OSError as exc:
        raise InputError(None, REFUSED, address=address, reason=_os_reason(exc)) from None


def _read(peer: socket.socket, size: int, deadline: float) -> bytes:
    data = bytearray()
    while len(data) < size:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        peer.settimeout(left)
        chunk = peer.recv(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return bytes(data)


def _check_handshake(address: str, payload: bytes) -> None:
    """dask's frames: their count, each one's length, then the frames; one msgpack map here."""
    import msgpack  # a dependency of distributed, present whenever --scheduler can work

    (count,) = struct.unpack_from("<Q", payload)
    if not 1 <= count <= 8 or 8 + 8 * count > len(payload):
        raise _not_dask(address)
    lengths = struct.unpack_from(f"<{count}Q", payload, 8)
    start = 8 + 8 * count
    if start + sum(lengths) != len(payload):
        raise _not_dask(address)
    try:
        handshake = msgpack.unpackb(payload[len(payload) - lengths[-1]:], raw=False)  # bounded by its size
    except Exception:  # msgpack raises several unrelated types on garbage
        raise _not_dask(address) from None
    if not isinstance(handshake, dict) or not {"python", "pickle-protocol"} <= handshake.keys():
        raise _not_dask(address)


def _not_dask(address: str) -> InputError:
    return InputError(None, NOT_DASK, address=address)


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, socket.gaierror):
        return "找不到该主机"
    if isinstance(exc, ConnectionRefusedError):
        return "对方拒绝连接（该端口没有调度器在运行）"
    return os_reason(exc)
