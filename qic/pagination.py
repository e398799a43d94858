"""Pagination of every list page: the page asked for, and its links (DSFR pagination: first, previous,
numbers with an ellipsis around the current page, next, last). The filters and the sort of the query string
are kept."""

from django.core.paginator import Page, Paginator


def paginate(request, items, per_page: int) -> Page:
    """The page of `items` asked for by `?page=` (`page_of`)."""
    return page_of(items, per_page, request.GET.get("page"))


def page_of(items, per_page: int, number, *, count: int | None = None) -> Page:
    """The page `number` of `items`: the first for a missing or malformed number, the last past the end (a
    stale link never fails). Its rows are read here, in the view (with what they prefetch), not when the
    template first loops over them. `count`: how many items there are, when the caller already knows it
    (one query less)."""
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count  # the cached property's value
    page = paginator.get_page(number)
    page.object_list = list(page.object_list)
    return page


def links(page, query, base_url: str = "") -> dict | None:
    """`query`: the request's GET parameters; `base_url` empty gives links relative to the current page."""
    if not page.has_other_pages():
        return None
    query = query.copy()

    def url(number: int) -> str:
        query["page"] = str(number)
        return f"{base_url}?{query.urlencode()}"

    last = page.paginator.num_pages
    return {
        "first": url(1) if page.number > 1 else "",
        "previous": url(page.previous_page_number()) if page.has_previous() else "",
        "next": url(page.next_page_number()) if page.has_next() else "",
        "last": url(last) if page.number < last else "",
        "pages": [
            {"number": n, "current": n == page.number, "url": url(n) if n != page.number else ""}
            if isinstance(n, int)
            else {"number": None}  # the ellipsis
            for n in page.paginator.get_elided_page_range(page.number)
        ],
    }
