"""Errors of search over notes and emails, each with a stable code (tests assert on codes)."""

from __future__ import annotations

from nlq.errors import NlqError


class SearchError(NlqError):
    code = "search-error"
    status = 400


class EmptySearchQueryError(SearchError):
    code = "empty-search-query"
    status = 422


class SearchQueryTooLongError(SearchError):
    code = "search-query-too-long"
    status = 422


class InvalidSearchFilterError(SearchError):
    code = "invalid-search-filter"
    status = 422


class SearchIndexBusyError(SearchError):
    """Another indexer holds the index lock (one indexer per database at a time)."""

    code = "search-index-busy"
    status = 409
