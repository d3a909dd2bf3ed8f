"""The finished view model every renderer receives: every string formatted by the pack's one
formatter, every chart drawn, every ordering decided. Renderers only place things; they never
compute. Each page section is made by a module of its own beside this one."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from kpireport.computing.report import Report
from kpireport.formatting import Formatter
from kpireport.i18n import labels
from kpireport.presenting.commentary_view import CommentaryView, by_subject, key_messages
from kpireport.presenting.explore import Explore, explore
from kpireport.presenting.palette import Palette
from kpireport.presenting.summary import Summary
from kpireport.presenting.theme import Theme
from kpireport.presenting.view.actions import (
    NO_ACTIONS_SHEET,
    ActionsView,
    actions_view,
    improved_share,
    with_open_actions,
)
from kpireport.presenting.view.appendix import (
    ActionRow,
    AuditView,
    ChangesView,
    FindingGroup,
    QuarterlyView,
    ScorecardRow,
    actions,
    changes,
    finding_groups,
    quarterly,
    scorecard,
)
from kpireport.presenting.view.goals import BridgeView, KgiCard, PaceRow, TreeView, bridges, cards, goal_units, paces
from kpireport.presenting.view.goals import trees as kgi_trees
from kpireport.presenting.view.kpis import Department, KpiRow, TrendPage, TrendView, departments, trends
from kpireport.presenting.wording import WordedCommentary, WordedFinding

__all__ = [
    "ActionsView",
    "AuditView",
    "BridgeView",
    "KgiCard",
    "KpiRow",
    "PackView",
    "TrendView",
    "build_view",
    "with_explore",
]


@dataclass(frozen=True)
class PackView:
    lang: str
    labels: dict[str, str]
    fmt: Formatter
    """The pack's one formatter, for renderers that write number formats (a spreadsheet, a chart)."""
    company: str
    title: str
    month: str
    prepared: str
    fiscal_year: str
    kgis: tuple[KgiCard, ...]
    key_messages: tuple[CommentaryView, ...]
    """The commentary that opens the pack (SPEC §3b)."""
    summary: Summary
    """The status counts and the biggest movers, as the JSON and the e-mail say them too."""
    departments: tuple[Department, ...]
    findings: tuple[WordedFinding, ...]
    finding_groups: tuple[FindingGroup, ...]
    finding_count: int
    paces: tuple[PaceRow, ...]
    actions: tuple[ActionRow, ...]
    trees: tuple[TreeView, ...]
    bridges: tuple[BridgeView, ...]
    changes: ChangesView | None
    trend_pages: tuple[TrendPage, ...]
    scorecard: tuple[ScorecardRow, ...]
    quarterly: QuarterlyView | None
    logo: str | None
    footer: str
    theme_css: Markup
    colors: dict[str, str]
    palette: Palette
    font_family: str | None
    """The theme's font, where it names one (the deck's Latin face)."""
    audit: AuditView | None
    explore: Explore | None = None
    """Each KPI's detail for the interactive HTML; None when no HTML is asked for."""
    tracked_actions: ActionsView = NO_ACTIONS_SHEET
    """The Actions sheet's actions (SPEC §3c); ``actions`` are the Comments sheet's."""
    scope: str = ""
    """What a pack per audience holds, for its cover ("Sales and HR"); empty for the full pack."""
    east_asian: bool = False
    """Whether its text has Japanese, whatever its language: the deck then names a Japanese face."""
    paper_size: str = "A4"
    """The theme's paper (A4 unless it says otherwise), which the metrics workbook prints on."""

    def as_context(self) -> dict[str, Any]:
        return {"pack": self, "t": self.labels, "c": self.colors}


def build_view(
    report: Report,
    fmt: Formatter,
    findings: Sequence[WordedFinding],
    summary: Summary,
    commentary: WordedCommentary,
    *,
    theme: Theme,
    company: str,
    today: dt.date | None = None,
    audit: AuditView | None = None,
) -> PackView:
    """The pack, every figure decided, from a report whose text is clipped for display and
    its findings worded, with the pack's formatter."""
    settings = report.workbook.settings
    text = labels(fmt.locale)
    palette = theme.palette()
    font = theme.font_stack(fmt.locale)
    units = goal_units(report, fmt)
    notes = by_subject(commentary)
    tracked = actions_view(report, fmt, text)
    review = quarterly(report, findings, fmt, text)
    if review is not None:
        review = dataclasses.replace(review, actions_improved=improved_share(report, fmt))
    return PackView(
        lang=fmt.locale,
        labels=text,
        fmt=fmt,
        company=company,
        title=f"{text['monthly_review']} — {fmt.month(report.month)}",
        month=fmt.month(report.month),
        prepared=fmt.date(today or dt.date.today()),
        fiscal_year=fmt.month(settings.fiscal_year_of(report.month)),
        kgis=cards(report, units, text, palette, notes),
        key_messages=key_messages(commentary),
        summary=summary,
        departments=with_open_actions(departments(report, fmt, text, notes), tracked),
        findings=tuple(findings),
        finding_groups=finding_groups(findings, text),
        finding_count=len(findings),
        paces=paces(report, fmt),
        actions=actions(report, fmt, text),
        trees=kgi_trees(report, fmt, text, palette, font),
        bridges=bridges(report, units, text, palette, font),
        changes=changes(report, findings, fmt, text),
        trend_pages=trends(report, fmt, text, palette, font),
        scorecard=scorecard(report, fmt, text),
        quarterly=review,
        logo=theme.logo_data_uri,
        footer=theme.footer,
        theme_css=theme.css(),
        colors=theme.css_colors(),
        palette=palette,
        font_family=theme.font_family,
        paper_size=theme.paper_size,
        audit=audit,
        tracked_actions=tracked,
    )


def with_explore(view: PackView, report: Report) -> PackView:
    """``view`` (of ``report``, clipped for display) with what the interactive HTML's KPI
    detail shows: made apart, so the build makes it while the PDF renders."""
    notes = {row.id: row.commentary for dept in view.departments for row in dept.rows if row.commentary}
    actions = {
        row.id: [
            {"action": a.action, "who": a.who, "state": a.chip.label, "css": a.chip.css}
            for a in view.tracked_actions.open_on(row.id)
        ]
        for department in view.departments
        for row in department.rows
    }
    explored = explore(report, view.fmt, view.labels, view.findings, notes, actions)
    return dataclasses.replace(view, explore=explored)
