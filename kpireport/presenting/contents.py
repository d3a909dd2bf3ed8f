"""The cover's contents with the page each section starts on.

CSS can number them itself (``target-counter(attr(href), page)``), but WeasyPrint then lays the
document out again to resolve them: measured 15% more work on a 50-KPI pack. Instead the PDF is
laid out once, the pages its sections start on are read from the laid-out pages, and the cover
alone (one page) is laid out again with those numbers and put in the first page's place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

_COVER = '<section class="cover"'
_CONTENTS = '<nav class="toc"'
_LINK = re.compile(r'<a href="#([^"]+)">')


def section_pages(pages: Sequence[Any]) -> dict[str, int]:
    """Each anchor's page number (from 1) in laid-out WeasyPrint pages: where it first appears."""
    found: dict[str, int] = {}
    for number, page in enumerate(pages, start=1):
        for name in page.anchors:
            found.setdefault(name, number)
    return found


def numbered_cover(html: str, pages: Mapping[str, int]) -> str | None:
    """The pack's HTML cut after its cover, each contents link carrying its section's page
    (``data-page``, which pack.css prints after the title); None for HTML without a cover
    and contents (a user's own template)."""
    start = html.find(_COVER)
    end = html.find("</section>", start)
    contents = html.find(_CONTENTS, start)
    if start < 0 or end < 0 or not start < contents < end:
        return None

    def numbered(link: re.Match[str]) -> str:
        page = pages.get(link.group(1))
        return link.group(0) if page is None else f'<a href="#{link.group(1)}" data-page="{page}">'

    cover = html[:contents] + _LINK.sub(numbered, html[contents:end])
    return cover + "</section></main></body></html>"
