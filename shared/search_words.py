"""How text is cut into searchable words: case- and accent-insensitive, punctuation
ignored. Used when indexing and when querying, so both always agree."""
from __future__ import annotations

import re
import unicodedata

MIN_WORD = 2
MAX_WORD = 40
MAX_WORDS = 60  # per indexed item: a long description is indexed by its first words

_SPLIT = re.compile(r"[^\w]+", re.UNICODE)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(*texts: str | None) -> list[str]:
    """Distinct words of the texts, in order of appearance."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in _SPLIT.split(fold(text or "")):
            word = word.strip("_")[:MAX_WORD]
            if len(word) >= MIN_WORD:
                seen.setdefault(word, None)
    return list(seen)[:MAX_WORDS]


def matches(query_words: list[str], *texts: str | None) -> bool:
    """Whether every query word starts a word of the texts (what the index promises)."""
    have = words(*texts)
    return all(any(w.startswith(q) for w in have) for q in query_words)
