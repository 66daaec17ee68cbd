"""Every Jinja template renders here: sandboxed, within a time budget and an output bound.

A restyled template is shared between counties, so it is untrusted code: it runs in jinja2's
:class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` (no private or internal attributes, so
``cycler.__init__.__globals__`` is refused; no mutation of lists or dicts), with what can grow
without bound taken out or capped: ``*``, ``**`` and ``+`` results, ``range``, the string methods
that pad to a width, ``lipsum``. Time is bounded twice: every call, attribute lookup and operator
checks the deadline, and a watchdog thread raises :class:`Budget` in the rendering thread when a
loop does none of those (CPython delivers it between two bytecodes). Output stops at
``MAX_OUTPUT`` characters. Every failure is a :class:`Failure` with the template's line.
"""

from __future__ import annotations

import ctypes
import operator
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

TIME_BUDGET = 10.0  # seconds for one template render
MAX_OUTPUT = 50_000_000  # characters of output
MAX_ITEMS = 1_000_000  # characters or items of one value made by an operator
MAX_RANGE = 100_000  # items of one range()
MAX_WIDTH = 10_000  # a width or count given to a string method or filter
MAX_BITS = 4_096  # an integer made by ``**``
#: String methods a template may call: those whose result is no larger than their inputs.
STR_METHODS = frozenset({
    "capitalize", "count", "endswith", "find", "format", "index", "isalnum", "isalpha", "isdigit",
    "islower", "isnumeric", "isspace", "istitle", "isupper", "join", "lower", "lstrip", "partition",
    "removeprefix", "removesuffix", "rfind", "rindex", "rpartition", "rsplit", "rstrip", "split",
    "splitlines", "startswith", "strip", "swapcase", "title", "upper", "center", "ljust", "rjust",
    "zfill", "replace",
})
#: A width or precision of five digits or more, or given as ``*``, in a ``%`` or ``{:}`` format.
_WIDE_PERCENT = re.compile(r"%[-#0 +]*(\*|\d{5,}|\d*\.(\*|\d{5,}))")
_WIDE_FORMAT = re.compile(r"\{[^{}]*:[^{}]*(\d{5,}|\{)")
_WIDTH_FILTERS = ("center", "indent", "wordwrap", "truncate", "batch", "slice")


class Failure(Exception):
    """A template that could not be rendered: why, and the template line (0 when unknown)."""

    def __init__(self, kind: str, line: int, detail: str = "") -> None:
        super().__init__(kind, line, detail)
        self.kind, self.line, self.detail = kind, line, detail


class Budget(Exception):
    """The time budget ran out (raised in the rendering thread by the watchdog or a check)."""


class _TooBig(Exception):
    """A value or the output would pass its bound."""


class Sandbox(ImmutableSandboxedEnvironment):
    """jinja2's immutable sandbox with bounded operators, calls and attribute lookups."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    deadline: float = float("inf")

    def __init__(self, **options: Any) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, **options)
        self.globals.pop("lipsum", None)
        self.globals["range"] = self._range
        for name in _WIDTH_FILTERS:
            self.filters[name] = _bounded(self.filters[name])

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise Budget

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and attr not in STR_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.check()
        return super().getattr(obj, attribute)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format`` as jinja2 sandboxes it, refused when it pads to a large width."""
        if isinstance(getattr(value, "__self__", None), str) and _WIDE_FORMAT.search(value.__self__):
            raise _TooBig
        return super().wrap_str_format(value)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.check()
        return super().getitem(obj, argument)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        __self.check()
        # a width or count matters to a string method (center, ljust, zfill...); a number given
        # to a macro or a format is a value, and range bounds its own length
        _no_large(args, kwargs, ints=isinstance(getattr(__obj, "__self__", None), str))
        if getattr(__obj, "__name__", "") == "replace" and isinstance(getattr(__obj, "__self__", None), str):
            _bound_replace(__obj.__self__, args)
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        self.check()
        if operator_ == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(n, int) and hasattr(seq, "__len__") and len(seq) * n > MAX_ITEMS:
                    raise _TooBig
            return operator.mul(left, right)
        if operator_ == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 \
                    and right * abs(left).bit_length() > MAX_BITS:
                raise _TooBig
            return operator.pow(left, right)
        if operator_ == "%":
            if isinstance(left, str) and _WIDE_PERCENT.search(left):
                raise _TooBig
            return operator.mod(left, right)
        if hasattr(left, "__len__") and hasattr(right, "__len__") and len(left) + len(right) > MAX_ITEMS:
            raise _TooBig
        return operator.add(left, right)

    def _range(self, *args: int) -> Iterator[int]:
        numbers = range(*args)
        if len(numbers) > MAX_RANGE:
            raise _TooBig
        for i, n in enumerate(numbers):
            if not i % 1024:
                self.check()
            yield n


