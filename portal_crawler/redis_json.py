"""Requests in Redis as JSON, never pickle: whoever can write to a shared Redis must not be
able to run code on the workers (scrapy-redis pickles by default, and `pickle.loads` runs
whatever the data names).

`dumps(request_dict)` / `loads(data)` work on the dicts of Scrapy's `Request.to_dict()` and
`request_from_dict()`, as scrapy-redis expects of a serializer module; the leases use them
too. The JSON has a fixed shape: header names and values as Latin-1 strings, the body in
base64, meta restricted to JSON values. What would not survive or is not safe to carry is
left out: meta values that are not JSON (the WarcRef of an earlier download), the proxy
(each worker sends requests through its own) and Proxy-Authorization (its credentials).
`loads` accepts only that shape, Scrapy's Request and FormRequest classes and the spider's
own callbacks; anything else raises MalformedRequest.
"""
from __future__ import annotations

import base64
import binascii
import codecs
import json
import logging
import re

from portal_crawler.proxy import PROXY_HEADERS

logger = logging.getLogger(__name__)

VERSION = 1
REQUEST_CLASSES = frozenset({"scrapy.http.request.form.FormRequest", "scrapy.http.FormRequest"})
# the PortalSpider methods a request may name as callback / errback
CALLBACKS = frozenset({"parse"})
ERRBACKS = frozenset({"on_error"})
# meta keys of HttpProxyMiddleware: the proxy is this worker's business, not the request's
PROXY_META = frozenset({"proxy", "_auth_proxy", "_scheme_proxy"})
METHOD = re.compile(r"^[A-Z]{1,16}$")


class MalformedRequest(ValueError):
    """Data from Redis that is not a request this project wrote."""


def _json_only(value):
    """value if it is made of JSON types only (tuples become lists), else TypeError."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_only(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _json_only(v) for k, v in value.items()}
    raise TypeError(type(value).__name__)


def _meta(meta: dict) -> dict:
    kept = {}
    for key, value in meta.items():
        if key in PROXY_META:
            continue
        try:
            kept[key] = _json_only(value)
        except TypeError as exc:
            logger.debug("meta %r (%s) not carried over Redis", key, exc)
    return kept


def _text(value) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def dumps(request: dict) -> bytes:
    headers = [[_text(name), _text(value)]
               for name, values in (request.get("headers") or {}).items()
               if _text(name).lower().encode("latin-1") not in PROXY_HEADERS
               for value in (values if isinstance(values, (list, tuple)) else [values])]
    data = {
        "v": VERSION,
        "url": request["url"],
        "method": request.get("method") or "GET",
        "headers": headers,
        "body": base64.b64encode(request.get("body") or b"").decode("ascii"),
        "cookies": _json_only(request.get("cookies") or {}),
        "meta": _meta(request.get("meta") or {}),
        "encoding": request.get("encoding") or "utf-8",
        "priority": int(request.get("priority") or 0),
        "dont_filter": bool(request.get("dont_filter")),
        "flags": [str(f) for f in request.get("flags") or []],
        "cb_kwargs": _json_only(request.get("cb_kwargs") or {}),
        "callback": request.get("callback"),
        "errback": request.get("errback"),
    }
    if request.get("_class"):
        data["_class"] = request["_class"]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise MalformedRequest(what)


def loads(data) -> dict:
    try:
        d = json.loads(data)
    except (ValueError, TypeError) as exc:   # a pickle, or anything else that is not JSON
        raise MalformedRequest(f"not JSON: {exc}") from None
    _check(isinstance(d, dict) and d.get("v") == VERSION, "not a request record")
    url, method, headers = d.get("url"), d.get("method"), d.get("headers")
    _check(isinstance(url, str) and url.startswith(("http://", "https://")), "url is not http(s)")
    _check(isinstance(method, str) and bool(METHOD.match(method)), "bad method")
    _check(isinstance(headers, list) and all(
        isinstance(h, list) and len(h) == 2 and all(isinstance(p, str) for p in h) for h in headers), "bad headers")
    _check(d.get("callback") is None or d.get("callback") in CALLBACKS, f"callback {d.get('callback')!r} not allowed")
    _check(d.get("errback") is None or d.get("errback") in ERRBACKS, f"errback {d.get('errback')!r} not allowed")
    _check("_class" not in d or d["_class"] in REQUEST_CLASSES, f"request class {d.get('_class')!r} not allowed")
    _check(isinstance(d.get("meta"), dict) and isinstance(d.get("cb_kwargs"), dict), "bad meta")
    _check(isinstance(d.get("cookies"), (dict, list)), "bad cookies")
    _check(isinstance(d.get("priority"), int) and isinstance(d.get("dont_filter"), bool), "bad priority")
    _check(isinstance(d.get("flags"), list) and all(isinstance(f, str) for f in d["flags"]), "bad flags")
    try:
        codecs.lookup(d.get("encoding"))
        body = base64.b64decode(d.get("body"), validate=True)
        header_map: dict[bytes, list[bytes]] = {}
        for name, value in headers:
            header_map.setdefault(name.encode("latin-1"), []).append(value.encode("latin-1"))
    except (LookupError, TypeError, binascii.Error, UnicodeEncodeError) as exc:
        raise MalformedRequest(f"bad field: {exc}") from None
    out = {key: d.get(key) for key in ("url", "method", "cookies", "meta", "encoding", "priority", "dont_filter",
                                   "flags", "cb_kwargs", "callback", "errback")}
    out.update(headers=header_map, body=body)
    if "_class" in d:
        out["_class"] = d["_class"]
    return out
