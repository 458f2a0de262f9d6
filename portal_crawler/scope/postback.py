"""ASP.NET ``__doPostBack`` paging: the plain link beside it, or the form to post.

SharePoint/WebForms listings page with ``javascript:__doPostBack('ctl00$..$Pager','Page$2')``.
Many also print a plain fallback (``Trang sau »`` -> ``?PageIndex=2``); when they do not,
the spider can post the page's form.  The result is plain data: no Scrapy here.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import lxml.html
from lxml import etree

logger = logging.getLogger(__name__)

_POSTBACK = re.compile(
    r"""__doPostBack\(\s*['"]([^'"]*)['"]\s*,\s*['"]([^'"]*)['"]\s*\)"""
    r"""|WebForm_PostBackOptions\(\s*['"]([^'"]*)['"]\s*,\s*['"]([^'"]*)['"]""")
# Link texts that mean "another page of this list": words and arrows ...
_PAGING_WORD = re.compile(
    r"^[\s»«›‹<>]*(?:trang\s*(?:sau|trước|truoc|tiếp|tiep|cuối|cuoi|đầu|dau|kế|ke)|sau|trước|tiếp|tiep|"
    r"tiếp theo|xem tiếp|next|prev(?:ious)?|last|first|[»«›‹<>]+|\.\.\.|…)[\s»«›‹<>]*$", re.IGNORECASE)
# ... or a page number (only trusted on a postback or beside a paging parameter:
# calendar days are numbers too).
_PAGING_TEXT = re.compile(r"^\s*\d{1,4}\s*$|" + _PAGING_WORD.pattern, re.IGNORECASE)
_PAGING_ARGUMENT = re.compile(r"^(?:page\$\w+|\d{1,4}|next|prev|last|first|dvt_firstrow=\{\d+\}.*)$",
                              re.IGNORECASE)
_PAGING_TARGET = re.compile(r"pag(?:er|ing|e)|trang|datapager|next|prev", re.IGNORECASE)
_PAGING_HREF = re.compile(
    r"[?&](?:pageindex|page|pagenumber|pageno|pg|p|trang|paged|currentpage|[\w.-]*_cur)=\d+"
    r"|/(?:page|trang)[/-]\d+", re.IGNORECASE)
# An element's text as lxml.html's text_content() gives it, for plain lxml elements too
# (the spider hands over extraction's tree).
_text_of = etree.XPath("string()", smart_strings=False)
# Form controls the browser would not submit along with a postback.
_NOT_SUBMITTED = {"submit", "button", "image", "reset", "file"}


@dataclass(frozen=True)
class PostbackForm:
    """What to POST to follow one postback link (for scrapy.FormRequest(url=action,
    formdata=formdata()))."""
    action: str
    event_target: str
    event_argument: str
    fields: tuple[tuple[str, str], ...] = field(repr=False)
    label: str = ""
    method: str = "POST"

    def formdata(self) -> dict[str, str]:
        data = dict(self.fields)
        data["__EVENTTARGET"] = self.event_target
        data["__EVENTARGUMENT"] = self.event_argument
        return data


def postback_fallback_links(html, base_url: str) -> list:
    """Paging links of a WebForms page: absolute fallback URLs (str) when the page has
    plain paging anchors, else one ``PostbackForm`` per paging postback.  ``html``:
    bytes, str or an lxml tree."""
    root = _root(html, base_url)
    if root is None:
        return []
    base = _base_href(root, base_url)
    fallbacks, postbacks = [], []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        text = " ".join(_text_of(anchor).split())
        call = _POSTBACK.search(href) or _POSTBACK.search(anchor.get("onclick") or "")
        if call is not None:
            target, argument = (call.group(1), call.group(2)) if call.group(1) is not None \
                else (call.group(3), call.group(4))
            if _is_paging(text, target, argument):
                postbacks.append((anchor, target, argument, text))
        elif href and not href.lower().startswith(("javascript:", "#", "mailto:")):
            if _PAGING_HREF.search(href) or _PAGING_WORD.match(text):
                fallbacks.append(_join(base, href))
    if fallbacks or not postbacks:
        return list(dict.fromkeys(u for u in fallbacks if u))
    return [form for form in (_form_for(root, base, *p) for p in postbacks) if form is not None]


def _is_paging(text: str, target: str, argument: str) -> bool:
    return bool(_PAGING_ARGUMENT.match(argument) or _PAGING_TEXT.match(text)
                and _PAGING_TARGET.search(target) or _PAGING_TEXT.match(text) and argument)


def _form_for(root, base: str, anchor, target: str, argument: str, text: str) -> PostbackForm | None:
    form = next((a for a in anchor.iterancestors("form")), None)
    if form is None:  # the anchor sits outside the form: WebForms pages have one main form
        form = next(root.iter("form"), None)
    if form is None:
        return None
    fields = []
    for control in form.iter("input", "select", "textarea"):
        name = control.get("name")
        kind = (control.get("type") or "text").lower()
        if not name or name in ("__EVENTTARGET", "__EVENTARGUMENT") or kind in _NOT_SUBMITTED:
            continue
        if kind in ("checkbox", "radio") and control.get("checked") is None:
            continue
        fields.append((name, _control_value(control)))
    action = _join(base, form.get("action") or "") or base
    return PostbackForm(action=action, event_target=target, event_argument=argument,
                        fields=tuple(fields), label=text,
                        method=(form.get("method") or "POST").upper())


def _control_value(control) -> str:
    if control.tag == "select":
        chosen = control.xpath(".//option[@selected]") or control.xpath(".//option")
        if not chosen:
            return ""
        option = chosen[0]
        return option.get("value") if option.get("value") is not None else _text_of(option)
    if control.tag == "textarea":
        return control.text or ""
    return control.get("value") or ""


def _root(html, base_url: str):
    if hasattr(html, "iter") and hasattr(html, "getroottree"):
        return html
    if hasattr(html, "getroot"):
        return html.getroot()
    if not html:
        return None
    try:
        if isinstance(html, bytes):
            return lxml.html.document_fromstring(html, parser=_parser_for(html), base_url=base_url)
        return lxml.html.document_fromstring(html, base_url=base_url)
    except (etree.ParserError, ValueError) as error:
        logger.warning("postback %s: unparseable page (%s)", base_url, error)
        return None


def _parser_for(body: bytes) -> lxml.html.HTMLParser:
    """UTF-8 when the bytes are UTF-8 (most portals, often without a declared charset);
    otherwise let libxml2 read the page's own <meta charset>."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return lxml.html.HTMLParser()
    return lxml.html.HTMLParser(encoding="utf-8")


def _base_href(root, base_url: str) -> str:
    for base in root.iter("base"):
        if base.get("href"):
            return _join(base_url, base.get("href").strip()) or base_url
    return base_url


def _join(base: str, href: str) -> str:
    try:
        return urljoin(base, href.strip())
    except ValueError:
        return ""
