"""Render content.toml into the static demo portals: sites/, manifest.json, expected.json.

    python -m portal_crawler.demo.build        (rewrites the files next to this module)

The output is deterministic; the server only reads the written files, never this module.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import unicodedata
from pathlib import Path

from .layout_aspx import AspxPortal
from .layout_php import PhpPortal
from .model import DemoArticle, Page, encode_page, load_content

HERE = Path(__file__).resolve().parent
LAYOUTS = {"aspx": AspxPortal, "php": PhpPortal}


def file_name(route: str) -> str:
    """A relative file name for a route: directories get index.html, a query a suffix."""
    path, _, query = route.partition("?")
    name = path.lstrip("/")
    if not name or name.endswith("/"):
        name += "index.html"
    if query:
        name += "__" + query.replace("=", "-").replace("&", "_")
    return name


def expected_record(portal, a: DemoArticle) -> dict:
    base = portal.site.base
    alias = portal.alias_path(a)
    return {
        "site": a.site,
        "url": base + portal.article_path(a),
        "aliases": [base + alias] if alias else [],
        "title": a.title,
        "published": a.published.isoformat(),
        "author": a.author if a.author_style != "source" else None,
        "body": "\n\n".join(a.paragraphs),
        "images": [{"src": base + portal.image_path(a, i["file"]), "caption": i["caption"]} for i in a.images],
        "attachments": [{"href": base + portal.attachment_path(a, f["file"]), "name": f["name"]}
                        for f in a.attachments],
        "traits": [t for t, on in (("print-copy", a.print_copy), ("sapo", a.sapo), ("alias", a.alias),
                                   ("nfd", a.normalization == "NFD"),
                                   ("windows-1258", a.encoding == "windows-1258")) if on],
    }


def write_site(out: Path, portal) -> dict:
    host_dir = out / "sites" / portal.site.host
    by_digest: dict[str, str] = {}
    routes = {}

    def store(name: str, body: bytes) -> str:
        digest = hashlib.sha1(body).hexdigest()
        if digest not in by_digest:  # alias URLs share the canonical page's file
            (host_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (host_dir / name).write_bytes(body)
            by_digest[digest] = f"sites/{portal.site.host}/{name}"
        return by_digest[digest]

    page: Page
    for page in portal.pages():
        routes[page.route] = {"file": store(file_name(page.route), page.body),
                              "content_type": page.content_type, "kind": page.kind,
                              "headers": page.headers}
    templates = {kind: store(f"_templates/{kind}.html", encode_page(text))
                 for kind, text in (("calendar", portal.calendar_template()),
                                    ("search", portal.search_template()),
                                    ("not_found", portal.not_found()))}
    calendar_path = portal.calendar_path
    return {
        "id": portal.site.id,
        "host": portal.site.host,
        "name": portal.site.name,
        "province": portal.site.province,
        "district": portal.site.district,
        "start_urls": portal.start_urls,
        "server": portal.server,
        "case_insensitive": portal.case_insensitive,
        "not_found": templates["not_found"],
        "patterns": [
            {"kind": "calendar", "path": calendar_path, "param": "date", "file": templates["calendar"],
             "robots_disallowed": calendar_path in portal.robots()},
            {"kind": "search", "path": "/tim-kiem/", "param": "q", "file": templates["search"],
             "robots_disallowed": True},
        ],
        "routes": routes,
    }


def build(out: Path = HERE) -> dict:
    sites, articles = load_content(HERE / "content.toml")
    shutil.rmtree(out / "sites", ignore_errors=True)
    manifest = {"format": 1, "sites": []}
    expected = {"articles": []}
    for site in sites:
        portal = LAYOUTS[site.style](site, [a for a in articles if a.site == site.id])
        manifest["sites"].append(write_site(out, portal))
        expected["articles"] += [expected_record(portal, a) for a in sorted(portal.articles, key=lambda a: a.id)]
    for record in expected["articles"]:
        for key in ("title", "body"):
            record[key] = unicodedata.normalize("NFC", record[key])
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="directory to write into (default: the package)")
    args = parser.parse_args()
    manifest = build(args.out)
    for site in manifest["sites"]:
        print(f"{site['host']}: {len(site['routes'])} routes")


if __name__ == "__main__":
    main()
