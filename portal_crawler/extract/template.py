"""A site's learned template, as data: which lines are chrome on every page, and where the
article's title, date and author sit (CSS selectors). Learned by template_learn.learn from
pages of one site; stored as JSON a person can read and edit; exportable in the shape of a
CMS rule file (portal_crawler/sites/cms/*.toml).

A site can hold several layouts (a redesign): each is one Layout with its own fingerprint,
the block paths its pages share; a page is read with the layout whose fingerprint it matches
and whose article title element it has, or per page when none does. (A listing or the home
page shares the site's chrome with its articles, so the fingerprint alone matches them too.)
Hand-written CMS rules win wherever they name a field."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from . import rules

FORMAT = 1
DATA_SUBDIR = 'templates'     # DATA/templates/HOST.json: stored templates, editable by a person
MATCH_MIN = 0.5        # share of a layout's fingerprint a page must have to be read with it


@dataclass(frozen=True)
class Layout:
    fingerprint: frozenset          # block paths ('div.news-info', ...) on most of its pages
    pages: int                      # how many pages it was learned from
    chrome: frozenset = frozenset()  # normalised texts of lines repeated on most pages
    title: tuple = ()               # CSS selectors, tried in order
    date: tuple = ()
    author: tuple = ()
    time_placeholder: bool = False  # every page shows the same time (00:00, 12:00 AM): date only

    def selectors(self, name):
        return rules.compile_selectors(tuple(getattr(self, name)))

    def match(self, paths) -> float:
        return len(self.fingerprint & paths) / len(self.fingerprint) if self.fingerprint else 0.0

    def drawn_on(self, page) -> bool:
        """The page (a rules.Page) has the element the layout's articles show their title
        in (a layout that learned no title place has only its fingerprint to go by)."""
        return not self.title or any(sel.first(page) is not None for sel in self.selectors('title'))


@dataclass(frozen=True)
class Template:
    site: str
    layouts: tuple = ()             # newest design last

    def layout_for(self, paths, page=None) -> Layout | None:
        """The layout the page was drawn with: the best fingerprint match (at least MATCH_MIN)
        among the layouts drawn on `page` (a rules.Page; None: by fingerprint alone)."""
        best, best_share = None, MATCH_MIN
        for layout in self.layouts:
            share = layout.match(paths)
            if share >= best_share and (page is None or layout.drawn_on(page)):
                best, best_share = layout, share
        return best

    def to_dict(self) -> dict:
        out = {'format': FORMAT, 'site': self.site, 'layouts': []}
        for layout in self.layouts:
            d = asdict(layout)
            d['fingerprint'] = sorted(layout.fingerprint)
            d['chrome'] = sorted(layout.chrome)
            d['title'], d['date'], d['author'] = list(layout.title), list(layout.date), list(layout.author)
            out['layouts'].append(d)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> 'Template':
        if data.get('format') != FORMAT:
            raise ValueError(f"template format {data.get('format')!r} is not {FORMAT}")
        layouts = []
        for d in data.get('layouts', []):
            layout = Layout(fingerprint=frozenset(d.get('fingerprint', [])), pages=int(d.get('pages', 0)),
                            chrome=frozenset(d.get('chrome', [])), title=tuple(d.get('title', [])),
                            date=tuple(d.get('date', [])), author=tuple(d.get('author', [])),
                            time_placeholder=bool(d.get('time_placeholder', False)))
            for name in ('title', 'date', 'author'):
                layout.selectors(name)          # a bad selector fails here, at load
            layouts.append(layout)
        return cls(site=data['site'], layouts=tuple(layouts))

    def to_rules_toml(self) -> str:
        """The newest layout in the shape of a CMS rule file (detection by its block paths)."""
        if not self.layouts:
            return f'name = "{self.site}"\n'
        layout = self.layouts[-1]
        markers = sorted(p for p in layout.fingerprint if '.' in p or '#' in p)[:6]
        lines = [f'# learned from {layout.pages} pages of {self.site}', f'name = "learned-{self.site}"', '',
                 '[detect]', f'selectors = {_toml_list(markers)}', f'min_markers = {max(1, len(markers) - 1)}', '',
                 '[select]']
        for name in ('title', 'date', 'author'):
            if getattr(layout, name):
                lines.append(f'{name} = {_toml_list(getattr(layout, name))}')
        return '\n'.join(lines) + '\n'


def _toml_list(values) -> str:
    return '[' + ', '.join(json.dumps(v, ensure_ascii=False) for v in values) + ']'


def save(template: Template, folder) -> Path:
    path = Path(folder) / f'{template.site}.json'
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix('.json.tmp')
    tmp.write_text(json.dumps(template.to_dict(), ensure_ascii=False, indent=1) + '\n', encoding='utf-8')
    tmp.replace(path)
    return path


def load(path) -> Template:
    """A stored template; a malformed file raises ValueError naming it."""
    try:
        return Template.from_dict(json.loads(Path(path).read_text(encoding='utf-8')))
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise ValueError(f'{path}: not a template file: {err}') from err


def load_dir(folder) -> dict:
    """site -> Template for every *.json in folder (none when the folder is absent)."""
    folder = Path(folder)
    return {t.site: t for t in (load(p) for p in sorted(folder.glob('*.json')))} if folder.is_dir() else {}
