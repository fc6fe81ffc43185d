"""API schemas for search."""
from pydantic import BaseModel


class SearchResult(BaseModel):
    type: str
    category: str
    id: int
    title: str
    description: str | None
    url: str
    badge: str


class SearchResults(BaseModel):
    results: list[SearchResult]
    query: str
    count: int
