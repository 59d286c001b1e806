"""Validation of everything written into a netlist as text: names, node names, comments.

A netlist is line-oriented: a newline in a name would start a new card, a leading ``.`` makes a
control card, and ``.control`` ... ``.endc`` runs interpreter commands (including ``shell``).
So names are plain identifiers, comments are single printable lines, and words that SPICE
tools treat as commands are refused as names even where they would be harmless, so that no line
of a generated netlist can be mistaken for one.
"""

from __future__ import annotations

import re

from vle.circuits.errors import CircuitError

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_TEXT = re.compile(r"[ -~]*\Z")
RESERVED: frozenset[str] = frozenset(
    {"control", "endc", "shell", "exec", "end", "ends", "include", "lib", "param", "subckt",
     "gnd", "system"}
)
"""Refused as names (case-insensitive): SPICE control words, and ``gnd``, which some SPICE
dialects read as the ground node."""
_FORBIDDEN_TEXT = re.compile(r"\.control|\.endc|\bshell\b|\.exec|\.include|\.lib")
"""Control words refused in free text; ``shell`` as a whole word (``shellfish`` is text)."""
MAX_NAME = 120
"""Longest accepted name; ngspice has no hard limit, but longer names are a model error."""


def check_name(name: object, what: str) -> str:
    """``name`` if it is a plain identifier (letters, digits, ``_``; starting with a letter)
    that is not a reserved word; else :class:`CircuitError` naming ``what``."""
    if not isinstance(name, str) or not _NAME.match(name) or len(name) > MAX_NAME:
        raise CircuitError(what, f"got {show(name)}", "a plain name: letters, digits and '_', "
                           f"starting with a letter, at most {MAX_NAME} characters (no spaces, "
                           "newlines, dots or parentheses)")
    if name.lower() in RESERVED:
        raise CircuitError(what, f"{name!r} is a reserved SPICE word",
                           "a name that is not one of " + ", ".join(sorted(RESERVED)))
    return name


def check_node(node: object, what: str) -> str:
    """A node name: ``0`` (ground) or a plain name (see :func:`check_name`)."""
    if node == "0":
        return "0"
    return check_name(node, what)


def check_element_name(name: object, prefix: str, what: str) -> str:
    """An element name: a plain name whose first letter is the SPICE type letter ``prefix``."""
    check_name(name, what)
    assert isinstance(name, str)
    if name[0].upper() != prefix:
        raise CircuitError(what, f"{name!r} does not start with {prefix!r}",
                           f"a name starting with the SPICE type letter {prefix!r}")
    return name


def check_text(text: object, what: str) -> str:
    """Free text that goes into a title or a comment line (a file name, a description).

    One printable ASCII line, balanced parentheses, and none of ``.control``, ``.endc``,
    the word ``shell``, ``.exec``, ``.include``, ``.lib``.
    """
    if not isinstance(text, str):
        raise CircuitError(what, f"got {show(text)}", "text")
    if not _TEXT.match(text):
        bad = next(c for c in text if not " " <= c <= "~")
        raise CircuitError(what, f"{show(text)} contains the character {bad!r}",
                           "one line of printable ASCII text (no newline or control character)")
    found = _FORBIDDEN_TEXT.search(text.lower())
    if found:
        raise CircuitError(what, f"{show(text)} contains {found.group()!r}",
                           "text without SPICE control words")
    return check_balanced(text, what)


def check_balanced(text: str, what: str) -> str:
    """``text`` if its parentheses balance (never closing more than are open)."""
    depth = 0
    for c in text:
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth < 0:
            break
    if depth != 0:
        raise CircuitError(what, f"{show(text)} has unbalanced parentheses",
                           "balanced parentheses")
    return text


def show(value: object) -> str:
    """``repr(value)``, cut to 60 characters, for error messages."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
