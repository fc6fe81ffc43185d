"""The search index's access patterns (see SearchTermModel): keep an item's words
in step with its text, and find ids by word prefix with one Query per word."""
from __future__ import annotations

from itertools import islice

from pynamodb.models import BatchWrite

from shared.models.registry import SearchTermModel
from shared.search_words import words

MAX_MATCHES_PER_WORD = 2000  # a very common word stops counting here; results are "the first N"


def _bucket(kind: str, scope: str, word: str) -> str:
    return f"{kind}:{scope}:{word[:2]}"


def _term(word: str, ref_id: int) -> str:
    return f"{word}#{ref_id:012d}"


Change = tuple  # (kind, scope, ref_id, old texts, new texts)


def index_texts(changes: list[Change]) -> None:
    """Write the words items gained and delete the ones they lost, all in BatchWriteItem
    calls of 25 (one batch for a whole bulk operation)."""
    with BatchWrite(SearchTermModel) as batch:
        for kind, scope, ref_id, old_texts, new_texts in changes:
            old, new = set(words(*old_texts)), set(words(*new_texts))
            for word in old - new:
                batch.delete(SearchTermModel(_bucket(kind, scope, word), _term(word, ref_id)))
            for word in new - old:
                batch.save(SearchTermModel(_bucket(kind, scope, word), _term(word, ref_id), ref_id=ref_id))


def index_text(kind: str, scope: str, ref_id: int, old_texts: tuple, new_texts: tuple) -> None:
    index_texts([(kind, scope, ref_id, old_texts, new_texts)])


def find(kind: str, scope: str, query_words: list[str], limit: int) -> list[int]:
    """Ids whose words start with every query word (newest id first), at most ``limit``."""
    matches: set[int] | None = None
    for word in sorted(query_words, key=len, reverse=True):  # the longest word narrows most
        query = SearchTermModel.query(_bucket(kind, scope, word), SearchTermModel.term.startswith(word),
                                      page_size=500)
        found = {item.ref_id for item in islice(query, MAX_MATCHES_PER_WORD)}
        matches = found if matches is None else matches & found
        if not matches:
            return []
    return sorted(matches or (), reverse=True)[:limit]
