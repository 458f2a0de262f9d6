"""A citation of one capture: the facts a reader needs to find and verify the archived page."""
from __future__ import annotations

from archive.web import timefmt
from archive.web.i18n import Translator


def build_citation(t: Translator, *, capture: dict, digests: dict, article: dict | None,
                   site_name: str | None) -> dict:
    """Fields (label, value) in reading order, the same as one copyable text, and as data."""
    title = (article or {}).get("title")
    published = (article or {}).get("published")
    data = {
        "title": title,
        "portal": site_name or capture.get("site"),
        "url": capture["url"],
        "article_url": (article or {}).get("url"),
        "published": published,
        "captured": timefmt.iso_utc(capture["timestamp"]),
        "status": capture.get("status"),
        "sha1": digests.get("sha1") or capture.get("payload_digest"),
        "sha256": digests.get("sha256"),
        "warc_file": capture["warc_file"],
        "record_id": capture.get("record_id"),
        "record_type": capture.get("record_type"),
        "refers_to": capture.get("refers_to"),
        "capture_id": capture["id"],
        "source": capture.get("source"),      # a web archive it was imported from, or None
        "memento": capture.get("source_uri"),
    }
    fields = [
        (t("cite_title"), title or ""),
        (t("cite_portal"), data["portal"] or ""),
        (t("cite_url"), data["url"]),
        (t("cite_published"), timefmt.display(published) if published else ""),
        (t("cite_captured"), f"{timefmt.display_seconds(capture['timestamp'])} "
                             f"({t('vietnam_time')}) = {data['captured']}"),
        (t("cite_sha1"), data["sha1"] or ""),
        (t("cite_sha256"), data["sha256"] or ""),
        (t("cite_warc_file"), data["warc_file"]),
        (t("cite_record_id"), data["record_id"] or ""),
    ]
    if data["source"]:
        fields.append((t("cite_source"), f"{data['source']} ({data['memento']})"))
    if data["refers_to"]:
        fields.append((t("cite_refers_to"), data["refers_to"]))
    fields = [(label, value) for label, value in fields if value]
    heading = f"\u201c{title}\u201d. {data['portal'] or ''}".strip() if title else data["url"]
    lines = [f"{label}: {value}" for label, value in fields if label != t("cite_title")]
    text = "\n".join([heading, *lines, t("cite_line")])
    return {**data, "fields": fields, "text": text}
