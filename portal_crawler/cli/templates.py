"""`portal-archive templates`: the site templates learned from an archive's WARC files,
printed as JSON (the stored form) or as CMS rule files, optionally saved for editing."""
from __future__ import annotations

import json
from pathlib import Path

from portal_crawler.errors import UserError
from portal_crawler.extract import template
from portal_crawler.extract.warc_extract import learn_templates


def _warcs(data: Path) -> list[Path]:
    folder = data / 'warcs'
    return sorted(p for p in folder.glob('*.warc*') if p.name.endswith(('.warc', '.warc.gz'))) \
        if folder.is_dir() else []


def _wanted(host: str, site: str | None) -> bool:
    return site is None or host == site or host.startswith(site + '.')


def templates_report(data: Path, site: str | None, export_rules: bool, save: bool) -> str:
    warcs = _warcs(data)
    if not warcs:
        raise UserError(f'no WARC files in {data / "warcs"}: crawl first (or pass --data DIR)')
    learned = {h: t for h, t in learn_templates(warcs).items() if _wanted(h, site)}
    if not learned:
        raise UserError(f'no pages of {site!r} in {data / "warcs"}')
    out = []
    folder = data / template.DATA_SUBDIR
    for host, tpl in learned.items():
        if save and (folder / f'{host}.json').exists():
            out.append(f'# kept {folder / (host + ".json")} (stored, perhaps edited: remove it to save anew)')
        elif save:
            out.append(f'# saved {template.save(tpl, folder)}')
        out.append(tpl.to_rules_toml() if export_rules else json.dumps(tpl.to_dict(), ensure_ascii=False, indent=1))
    return '\n'.join(out) + '\n'
