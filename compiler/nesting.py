"""The nesting limit: how deep brackets, blocks and `if` expressions may go.

The compiler's passes walk expressions recursively, so the parser bounds the depth they
see, on the text before parsing: brackets and blocks, plus `if` expressions nested in one
another (an `if` can only stand in another's `then` or `else`, so a chain of `else if`
nests). A megabyte of nested `if`s is refused in milliseconds, with `nesting-too-deep` at
the point where the text first goes past MAX_NESTING.

    >>> deepest_in_text("rule x = if a then if b then 1 else 2 else 3")
    (2, 19)
    >>> deepest_in_text("x = ((((1))))", limit=2)
    (4, 6)
"""

from __future__ import annotations

import re

MAX_NESTING = 100


def deepest_in_text(
    code: str, declaration_start: re.Pattern[str] | None = None, limit: int = MAX_NESTING
) -> tuple[int, int]:
    """The deepest nesting of scheme text (strings and comments blanked out), and where it
    first goes past `limit` (where it is deepest, when it never does).

    A bracket or block opens a level; an `if` opens one that lasts to the end of the
    expression it is in (a `,` or `|` at its bracket level, the closing bracket, or the
    next declaration).
    """
    starts = declaration_start.pattern if declaration_start is not None else r"(?!)"
    tokens = re.compile(rf"[(){{}}]|[,|]|\bif\b|{starts}", re.M)
    open_ifs = [0]  # per bracket level, the `if`s open in its current expression
    ifs = deepest = where = 0
    for match in tokens.finditer(code):
        token = match.group().strip()
        if token in ("(", "{"):
            open_ifs.append(0)
        elif token in (")", "}"):
            if len(open_ifs) > 1:
                ifs -= open_ifs.pop()
        elif token == "if":
            open_ifs[-1] += 1
            ifs += 1
        else:  # a separator or a declaration: the expression at this level ends
            ifs -= open_ifs[-1]
            open_ifs[-1] = 0
        depth = len(open_ifs) - 1 + ifs
        if depth > deepest:
            if deepest <= limit:
                where = match.start()
            deepest = depth
    return deepest, where
