"""Snippets: the passage of a note or email that matched, trimmed for display, with the query's words marked."""

from __future__ import annotations

import re

from nlq.search.chunking import content_span

MAX_SNIPPET_CHARS = 320


def build_snippet(kind: str, text: str, passage: tuple[int, int] | None) -> str:
    """The matched passage (or, for a keyword-only hit, the text without salutation and sign-off) on one line.

    >>> build_snippet("note", "Call with Ann.\\nShe wants a discount.", None)
    'Call with Ann. She wants a discount.'
    """
    start, end = passage if passage else content_span(kind, text)
    region = re.sub(r"\s+", " ", text[start:end]).strip()
    if len(region) <= MAX_SNIPPET_CHARS:
        return region
    cut = region.rfind(" ", 0, MAX_SNIPPET_CHARS - 1)
    return region[: cut if cut > MAX_SNIPPET_CHARS // 2 else MAX_SNIPPET_CHARS - 1].rstrip(" ,;:-") + "…"


def highlight_markers(marked: str, start: str, end: str) -> tuple[str, list[tuple[int, int]]]:
    """Turn `start`…`end` markers (from ts_headline) into clean text plus (start, end) offsets.

    >>> highlight_markers("a \\x02price\\x03 cut", "\\x02", "\\x03")
    ('a price cut', [(2, 7)])
    """
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    opened: int | None = None
    for piece in re.split(f"({re.escape(start)}|{re.escape(end)})", marked):
        if piece == start:
            opened = length
        elif piece == end:
            if opened is not None and length > opened:
                spans.append((opened, length))
            opened = None
        else:
            out.append(piece)
            length += len(piece)
    return "".join(out), spans
