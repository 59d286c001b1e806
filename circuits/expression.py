"""The expressions of behavioural (B) sources: a small whitelisted grammar, checked and
evaluated.

Every expression written into a netlist must parse in this grammar, which is also what makes it
safe: nothing outside it (a newline, a ``;``, a dot card, ``shell``, an unknown function, an
unbalanced parenthesis) can pass. ::

    expr  := term (('+' | '-') term)*
    term  := unary (('*' | '/') unary)*
    unary := ('-' | '+') unary | atom
    atom  := number | 'v(' node [',' node] ')' | func '(' expr {',' expr} ')' | '(' expr ')'

Numbers may carry a SPICE scale suffix (``2m``). Functions and their ngspice meaning:
``exp``, ``ln`` (natural log), ``tanh``, ``abs``, ``sgn`` (sign, 0 at 0), ``sqrt``, ``min``,
``max``. ``u()`` is deliberately absent: ngspice's step is 0.5 at 0, where phi' needs 0.

:func:`evaluate` computes an expression with numpy for given node voltages, which is how the
tests hold the nonlinearity cells to :mod:`vle.model.nonlinearity` and how small-signal
analysis linearises behavioural sources.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from vle.circuits.engineering import parse_value
from vle.circuits.errors import CircuitError
from vle.circuits.names import check_balanced, check_node, show

FUNCTIONS: dict[str, tuple[int, Callable[..., Any]]] = {
    "exp": (1, np.exp),
    "ln": (1, np.log),
    "tanh": (1, np.tanh),
    "abs": (1, np.abs),
    "sgn": (1, np.sign),
    "sqrt": (1, np.sqrt),
    "min": (2, np.minimum),
    "max": (2, np.maximum),
}
"""Allowed functions: name -> (number of arguments, numpy implementation)."""

_TOKEN = re.compile(
    r"(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?:meg|[tgkmunpf])?)(?![A-Za-z0-9_])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*/(),])|(?P<space>[ ]+)",
    re.IGNORECASE,
)
Node = tuple[Any, ...]


def check_expression(text: object, what: str) -> str:
    """``text`` if it is a valid behavioural expression, else :class:`CircuitError`."""
    parse(text, what)
    assert isinstance(text, str)
    return text


def nodes_of(text: str) -> tuple[str, ...]:
    """The node names an expression reads through ``v(...)``, in order of first use."""
    out: dict[str, None] = {}
    _collect(_parse_cached(text), out)
    return tuple(out)


def evaluate(text: str, voltages: Mapping[str, Any]) -> Any:
    """The value of the expression for node voltages ``voltages`` (floats or numpy arrays;
    ground ``0`` is 0 V). Overflow gives ``inf`` as in ngspice; no exceptions."""
    with np.errstate(all="ignore"):
        return _eval(_parse_cached(text), voltages)


def parse(text: object, what: str = "expression") -> Node:
    """The syntax tree of ``text``; :class:`CircuitError` naming ``what`` if it is invalid."""
    if not isinstance(text, str) or not text.strip():
        raise CircuitError(what, f"got {text!r}", "a non-empty expression")
    check_balanced(text, what)
    tokens = _tokens(text, what)
    parser = _Parser(tokens, text, what)
    tree = parser.expr()
    if parser.pos != len(tokens):
        parser.fail("unexpected " + repr(tokens[parser.pos][1]))
    return tree


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Node:
    return parse(text)


def _tokens(text: str, what: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise CircuitError(what, f"{show(text)} has the character {text[pos]!r} at column "
                               f"{pos + 1}", "an expression of numbers, v(node), + - * / , "
                               "parentheses and the functions " + ", ".join(FUNCTIONS))
        kind = m.lastgroup
        assert kind is not None
        if kind != "space":
            out.append((kind, m.group()))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], text: str, what: str) -> None:
        self.tokens, self.text, self.what, self.pos = tokens, text, what, 0

    def fail(self, problem: str) -> None:
        raise CircuitError(self.what, f"{show(self.text)}: {problem}",
                           "a behavioural expression (see vle.circuits.expression)")

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self, want: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            self.fail("ends too early")
        tok = self.tokens[self.pos]
        if want is not None and tok[1] != want:
            self.fail(f"expected {want!r}, got {tok[1]!r}")
        self.pos += 1
        return tok

    def expr(self) -> Node:
        node = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            node = ("bin", op, node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()[1]
            node = ("bin", op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.peek() in ("-", "+"):
            op = self.take()[1]
            inner = self.unary()
            return ("neg", inner) if op == "-" else inner
        return self.atom()

    def atom(self) -> Node:
        kind, tok = self.take()
        if kind == "num":
            return ("num", parse_value(tok))
        if tok == "(":
            node = self.expr()
            self.take(")")
            return node
        if kind != "name":
            self.fail(f"unexpected {tok!r}")
        name = tok.lower()
        if name == "v":
            self.take("(")
            nodes = [self._node()]
            if self.peek() == ",":
                self.take(",")
                nodes.append(self._node())
            self.take(")")
            return ("v", *nodes)
        if name not in FUNCTIONS:
            self.fail(f"unknown function or name {tok!r}")
        self.take("(")
        args = [self.expr()]
        while self.peek() == ",":
            self.take(",")
            args.append(self.expr())
        self.take(")")
        if len(args) != FUNCTIONS[name][0]:
            self.fail(f"{name}() takes {FUNCTIONS[name][0]} argument(s), got {len(args)}")
        return ("call", name, *args)

    def _node(self) -> str:
        kind, tok = self.take()
        if kind == "num" and tok == "0":
            return "0"
        if kind != "name":
            self.fail(f"expected a node name, got {tok!r}")
        return check_node(tok, f"{self.what}: node")


def _eval(node: Node, volts: Mapping[str, Any]) -> Any:
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "v":
        values = [0.0 if n == "0" else volts[n] for n in node[1:]]
        return values[0] - values[1] if len(values) == 2 else values[0]
    if kind == "neg":
        return -_eval(node[1], volts)
    if kind == "call":
        return FUNCTIONS[node[1]][1](*(_eval(a, volts) for a in node[2:]))
    a, b = _eval(node[2], volts), _eval(node[3], volts)
    return {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}[node[1]](a, b)


def _collect(node: Node, out: dict[str, None]) -> None:
    if node[0] == "v":
        out.update(dict.fromkeys(n for n in node[1:] if n != "0"))
    elif node[0] in ("neg", "call", "bin"):
        for child in node[1:]:
            if isinstance(child, tuple):
                _collect(child, out)