def _no_large(args: tuple, kwargs: dict, ints: bool = True) -> None:
    """A string past MAX_ITEMS, or (``ints``) a width or count past MAX_WIDTH, as an argument."""
    for value in (*args, *kwargs.values()):
        if ints and isinstance(value, int) and abs(value) > MAX_WIDTH and not isinstance(value, bool):
            raise _TooBig
        if isinstance(value, str) and len(value) > MAX_ITEMS:
            raise _TooBig


def _bound_replace(text: str, args: tuple) -> None:
    if len(args) >= 2 and isinstance(args[1], str) and (text.count(args[0]) + 1) * len(args[1]) > MAX_ITEMS:
        raise _TooBig


def _bounded(function: Callable) -> Callable:
    """A filter whose width or count arguments are capped (after the value, and the context or
    environment jinja2 passes first to some filters)."""
    skip = 1 if hasattr(function, "jinja_pass_arg") else 0

    def bounded(*args: Any, **kwargs: Any) -> Any:
        _no_large(args[skip + 1:], kwargs)
        return function(*args, **kwargs)

    if skip:
        bounded.jinja_pass_arg = function.jinja_pass_arg  # type: ignore[attr-defined]
    return bounded


def render(env: Sandbox, template: jinja2.Template, context: dict[str, Any]) -> str:
    """The template filled with ``context``, or a :class:`Failure`."""
    def fill() -> str:
        parts: list[str] = []
        size = 0
        for part in template.generate(**context):
            size += len(part)
            if size > MAX_OUTPUT:
                raise _TooBig
            parts.append(part)
        return "".join(parts)

    return run(env, fill, template.filename)


def run(env: Sandbox, fill: Callable[[], Any], filename: str | None = None,
        budget: float = TIME_BUDGET) -> Any:
    """``fill()`` (which renders with ``env``) within the time budget; every way a template can
    fail is a :class:`Failure` with the template line."""
    try:
        with _watchdog(env, budget):
            return fill()
    except Budget:
        raise Failure("time", 0) from None
    except _TooBig as exc:
        raise Failure("size", _line(exc, filename)) from None
    except jinja2.TemplateSyntaxError as exc:
        raise Failure("syntax", exc.lineno or 0, exc.message or "") from None
    except jinja2.UndefinedError as exc:
        raise Failure("undefined", _line(exc, filename), exc.message or "") from None
    except jinja2.sandbox.SecurityError as exc:
        raise Failure("unsafe", _line(exc, filename)) from None
    except (ArithmeticError, TypeError, ValueError, LookupError, AttributeError, RecursionError,
            MemoryError, jinja2.TemplateError) as exc:
        raise Failure("error", _line(exc, filename), type(exc).__name__) from None


def compile_text(env: Sandbox, source: str) -> jinja2.Template:
    """A template from its text; a syntax error is a :class:`Failure` with its line."""
    try:
        return env.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise Failure("syntax", exc.lineno or 0, exc.message or "") from None
    except (RecursionError, MemoryError):  # nesting deeper than the compiler goes
        raise Failure("syntax", 0) from None


def _line(exc: BaseException, filename: str | None) -> int:
    """The template line where ``exc`` was raised: jinja2 rewrites the traceback's template
    frames to carry template line numbers, under the template's file name."""
    names = {filename or "<template>", "<template>"}
    line = 0
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in names:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


class _watchdog:
    """Sets ``env.deadline``; past it, raises :class:`Budget` in this thread even inside a loop
    that calls nothing (a pending asynchronous exception, cleared again when the render ends)."""

    def __init__(self, env: Sandbox, budget: float) -> None:
        self.env, self.budget = env, budget
        self.thread = threading.get_ident()
        self.lock = threading.Lock()
        self.active = False
        self.timer = threading.Timer(budget + 0.5, self._fire)
        self.timer.daemon = True

    def __enter__(self) -> None:
        self.env.deadline = time.monotonic() + self.budget
        self.active = True
        self.timer.start()

    def __exit__(self, *_: object) -> None:
        self.timer.cancel()
        with self.lock:
            self.active = False
            _async_raise(self.thread, None)
        self.env.deadline = float("inf")

    def _fire(self) -> None:
        with self.lock:
            if self.active:
                _async_raise(self.thread, Budget)


def _async_raise(thread: int, exc: type[BaseException] | None) -> None:
    if sys.implementation.name == "cpython":
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread),
                                                   ctypes.py_object(exc) if exc else None)
