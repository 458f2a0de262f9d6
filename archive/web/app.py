"""The WSGI app: search, article, snapshot and citation pages, archived content, JSON API."""
from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from importlib import resources
from urllib.parse import quote, unquote, urlencode, urlsplit

from archive.snapshot import SnapshotNotFound
from archive.warc_ref import WarcFormatError
from archive.web import routes, timefmt
from archive.web.access import TOKEN_COOKIE, AccessPolicy
from archive.web.catalog import ArchiveMissing, Catalog
from archive.web.http import (HttpError, Request, Response, content_disposition, header_value,
                              parse_charset, redirect)
from archive.web.i18n import LANGUAGE_COOKIE, LANGUAGES, Translator, choose_language
from archive.web.pages import make_environment
from archive.web.rewrite import is_web_url, rewrite_css, rewrite_html, web_url
from archive.web.routes import Access, Route
from archive.web import views

log = logging.getLogger(__name__)

LANGUAGE_NAMES = (("vi", "Tiếng Việt"), ("en", "English"))
# App pages: only the scripts and stylesheets the page's own templates name (they carry the
# response's nonce), so nothing under /raw/, though same-origin, can run or style an app
# page; frames and images from the archive; nobody may frame them.
APP_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'nonce-{nonce}'; "
           "script-src 'nonce-{nonce}'; frame-src 'self'; object-src 'none'; base-uri 'none'; "
           "form-action 'self'; frame-ancestors 'none'")
# Archived content: a sandbox (opaque origin, no scripts, no forms, no popups; a reader's
# click on a link may open the linked snapshot in the top window), nothing fetched from the
# live web, and only our own pages may frame it.
RAW_CSP = ("sandbox allow-top-navigation-by-user-activation; default-src 'self' data:; script-src 'none'; object-src 'none'; "
           "style-src 'self' 'unsafe-inline' data:; img-src 'self' data:; font-src 'self' data:; "
           "media-src 'self' data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'")
INLINE_TYPES = ("text/html", "text/css", "text/plain", "image/", "font/", "audio/", "video/")
# JavaScript MIME types (WHATWG MIME Sniffing): archived scripts are served as text/plain, so
# with nosniff no page at all, the app's included, can load a raw capture as a script.
SCRIPT_TYPES = frozenset(
    f"{prefix}/{name}" for prefix in ("application", "text")
    for name in ("javascript", "ecmascript", "x-javascript", "x-ecmascript")) | frozenset(
    f"text/{name}" for name in ("javascript1.0", "javascript1.1", "javascript1.2", "javascript1.3",
                                "javascript1.4", "javascript1.5", "jscript", "livescript"))
STATIC_TYPES = {"css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
                "svg": "image/svg+xml", "png": "image/png"}
ONE_YEAR = 365 * 24 * 3600
API_ENDPOINTS = {
    "/api/search": "q, site, since, until (YYYY-MM-DD or DD/MM/YYYY), author, kind (articles|documents), "
                   "page, limit -> {total, hits: [{url, title, published, site, author, snippet, score}]}",
    "/api/article": "url -> the article (newest text), captures, version_history, gone",
    "/api/captures": "url -> every capture of the article or URL, oldest first",
    "/api/citation": "capture (id) or url [+ at] -> title, portal, url, published, captured, sha1, sha256, "
                     "warc_file, record_id, text",
    "/api/sites": "the portals in the archive",
    "/record": "id (capture id) -> the raw WARC record (.warc.gz)",
    "/wacz": "url -> a WACZ of the article's page and what it loads",
}
# Archived copies of government pages must not compete with the originals in search engines.
ROBOTS_TXT = "User-agent: *\nDisallow: /raw/\nDisallow: /record\nDisallow: /wacz\nDisallow: /api/\n"


@dataclass(frozen=True)
class View:
    """What every handler needs about the request it serves."""
    request: Request
    language: str
    t: Translator
    raw_key: str
    nonce: str = ""  # the CSP nonce of this response's own scripts and stylesheets

    def raw_url(self, stamp: str, url: str) -> str:
        key = f"k-{self.raw_key}/" if self.raw_key else ""
        return f"{routes.RAW_PREFIX}{key}{stamp}/{url}"


