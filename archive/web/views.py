"""What each page shows, gathered from the index: plain data for templates and the JSON API."""
from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from archive.index import Index
from archive.search import QueryError, SearchResult, search
from archive.snapshot import SnapshotNotFound
from archive.warc_ref import WarcFormatError
from archive.web import timefmt
from archive.web.catalog import Catalog
from archive.web.citation import build_citation
from archive.web.http import HttpError, Request, header_value, parse_charset
from archive.wacz import export_wacz
from archive.web.i18n import Translator
from archive.web.rewrite import is_web_url, page_resources, stylesheet_resources
from archive.web.textdiff import diff_words

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
PAGE_WINDOW = 2          # page links shown either side of the current page
MAX_PAGE = 500           # deep pages rank poorly anyway; keeps OFFSET bounded
MAX_ROW_ID = 2 ** 63 - 1  # SQLite INTEGER
CAPTURE_FIELDS = ("id", "url", "timestamp", "status", "mime", "payload_digest", "warc_file",
                  "offset", "length", "record_id", "record_type", "refers_to", "refers_to_url",
                  "refers_to_date", "crawl_id", "site", "source", "source_uri")


@dataclass(frozen=True)
class SearchForm:
    q: str = ""
    site: str = ""
    since: str = ""
    until: str = ""
    author: str = ""
    kind: str = "articles"
    page: int = 1
    limit: int = DEFAULT_LIMIT
    bad_number: str = ""

    @classmethod
    def from_request(cls, request: Request) -> "SearchForm":
        form = cls(q=request.arg("q"), site=request.arg("site"), since=request.arg("since"),
                   until=request.arg("until"), author=request.arg("author"),
                   kind=request.arg("kind") if request.arg("kind") in ("articles", "documents") else "articles")
        for name, upper in (("page", MAX_PAGE), ("limit", MAX_LIMIT)):
            text = request.arg(name)
            if not text:
                continue
            try:
                form = replace(form, **{name: min(max(int(text), 1), upper)})
            except ValueError:
                form = replace(form, bad_number=text)
        return form

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit

    @property
    def has_filters(self) -> bool:
        return bool(self.site or self.since or self.until or self.author)

    def query_string(self, **changes) -> str:
        values = {"q": self.q, "site": self.site, "since": self.since, "until": self.until,
                  "author": self.author, "kind": self.kind if self.kind != "articles" else "",
                  "limit": self.limit if self.limit != DEFAULT_LIMIT else "", "page": self.page}
        values.update(changes)
        return urlencode([(k, v) for k, v in values.items() if v not in ("", None, 1) or k == "q"])


