"""Split a note or email into the passages that get embedded: whole short texts, sentence windows of long ones.

all-MiniLM-L6-v2 reads at most 256 word pieces and was trained on 128, so a passage is kept under
about 100 words; a longer text becomes windows of whole sentences that overlap by one sentence, so a
statement cut at a window edge is still seen whole. Salutations and sign-offs of emails ("Hi Sam,",
"Best,\\nDana") carry no meaning worth matching and are left out of every passage, but offsets always
point into the original text so snippets can highlight the passage that matched.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

MAX_CHUNK_WORDS = 100
MAX_CHUNKS = 64  # a pasted novel still costs a bounded amount of embedding

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"')\]]*)?|[.!?]+")
_GREETING = re.compile(r"^\s*(hi|hello|hey|dear|good (morning|afternoon|evening))\b.{0,40}[,\-:!]?\s*$|"
                       r"^\s*[\w .'-]{1,40}[,:]\s*$", re.IGNORECASE)
_CLOSING = re.compile(r"^\s*(best|thanks|thank you|many thanks|regards|kind regards|best regards|warm regards|"
                      r"cheers|talk soon|sincerely|all the best|br)\b[^\n]{0,20}$", re.IGNORECASE)


@dataclass(frozen=True)
class Chunk:
    """One passage: its position in the document text and the hash that identifies its vector."""

    chunk_no: int
    start: int
    end: int
    text: str
    content_hash: str


def document_text(kind: str, *, body: str | None, subject: str | None = None) -> str:
    """The text a document is searched by; the same expression as the database triggers use."""
    if kind == "email":
        return f"{subject or ''}\n{body or ''}"
    return body or ""


def chunk_hash(model_name: str, text: str) -> str:
    """Identifies a passage's vector: the same words under the same model are never embedded twice."""
    return hashlib.md5(f"{model_name}\x1f{text}".encode()).hexdigest()


def chunk_document(kind: str, text: str, *, model_name: str) -> list[Chunk]:
    """The passages of one document text (at least one while the text has any words).

    >>> [c.text for c in chunk_document("email", "Pricing\\nHi Sam,\\n\\nThe quote is too high.\\n\\nBest,\\nDana",
    ...                                   model_name="m")]
    ['Pricing\\nThe quote is too high.']
    """
    start, end = content_span(kind, text)
    sentences = _sentence_spans(text, start, end)
    if not sentences:
        stripped = text.strip()
        if not stripped:
            return []
        first = text.index(stripped[0])
        sentences = [(first, first + len(stripped))]
    windows = _windows(text, sentences)
    chunks = []
    for number, (s, e) in enumerate(windows[:MAX_CHUNKS]):
        passage = text[s:e]
        subject = text.split("\n", 1)[0].strip() if kind == "email" else ""
        if subject and s > len(subject):
            passage = f"{subject}\n{passage}"  # every passage of an email keeps its subject as context
        chunks.append(Chunk(number, s, e, passage, chunk_hash(model_name, passage)))
    return chunks


def content_span(kind: str, text: str) -> tuple[int, int]:
    """Offsets of the meaningful part: emails lose their greeting line and sign-off block."""
    if kind != "email":
        return 0, len(text)
    lines = text.split("\n")
    offsets = []
    position = 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1
    first = 1 if len(lines) > 1 else 0  # line 0 is the subject
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first < len(lines) and first > 0 and _GREETING.match(lines[first]) and len(lines[first].split()) <= 6:
        first += 1
    last = len(lines)
    # the sign-off: the last paragraph, when it opens with a closing word and is short
    blank = max((i for i in range(first, len(lines)) if not lines[i].strip()), default=None)
    if blank is not None and blank + 1 < len(lines) and _CLOSING.match(lines[blank + 1]) and \
            len(lines) - blank - 1 <= 4:
        last = blank
    if first >= last:
        return 0, len(text)
    start = offsets[first]
    end = offsets[last - 1] + len(lines[last - 1])
    return start, end


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    for match in _SENTENCE.finditer(text, start, end):
        piece = match.group(0)
        stripped = piece.strip()
        if not stripped or not any(ch.isalnum() for ch in stripped):
            continue
        lead = len(piece) - len(piece.lstrip())
        spans.append((match.start() + lead, match.start() + lead + len(stripped)))
    return spans


def _windows(text: str, sentences: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Pack whole sentences into windows of at most MAX_CHUNK_WORDS words, overlapping by one sentence."""
    words = [len(text[s:e].split()) for s, e in sentences]
    if sum(words) <= MAX_CHUNK_WORDS:
        return [(sentences[0][0], sentences[-1][1])]
    windows: list[tuple[int, int]] = []
    i = 0
    while i < len(sentences):
        j, count = i, 0
        while j < len(sentences) and (count + words[j] <= MAX_CHUNK_WORDS or j == i):
            count += words[j]
            j += 1
        if words[i] > MAX_CHUNK_WORDS:  # one run-on "sentence": cut it by words
            windows.extend(_split_long(text, sentences[i]))
        else:
            windows.append((sentences[i][0], sentences[j - 1][1]))
        if j >= len(sentences):
            break
        i = j - 1 if j - 1 > i else j  # overlap by one sentence
    return windows


def _split_long(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[span[0]:span[1]])]
    out = []
    for k in range(0, len(tokens), MAX_CHUNK_WORDS):
        group = tokens[k:k + MAX_CHUNK_WORDS]
        out.append((span[0] + group[0][0], span[0] + group[-1][1]))
    return out
