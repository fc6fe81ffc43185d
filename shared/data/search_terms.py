"""The search index's access patterns (see SearchTermModel): keep an item's words
in step with its text, and find ids by word prefix with one Query per word."""
from __future__ import annotations

from itertools import islice

from shared.data.common import BatchWrite
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


POSTINGS = "~"  # sorts after every word: postings items never answer a word's own Query
MAX_POSTINGS_CHARS = 100_000  # per item: far under DynamoDB's 400 KB


def index_bulk(kind: str, items: list[tuple[str, int, tuple]]) -> None:
    """Index a batch of new items ((scope, id, texts)) as postings: per bucket one item
    listing every word of the batch with its ids. Keyed by the batch's first id, so a
    retried batch rewrites the same items."""
    if not items:
        return
    base = min(ref_id for _, ref_id, _ in items)
    buckets: dict[str, dict[str, list[int]]] = {}
    for scope, ref_id, texts in items:
        for word in words(*texts):
            buckets.setdefault(_bucket(kind, scope, word), {}).setdefault(word, []).append(ref_id - base)
    with BatchWrite(SearchTermModel) as batch:
        for bucket, postings in buckets.items():
            for part, text in enumerate(_parts(postings)):
                batch.save(SearchTermModel(bucket, f"{POSTINGS}{base:012d}#{part:03d}", ref_id=base, postings=text))


def _parts(postings: dict[str, list[int]]):
    text = ""
    for word, offsets in postings.items():
        line = word + " " + " ".join(map(str, offsets)) + "\n"
        if text and len(text) + len(line) > MAX_POSTINGS_CHARS:
            yield text
            text = ""
        text += line
    if text:
        yield text


def _posted(bucket: str, word: str, limit: int) -> set[int]:
    """Ids the bucket's postings list under words starting with ``word``."""
    found: set[int] = set()
    for item in SearchTermModel.query(bucket, SearchTermModel.term.startswith(POSTINGS), page_size=100):
        for line in item.postings.splitlines():
            posted, _, offsets = line.partition(" ")
            if posted.startswith(word):
                found.update(item.ref_id + int(o) for o in offsets.split())
        if len(found) >= limit:
            break
    return found


def find(kind: str, scope: str, query_words: list[str], limit: int) -> list[int]:
    """Ids whose words start with every query word (newest id first), at most ``limit``.
    Postings are written once and not rewritten when an item changes, so callers check
    what they fetch (the item may have lost the word, or be gone)."""
    matches: set[int] | None = None
    for word in sorted(query_words, key=len, reverse=True):  # the longest word narrows most
        bucket = _bucket(kind, scope, word)
        query = SearchTermModel.query(bucket, SearchTermModel.term.startswith(word), page_size=500)
        found = {item.ref_id for item in islice(query, MAX_MATCHES_PER_WORD)}
        if kind in BULK_KINDS:
            found |= _posted(bucket, word, MAX_MATCHES_PER_WORD)
        matches = found if matches is None else matches & found
        if not matches:
            return []
    return sorted(matches or (), reverse=True)[:limit]


BULK_KINDS = ("entry",)  # the kinds written in bulk (index_bulk)
