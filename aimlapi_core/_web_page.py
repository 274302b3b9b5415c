"""Answers that are not the API's: a web page where its JSON (or SSE) was expected.

A base URL pointing at a website, a proxy's login page or a misconfigured gateway answers with
HTML, often kilobytes of it. The error says the base URL may be wrong and shows the page's first
words; the page itself stays on the error's ``body``. docs/errors.md "What the messages say".
"""

from __future__ import annotations

import httpx

from ._client_settings import DEFAULT_BASE_URL
from ._json import excerpt


def is_web_page(text: str) -> bool:
    """An HTML or XML document: a web server's, a proxy's login page; never the API's answer."""
    return text.lstrip()[:15].lower().startswith(("<!doctype", "<html", "<?xml", "<head", "<body"))


def url_of(response: httpx.Response) -> httpx.URL | None:
    """The URL a response answered, if it knows (one built by hand has no request)."""
    try:
        return response.url
    except RuntimeError:
        return None


def wrong_server(status: int, url: httpx.URL | None, page: str) -> str:
    """A web page where the API's JSON was expected: the base URL is the likely mistake."""
    return (
        f"{url or 'the server'} answered {status} with a web page (not JSON, not the AI/ML API): "
        f"the base URL may be wrong (the API's is {DEFAULT_BASE_URL}; an emulator prints its "
        f"own). The page begins {excerpt(' '.join(page.split()), 80)!r}"
    )