class ArchiveApp:
    def __init__(self, data_dir, token: str | None = None, public: bool = False,
                 allowed_hosts: frozenset[str] | None = None):
        self.catalog = Catalog(data_dir)
        self.access = AccessPolicy(token=token or None, public=public)
        self.allowed_hosts = allowed_hosts
        self.templates = make_environment()

    # -- WSGI ------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        request = Request.from_environ(environ)
        language = choose_language(request.arg("lang") or None, request.cookies.get(LANGUAGE_COOKIE),
                                   request.headers.get("accept-language"))
        view = View(request, language, Translator(language), self.access.raw_key(),
                    nonce=secrets.token_urlsafe(18))
        route, params = routes.match(request.path)
        is_api = route.api if route else request.path.startswith("/api/")
        try:
            response = self.dispatch(request, view, route, params)
        except HttpError as error:
            response = self.error_response(view, error, is_api)
        except ArchiveMissing as missing:
            response = self.error_response(view, HttpError(503, "err_no_archive", path=str(missing)), is_api)
        except Exception:  # the one place that turns any failure into a friendly page
            log.exception("error handling %s %s", request.method, request.full_path)
            response = self.error_response(view, HttpError(500, "err_server"), is_api)
        return self.finish(response, view, start_response)

    def finish(self, response: Response, view: View, start_response):
        headers = [("Content-Type", response.content_type)]
        names = {name.lower() for name, _ in response.headers}
        if "content-security-policy" not in names:
            headers.append(("Content-Security-Policy", APP_CSP.format(nonce=view.nonce)))
        headers += [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")]
        headers += response.headers
        headers.append(("Content-Length", str(len(response.body))))
        start_response(response.status_line(), headers)
        return [b""] if view.request.method == "HEAD" else [response.body]

    def dispatch(self, request: Request, view: View, route: Route | None, params: dict | None) -> Response:
        if self.allowed_hosts is not None:
            host = (request.headers.get("host") or "").rsplit(":", 1)[0].lower()
            if host.strip("[]") not in self.allowed_hosts:
                raise HttpError(400, "err_bad_host")
        if route is None:
            raise HttpError(404, "err_page_not_found")
        if request.method not in route.methods:
            raise HttpError(405, "err_method", method=request.method)
        if request.arg("token") and self.access.needs_token:
            return self.token_from_link(request)
        if not self.allowed(route, request, params):
            if route.api:
                raise HttpError(401, "err_unauthorized")
            return self.login_page(view, failed=False, status=401)
        return getattr(self, route.handler)(request, view, **params)

    def allowed(self, route: Route, request: Request, params: dict) -> bool:
        """What the route declares (routes.Access) against what the request shows."""
        if route.access is Access.OPEN or self.access.allows(request.headers, request.cookies):
            return True
        return route.access is Access.ARCHIVED and self.access.raw_key_matches(params.get("key"))

    # -- rendering helpers -----------------------------------------------------------

    def render(self, view: View, template: str, status: int = 200, **context) -> Response:
        page = self.templates.get_template(template).render(
            t=view.t, lang=view.language, languages=LANGUAGE_NAMES, here=view.request.full_path,
            top_query=view.request.arg("q"), csp_nonce=view.nonce, **context)
        return Response(page.encode("utf-8"), status=status)

    def error_response(self, view: View, error: HttpError, is_api: bool) -> Response:
        message = view.t(error.message_key, **error.values)
        if is_api:
            return json_response({"error": message, "status": error.status}, status=error.status)
        heading_key = f"error_heading_{error.status}"
        heading = view.t(heading_key) if heading_key != view.t(heading_key) else view.t("error_heading_400")
        return self.render(view, "error.html", status=error.status, status_code=error.status,
                           heading=heading, message=message)

    # -- access ----------------------------------------------------------------------

    def login_page(self, view: View, failed: bool, status: int = 200) -> Response:
        next_path = view.request.form_value("next") or view.request.full_path
        return self.render(view, "login.html", status=status, failed=failed, next=local_path(next_path))

    def login(self, request: Request, view: View) -> Response:
        if request.method != "POST":
            return self.login_page(view, failed=False)
        if not self.access.token_matches(request.form_value("token")):
            return self.login_page(view, failed=True, status=401)
        return self.with_token_cookie(redirect(local_path(request.form_value("next"))), request.form_value("token"))

    def token_from_link(self, request: Request) -> Response:
        """A shared link ?token=T: remember the token in a cookie and drop it from the URL."""
        token = request.arg("token")
        query = [(k, v) for k, values in request.query.items() if k != "token" for v in values]
        target = request.path + ("?" + urlencode(query) if query else "")
        if not self.access.token_matches(token):
            return redirect("/login?" + urlencode({"next": target}))
        return self.with_token_cookie(redirect(target), token)

    @staticmethod
    def with_token_cookie(response: Response, token: str) -> Response:
        # Lax, not Strict: a reader's click on a link inside the sandboxed frame (an opaque,
        # so cross-site, origin) opens the linked snapshot in the top window, and must stay
        # signed in. The app only reads, so a cross-site GET can change nothing.
        return response.header("Set-Cookie", f"{TOKEN_COOKIE}={quote(token, safe='')}; Path=/; HttpOnly; SameSite=Lax")

    def switch_language(self, request: Request, view: View) -> Response:
        language = request.arg("to")
        response = redirect(local_path(request.arg("next")))
        if language in LANGUAGES:
            response.header("Set-Cookie", f"{LANGUAGE_COOKIE}={language}; Path=/; Max-Age={ONE_YEAR}; SameSite=Lax")
        return response

    def robots_txt(self, request: Request, view: View) -> Response:
        return Response(ROBOTS_TXT.encode(), content_type="text/plain; charset=utf-8")

    def static_file(self, request: Request, view: View, name: str) -> Response:
        resource = resources.files("archive.web").joinpath("static", name)
        if not resource.is_file():
            raise HttpError(404, "err_page_not_found")
        response = Response(resource.read_bytes(), content_type=STATIC_TYPES[name.rsplit(".", 1)[1]])
        return response.header("Cache-Control", "public, max-age=3600")

    # -- pages -----------------------------------------------------------------------

    def search_page(self, request: Request, view: View) -> Response:
        form = views.SearchForm.from_request(request)
        with self.catalog.open() as index:
            context = views.search_context(index, form, view.t)
        if context["result"] is not None and context["result"].total:
            context["first"] = form.offset + 1
            context["last"] = form.offset + len(context["result"].hits)
        context["page_link"] = lambda number: "/?" + form.query_string(page=number)
        status = 400 if context["problem"] else 200
        return self.render(view, "search.html", status=status, **context)

    def article_page(self, request: Request, view: View) -> Response:
        url = views.required_url(request)
        with self.catalog.open() as index:
            context = views.article_context(index, self.catalog, url, view)
        return self.render(view, "article.html", **context)

    def snapshot_page(self, request: Request, view: View) -> Response:
        url = views.required_url(request)
        with self.catalog.open() as index:
            capture = views.find_capture(index, self.catalog, url, request.arg("at"))
            article = index.article(capture["url"])
            others = index.captures(capture["url"])
        return self.render(view, "snapshot.html", capture=capture, others=others,
                           article_url=(article or {}).get("url"),
                           status_line=str(capture.get("status") or ""),
                           raw_url=view.raw_url(timefmt.stamp14(capture["timestamp"]), capture["url"]))

    def citation_page(self, request: Request, view: View) -> Response:
        with self.catalog.open() as index:
            citation = views.citation_for(index, self.catalog, request, view.t)
        return self.render(view, "citation.html", citation=citation)

    # -- downloads -------------------------------------------------------------------

    def record_download(self, request: Request, view: View) -> Response:
        with self.catalog.open() as index:
            capture = index.capture(views.row_id(request.arg("id")))
        if capture is None:
            raise HttpError(404, "err_page_not_found")
        try:
            data = self.catalog.record_bytes(capture)
        except OSError as error:
            log.warning("cannot read record %s: %s", capture.get("record_id"), error)
            raise HttpError(404, "err_record_unreadable", file=capture["warc_file"]) from error
        uuid = (capture.get("record_id") or "").strip("<>").rsplit(":", 1)[-1] or str(capture["id"])
        response = Response(data, content_type="application/gzip")
        return response.header("Content-Disposition", content_disposition(f"record-{uuid}.warc.gz"))

    def wacz_download(self, request: Request, view: View) -> Response:
        url = views.required_url(request)
        with self.catalog.open() as index:
            name, data = views.article_wacz(index, self.catalog, url)
        response = Response(data, content_type="application/wacz")
        return response.header("Content-Disposition", content_disposition(name))

    # -- archived content (sandboxed) ------------------------------------------------

    def raw_content(self, request: Request, view: View, stamp: str, url: str, key: str = "") -> Response:
        target = url + ("?" + request.query_string if request.query_string else "")
        if not is_web_url(target):
            return sandboxed(Response(view.t("err_bad_url").encode(), 404, "text/plain; charset=utf-8"))
        with self.catalog.open() as index:
            capture = self.catalog.capture_for(index, target, at=timefmt.parse_time(stamp))
            if capture is None:
                message = view.t("err_capture_not_found", url=target)
                return sandboxed(Response(message.encode(), 404, "text/plain; charset=utf-8"))
            try:
                status_line, headers, body = self.catalog.snapshot(index, capture)
            except (SnapshotNotFound, WarcFormatError, OSError) as error:
                log.warning("cannot replay %s: %s", target, error)
                message = view.t("err_record_unreadable", file=capture["warc_file"])
                return sandboxed(Response(message.encode(), 404, "text/plain; charset=utf-8"))
        return sandboxed(archived_response(view, stamp, capture["url"], status_line, headers, body))

    # -- JSON API ----------------------------------------------------------------------

    def api_index(self, request: Request, view: View) -> Response:
        return json_response(API_ENDPOINTS)

    def api_search(self, request: Request, view: View) -> Response:
        form = views.SearchForm.from_request(request)
        with self.catalog.open() as index:
            context = views.search_context(index, form, view.t)
        if context["problem"]:
            raise HttpError(400, "err_as_is", detail=context["problem"])  # already in the page language
        result = context["result"]
        return json_response({
            "query": form.q, "page": form.page, "limit": form.limit,
            "total": result.total if result else 0,
            "hits": [views.hit_dict(hit) for hit in (result.hits if result else [])],
        })

    def api_article(self, request: Request, view: View) -> Response:
        url = views.required_url(request)
        with self.catalog.open() as index:
            return json_response(views.article_data(index, url))

    def api_captures(self, request: Request, view: View) -> Response:
        url = views.required_url(request)
        with self.catalog.open() as index:
            article = index.article(url)
            captures = index.article_captures(article["id"]) if article else index.captures(url)
        return json_response([views.capture_dict(capture) for capture in captures])

    def api_citation(self, request: Request, view: View) -> Response:
        with self.catalog.open() as index:
            citation = views.citation_for(index, self.catalog, request, view.t)
        return json_response({k: v for k, v in citation.items() if k != "fields"})

    def api_sites(self, request: Request, view: View) -> Response:
        with self.catalog.open() as index:
            return json_response(index.sites())


# -- helpers ---------------------------------------------------------------------------

def json_response(data, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=1, default=str).encode("utf-8")
    return Response(body, status=status, content_type="application/json; charset=utf-8")


def sandboxed(response: Response) -> Response:
    # No Cross-Origin-Resource-Policy: the sandboxed page has an opaque origin, so its own
    # images and stylesheets are cross-origin requests that such a policy would block.
    response.header("Content-Security-Policy", RAW_CSP)
    response.header("X-Robots-Tag", "noindex, nofollow")
    return response.header("Cache-Control", "private, max-age=600")


def local_path(candidate: str | None) -> str:
    """A redirect target inside this app only (no //host, no scheme, no control characters,
    which browsers drop from URLs: "/\t/evil.test" is "//evil.test" to them): else the home
    page. What remains is percent-encoded where it goes into the Location header."""
    candidate = (candidate or "").strip()
    if (not candidate.startswith("/") or candidate.startswith("//") or "\\" in candidate
            or any(ord(c) < 0x20 or ord(c) == 0x7F for c in candidate)):
        return "/"
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return "/"
    return "/" if parts.scheme or parts.netloc else candidate


def archived_response(view: View, stamp: str, page_url: str, status_line: str,
                      headers: list[tuple[str, str]], body: bytes) -> Response:
    """The archived bytes as a browser should see them inside the sandbox."""
    status = parse_status(status_line)
    to_archive = lambda target: view.raw_url(stamp, target)  # noqa: E731
    location = web_url(page_url, header_text(header_value(headers, "Location") or ""))
    if 300 <= status < 400 and location:
        return redirect(to_archive(location), status=302)
    content_type = (header_value(headers, "Content-Type") or "application/octet-stream").strip()
    mime, _, params = content_type.partition(";")
    mime = mime.strip().lower() or "application/octet-stream"
    charset = parse_charset(params)
    if not (200 <= status < 600) or 300 <= status < 400:
        status = 200
    if mime in ("text/html", "application/xhtml+xml"):
        to_page = lambda target: "/snapshot?" + urlencode({"url": target, "at": stamp})  # noqa: E731
        html = rewrite_html(body, page_url, charset, to_archive, to_page)
        return Response(html, status, "text/html; charset=utf-8")
    if mime in SCRIPT_TYPES:
        return Response(body, status, safe_content_type("text/plain", charset))
    if mime == "text/css":
        text = body.decode(charset or "utf-8", errors="replace")
        return Response(rewrite_css(text, page_url, to_archive).encode("utf-8"), status, "text/css; charset=utf-8")
    response = Response(body, status, safe_content_type(mime, charset))
    if not mime.startswith(INLINE_TYPES):
        response.header("Content-Disposition", content_disposition(download_name(page_url)))
    return response


def header_text(value: str) -> str:
    """An archived header as text: its bytes come back as Latin-1, and a server that sends
    non-ASCII in a header (a Location with Vietnamese in it) sends UTF-8."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def download_name(url: str) -> str:
    """The file name in a URL: the last path segment with an extension (portals such as
    Liferay put it mid-path: /documents/1/2/plan.pdf/uuid), else the last segment."""
    segments = [unquote(s) for s in urlsplit(url).path.split("/") if s]
    with_extension = [s for s in segments if "." in s.strip(".")]
    return (with_extension or segments or ["download"])[-1]


def parse_status(status_line: str) -> int:
    parts = (status_line or "").split()
    try:
        return int(parts[1]) if parts[0].upper().startswith("HTTP/") else int(parts[0])
    except (IndexError, ValueError):
        return 200


def safe_content_type(mime: str, charset: str | None) -> str:
    """The archived type, if it is a well-formed type/subtype (it goes back into a header)."""
    allowed = "abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-/"
    if mime.count("/") != 1 or any(c not in allowed for c in mime):
        return "application/octet-stream"
    if charset and all(c.isalnum() or c in "-_.:" for c in charset):
        return f"{mime}; charset={charset}"
    return mime


def make_app(data_dir, token: str | None = None, public: bool = False,
             allowed_hosts: frozenset[str] | None = None) -> ArchiveApp:
    """A WSGI app over the data directory (its index.sqlite and warcs/)."""
    return ArchiveApp(data_dir, token=token, public=public, allowed_hosts=allowed_hosts)