def search_context(index: Index, form: SearchForm, t: Translator) -> dict:
    sites = index.sites()
    context = {"form": form, "sites": sites, "site_names": {s["id"]: s.get("name") or s["id"] for s in sites},
               "result": None, "problem": "", "overview": None, "pages": [], "page": form.page,
               "first": 0, "last": 0}
    try:
        since, until = timefmt.parse_user_date(form.since), timefmt.parse_user_date(form.until)
    except ValueError as error:
        context["problem"] = t("err_bad_date", value=str(error))
        context["overview"] = Catalog.overview(index)
        return context
    if form.bad_number:
        context["problem"] = t("err_bad_number", value=form.bad_number)
    if form.q:
        try:
            context["result"] = search(index, form.q, site=form.site or None, since=since, until=until,
                                       author=form.author or None, limit=form.limit,
                                       offset=form.offset, kind=form.kind)
        except QueryError as error:
            detail = t(error.key, **error.values) if error.key else str(error)
            context["problem"] = t("err_bad_query", detail=detail)
            context["result"] = SearchResult([], 0)
    elif form.has_filters:
        hits, total = index.browse_articles(site=form.site or None, since=since, until=until,
                                            author=form.author or None, limit=form.limit, offset=form.offset)
        context["result"] = SearchResult([_Row(hit) for hit in hits], total)
    else:
        context["overview"] = Catalog.overview(index)
    if context["result"] is not None:
        context["pages"] = page_numbers(form.page, -(-context["result"].total // form.limit))
    return context


class _Row(dict):
    """A browse row that templates and hit_dict read like a search Hit."""
    __getattr__ = dict.get

    def to_dict(self) -> dict:
        return dict(self)


def page_numbers(current: int, count: int) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20: None marks a gap."""
    count = min(count, MAX_PAGE)
    if count <= 1:
        return [1] if count == 1 else []
    wanted = {1, count, *range(current - PAGE_WINDOW, current + PAGE_WINDOW + 1)}
    numbers: list[int | None] = []
    for number in sorted(n for n in wanted if 1 <= n <= count):
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def hit_dict(hit) -> dict:
    return hit.to_dict()


def capture_dict(capture: dict) -> dict:
    item = {key: capture.get(key) for key in CAPTURE_FIELDS}
    item["timestamp"] = timefmt.iso_utc(capture["timestamp"])
    return item


# -- articles ---------------------------------------------------------------------------

def article_context(index: Index, catalog: Catalog, url: str, view) -> dict:
    article = require_article(index, url)
    captures = index.article_captures(article["id"])
    own_capture = index.capture(article["capture_id"]) if article.get("capture_id") else None
    cited = own_capture or (captures[-1] if captures else None)
    site_names = Catalog.site_names(index)
    return {
        "article": article,
        "site_name": site_names.get(article.get("site"), article.get("site") or ""),
        "aliases": [alias for alias in article["aliases"] if alias != article["url"]],
        "paragraphs": [p.strip() for p in (article.get("body") or "").split("\n\n") if p.strip()],
        "images": [archived_link(index, catalog, view, image, "src") for image in article["images"]],
        "attachments": [archived_link(index, catalog, view, item, "href") for item in article["attachments"]],
        "captures": list(reversed(captures)),
        "versions": version_views(_with_sources(index, article["id"])),
        "gone": gone_state(article, captures),
        "last_capture_time": captures[-1]["timestamp"] if captures else article.get("last_captured"),
        "snapshot_url": (cited or {}).get("url") or article["url"],
        "citation": citation_of(index, catalog, cited, view.t) if cited else None,
    }


def require_article(index: Index, url: str) -> dict:
    article = index.article(url)
    if article is None:
        raise HttpError(404, "err_article_not_found", url=url)
    return article


def archived_link(index: Index, catalog: Catalog, view, item: dict, key: str) -> dict:
    """The item with `archived`: the app URL of its archived copy, or None if never captured."""
    capture = catalog.capture_for(index, item[key]) if item.get(key) else None
    archived = view.raw_url(timefmt.stamp14(capture["timestamp"]), capture["url"]) if capture else None
    return {**item, "archived": archived}


def _with_sources(index: Index, article_id: int) -> list[dict]:
    """Versions, each with where it came from (our crawl or a web archive's memento)."""
    sources = {s["version"]: s for s in index.version_sources(article_id)}
    return [dict(v, source=sources.get(v["version"], {}).get("source"),
                 memento=sources.get(v["version"], {}).get("memento"))
            for v in index.article_versions(article_id)]


def version_views(versions: list[dict]) -> list[dict]:
    """Newest first, each with a word diff against the version before it."""
    shown = []
    previous = None
    for version in versions:
        item = dict(version, number=version["version"], diff=None, title_changed=False)
        if previous is not None:
            item["diff"] = diff_words(previous.get("body") or "", version.get("body") or "")
            item["title_changed"] = (previous.get("title") or "") != (version.get("title") or "")
            item["previous_title"] = previous.get("title")
        shown.append(item)
        previous = version
    return list(reversed(shown))


def gone_state(article: dict, captures: list[dict]) -> dict | None:
    """When the article was found missing, and the status its URL answered then (if fetched)."""
    if not article.get("gone"):
        return None
    in_that_crawl = [c for c in captures if article.get("gone_crawl_id") and c.get("crawl_id") == article["gone_crawl_id"]]
    status = in_that_crawl[-1].get("status") if in_that_crawl else None
    return {"when": article["gone"], "status": status, "crawl_id": article.get("gone_crawl_id")}


def article_data(index: Index, url: str) -> dict:
    article = require_article(index, url)
    captures = index.article_captures(article["id"])
    keys = ("url", "canonical", "aliases", "site", "title", "published", "author", "body", "images",
            "attachments", "documents", "versions", "first_captured", "last_captured", "gone")
    data = {key: article.get(key) for key in keys}
    data["captured"] = timefmt.iso_utc(article.get("captured"))
    data["captures"] = [capture_dict(capture) for capture in captures]
    data["version_history"] = [
        {"version": v["version"], "captured": timefmt.iso_utc(v["captured"]), "changed": v["changed"],
         "title": v["title"], "published": v["published"], "author": v["author"], "body": v["body"],
         "source": v["source"], "memento": v["memento"]}
        for v in _with_sources(index, article["id"])]
    return data


# -- captures and citations -------------------------------------------------------------

def find_capture(index: Index, catalog: Catalog, url: str, at: str | None) -> dict:
    moment = timefmt.parse_time(at) if at else None
    if at and moment is None:
        raise HttpError(400, "err_bad_date", value=at)
    capture = catalog.capture_for(index, url, at=moment)
    if capture is None:
        article = index.article(url)
        if article and article.get("capture_id"):
            capture = index.capture(article["capture_id"])
    if capture is None:
        raise HttpError(404, "err_capture_not_found", url=url)
    return capture


def row_id(value: str) -> int:
    """A row id from a request: 400 if it is not a number, 404 (no such row) if SQLite's
    64-bit integers cannot hold it (it would raise OverflowError) or it is below 1."""
    try:
        number = int(value)
    except ValueError as error:
        raise HttpError(400, "err_bad_number", value=value[:40]) from error
    if not 1 <= number <= MAX_ROW_ID:
        raise HttpError(404, "err_page_not_found")
    return number


def capture_from_request(index: Index, catalog: Catalog, request: Request) -> dict:
    if request.arg("capture"):
        capture = index.capture(row_id(request.arg("capture")))
        if capture is None:
            raise HttpError(404, "err_page_not_found")
        return capture
    return find_capture(index, catalog, required_url(request), request.arg("at"))


def required_url(request: Request) -> str:
    url = request.arg("url")
    if not url:
        raise HttpError(400, "err_missing_url")
    if not is_web_url(url):
        raise HttpError(400, "err_bad_url")
    return url


def citation_for(index: Index, catalog: Catalog, request: Request, t: Translator) -> dict:
    return citation_of(index, catalog, capture_from_request(index, catalog, request), t)


def citation_of(index: Index, catalog: Catalog, capture: dict, t: Translator) -> dict:
    try:
        digests = catalog.payload_digests(index, capture)
    except (OSError, WarcFormatError, SnapshotNotFound) as error:
        log.warning("cannot read the payload of %s: %s", capture.get("record_id"), error)
        digests = {}
    article = index.article(capture["url"])
    site_names = Catalog.site_names(index)
    site = (article or {}).get("site") or capture.get("site")
    return build_citation(t, capture=capture, digests=digests, article=article,
                          site_name=site_names.get(site, site))


# -- WACZ of one article ------------------------------------------------------------------

def article_wacz(index: Index, catalog: Catalog, url: str) -> tuple[str, bytes]:
    """(file name, bytes) of a WACZ holding the article's page, its aliases and what it loads."""
    article = require_article(index, url)
    capture = index.capture(article["capture_id"]) if article.get("capture_id") else None
    capture = capture or catalog.capture_for(index, article["url"])
    if capture is None:
        raise HttpError(404, "err_capture_not_found", url=url)
    wanted = [article["url"], *article["aliases"], *(i["src"] for i in article["images"]),
              *(a["href"] for a in article["attachments"]), *loaded_resources(index, catalog, capture)]
    urls = [c["url"] for c in (catalog.capture_for(index, u) for u in dict.fromkeys(wanted)) if c]
    pages = [{"url": capture["url"], "ts": capture["timestamp"], "title": article.get("title") or capture["url"]}]
    name = f"article-{article['id']}-{timefmt.stamp14(capture['timestamp'])}.wacz"
    with tempfile.TemporaryDirectory(prefix="portal-archive-wacz-") as directory:
        path = f"{directory}/{name}"
        damage = []
        try:
            export_wacz(catalog.warcs_dir, index, path, urls=urls, pages=pages,
                        title=article.get("title") or capture["url"], damage=damage)
        except (FileNotFoundError, LookupError, RuntimeError) as error:
            log.warning("WACZ of %s failed: %s", url, error)
            raise HttpError(503, "err_wacz_unavailable", detail=str(error)) from error
        if damage:  # the whole records went in; the archivist should hear of the rest
            log.warning("WACZ of %s read past damaged WARC data: %s", url, "; ".join(d.describe() for d in damage))
        with open(path, "rb") as handle:
            return name, handle.read()


def loaded_resources(index: Index, catalog: Catalog, capture: dict) -> list[str]:
    """What the archived page loads (stylesheets, images, scripts), and what its stylesheets load."""
    try:
        _, headers, body = catalog.snapshot(index, capture)
    except (SnapshotNotFound, WarcFormatError, OSError) as error:
        log.warning("cannot read %s for its resources: %s", capture["url"], error)
        return []
    found = page_resources(body, capture["url"], _charset(headers))
    for url in list(found):
        stylesheet = catalog.capture_for(index, url)
        if stylesheet is None or not (stylesheet.get("mime") or "").startswith("text/css"):
            continue
        try:
            _, css_headers, css = catalog.snapshot(index, stylesheet)
        except (SnapshotNotFound, WarcFormatError, OSError) as error:
            log.warning("cannot read stylesheet %s: %s", url, error)
            continue
        found += stylesheet_resources(css.decode(_charset(css_headers) or "utf-8", "replace"), stylesheet["url"])
    return found


def _charset(headers: list[tuple[str, str]]) -> str | None:
    _, _, params = (header_value(headers, "Content-Type") or "").partition(";")
    return parse_charset(params)
