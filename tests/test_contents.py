"""The cover's contents are numbered from the pages the PDF laid out."""

from __future__ import annotations

from types import SimpleNamespace

from kpireport.presenting.contents import numbered_cover, section_pages

PACK = (
    '<html><body><main><section class="cover" id="cover"><h1>Acme</h1>'
    '<nav class="toc"><ol><li><a href="#summary">Summary</a></li><li><a href="#trends">Trends</a></li></ol></nav>'
    '</section><section class="summary" id="summary"><a href="#trends">see</a></section></main></body></html>'
)


def test_each_contents_link_carries_its_sections_page_and_the_rest_is_cut() -> None:
    cover = numbered_cover(PACK, {"summary": 2, "trends": 7})
    assert cover == (
        '<html><body><main><section class="cover" id="cover"><h1>Acme</h1>'
        '<nav class="toc"><ol><li><a href="#summary" data-page="2">Summary</a></li>'
        '<li><a href="#trends" data-page="7">Trends</a></li></ol></nav></section></main></body></html>'
    )


def test_a_section_not_laid_out_keeps_its_link_unnumbered() -> None:
    assert '<a href="#trends">Trends</a>' in (numbered_cover(PACK, {"summary": 2}) or "")


def test_html_without_a_cover_and_contents_is_left_alone() -> None:
    assert numbered_cover("<html><body><p>own template</p></body></html>", {"a": 1}) is None
    assert numbered_cover('<section class="cover"><h1>x</h1></section><nav class="toc"></nav>', {}) is None


def test_a_section_is_on_the_first_page_its_anchor_is() -> None:
    pages = [SimpleNamespace(anchors={"cover": 0}), SimpleNamespace(anchors={"summary": 0, "x": 1}),
             SimpleNamespace(anchors={"summary": 0})]  # fmt: skip
    assert section_pages(pages) == {"cover": 1, "summary": 2, "x": 2}
