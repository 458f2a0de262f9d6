"""When an archived article is due to be asked for again: the revisit policy.

A recrawl always fetches listings, sitemaps and every page the archive holds no article for
(that is how new articles are found).  An article page is asked for again once its recheck
interval has passed since it was last asked for (by any of its URLs):

    interval = factor * basis, clamped to [min_interval, max_interval]
    basis    = the article's age (now - published, else now - first captured), or the time
               since its text last changed when that is shorter

so a new article is rechecked often, an old one rarely, and one that changed recently sooner
again.  `mode="all"` makes every article due (`portal-archive crawl --recheck all`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from archive.timeutil import parse_iso

MODES = ("due", "all")


@dataclass(frozen=True)
class ArticleHistory:
    """What the archive knows of one article, for the policy."""
    published: datetime | None
    first_captured: datetime | None
    last_changed: datetime | None     # when the newest version was captured (None: one version)
    last_checked: datetime | None     # newest capture of any of its URLs (a 304 counts)


@dataclass(frozen=True)
class Verdict:
    due: bool
    last_checked: datetime | None
    interval: timedelta


@dataclass(frozen=True)
class RevisitPolicy:
    min_interval: timedelta = timedelta(hours=12)
    max_interval: timedelta = timedelta(days=30)
    factor: float = 0.2
    mode: str = "due"

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"recheck mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.factor <= 0:
            raise ValueError(f"recheck factor must be positive, not {self.factor}")
        if self.max_interval < self.min_interval:
            raise ValueError("the longest recheck interval is shorter than the shortest")

    @property
    def rechecks_all(self) -> bool:
        return self.mode == "all" or self.max_interval <= timedelta(0)

    def interval(self, history: ArticleHistory, now: datetime) -> timedelta:
        born = history.published or history.first_captured or now
        basis = now - born
        if history.last_changed is not None:
            basis = min(basis, now - history.last_changed)
        wanted = basis * self.factor
        return max(self.min_interval, min(self.max_interval, wanted))

    def verdict(self, history: ArticleHistory, now: datetime) -> Verdict:
        """Is the article due for a recheck at `now`?  The one place this is decided."""
        interval = self.interval(history, now)
        if self.rechecks_all or history.last_checked is None:
            return Verdict(True, history.last_checked, interval)
        return Verdict(now - history.last_checked >= interval, history.last_checked, interval)


def history_of(article: dict, checked: str | None, last_changed: str | None) -> ArticleHistory:
    """An ArticleHistory from an `Index.article()` row and the two capture times."""
    published = parse_iso(article.get("published"), date_only_at=timezone.utc)
    return ArticleHistory(published=published, first_captured=parse_iso(article.get("first_captured")),
                          last_changed=parse_iso(last_changed), last_checked=parse_iso(checked))
