"""Pages of the Hương Lâm demo portal, in the style of a modern PHP news CMS (Bootstrap).

`/tin-tuc/<cat>/<slug>-<id>.html` articles, a short alias `/<slug>-<id>.html`, listings paged
as `/tin-tuc/<cat>/trang-N.html`, date `Thứ Năm, 14/03/2019 - 15:41`, a bold sapo repeating
the first paragraph, `Tin, ảnh: ...` bylines, lazy images in <figure>, a sitemap.xml, a DOCX
attachment, one windows-1258 page, and a calendar (`?date=`) that robots.txt does not forbid.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator

from . import assetgen
from .model import DemoArticle, Page, PortalLayout, encode_page, esc, http_date, weekday_vn

CALENDAR_PATH = "/lich-cong-tac/"
PIXEL = "/themes/default/images/pix.gif"


def _etag(body: bytes) -> dict:
    return {"ETag": '"' + hashlib.md5(body).hexdigest()[:20] + '"'}


class PhpPortal(PortalLayout):
    calendar_path = CALENDAR_PATH
    server = "nginx"
    case_insensitive = False

    # ---- URLs
    def article_path(self, a: DemoArticle) -> str:
        return f"/tin-tuc/{a.category}/{a.slug}-{a.id}.html"

    def alias_path(self, a: DemoArticle) -> str | None:
        return f"/{a.slug}-{a.id}.html" if a.alias else None

    def listing_path(self, category: str, page: int = 1) -> str:
        return f"/tin-tuc/{category}/" if page == 1 else f"/tin-tuc/{category}/trang-{page}.html"

    def image_path(self, a: DemoArticle, name: str) -> str:
        return f"/uploads/news/{a.published:%Y_%m}/{name}"

    def attachment_path(self, a: DemoArticle, name: str) -> str:
        return f"/uploads/files/{name}"

    def robots(self) -> str:
        return ("User-agent: *\nDisallow: /admin/\nDisallow: /tim-kiem/\nDisallow: /themes/\n"
                f"\nSitemap: {self.site.base}/sitemap.xml\n")

    # ---- chrome
    def _layout(self, title: str, crumbs: list[tuple[str, str]], main: str, head: str = "",
                charset: str = "utf-8") -> str:
        menu = "".join(f'<li class="nav-item"><a class="nav-link" href="{self.listing_path(slug)}">{esc(name)}</a></li>'
                       for slug, name in self.site.categories)
        trail = "".join(f'<li class="breadcrumb-item"><a href="{href}">{esc(name)}</a></li>' for name, href in crumbs)
        latest = "".join(
            f'<li><a href="{self.article_path(a)}">{esc(a.title)}</a><small class="text-muted">{a.published:%d/%m/%Y}</small></li>'
            for a in self.articles[:5])
        return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="{charset}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<link rel="stylesheet" href="/themes/default/css/bootstrap.min.css">
{head}</head>
<body>
<header class="site-header">
<div class="container"><div class="row">
<div class="col-md-9"><a href="/" class="logo"><span class="site-name">{esc(self.site.name.upper())}</span></a></div>
<div class="col-md-3 text-right"><span class="current-date">{esc(self.site.today)}</span></div>
</div></div>
<nav class="navbar navbar-expand-lg"><ul class="navbar-nav">
<li class="nav-item"><a class="nav-link" href="/">Trang chủ</a></li>
<li class="nav-item"><a class="nav-link" href="/gioi-thieu.html">Giới thiệu</a></li>
{menu}
<li class="nav-item"><a class="nav-link" href="{CALENDAR_PATH}?date=2024-05-06">Lịch công tác</a></li>
</ul>
<form class="form-inline" action="/tim-kiem/" method="get"><input class="form-control" name="q" placeholder="Nhập từ khóa"><button type="submit">Tìm kiếm</button></form>
</nav>
</header>
<div class="container">
<ol class="breadcrumb">{trail}</ol>
<div class="row">
<div class="col-md-8 main-content">
{main}
</div>
<aside class="col-md-4 sidebar">
<div class="panel"><div class="panel-heading">Tin mới</div><ul class="list-latest">{latest}</ul></div>
<div class="panel"><div class="panel-heading">Lịch công tác</div>
<p><a href="{CALENDAR_PATH}?date=2024-05-06">Thứ Hai, 06/05/2024</a></p>
<p><a href="{CALENDAR_PATH}?date=2024-05-07">Thứ Ba, 07/05/2024</a></p></div>
<div class="panel"><div class="panel-heading">Thăm dò ý kiến</div>
<p>Bạn đánh giá thế nào về chất lượng dịch vụ hành chính công của huyện?</p>
<label><input type="radio" name="vote" value="1"> Rất hài lòng</label>
<label><input type="radio" name="vote" value="2"> Hài lòng</label>
<label><input type="radio" name="vote" value="3"> Chưa hài lòng</label>
<button type="button">Bình chọn</button></div>
<div class="panel"><div class="panel-heading">Thời tiết Hà Tĩnh</div><p>Nhiệt độ: 26 - 33°C. Trời nắng, chiều tối có mưa dông.</p></div>
<div class="panel"><div class="panel-heading">Thống kê truy cập</div>
<ul class="counter"><li>Đang online: 21</li><li>Hôm nay: 856</li><li>Hôm qua: 1.102</li><li>Tổng lượt truy cập: 1.587.230</li></ul></div>
</aside>
</div></div>
<footer class="site-footer"><div class="container">
<p><strong>{esc(self.site.name)}</strong></p>
<p>Cơ quan chủ quản: UBND {esc(self.site.district.replace("Huyện", "huyện"))}, tỉnh {esc(self.site.province)}</p>
<p>Chịu trách nhiệm chính: {esc(self.site.editor)}</p>
<p>Địa chỉ: {esc(self.site.address)}. Điện thoại: {esc(self.site.phone)}</p>
<p>{esc(self.site.licence)}</p>
<p>Ghi rõ nguồn "{esc(self.site.name)}" khi phát hành lại thông tin từ website này.</p>
</div></footer>
<script src="/themes/default/js/lazyload.js"></script>
</body>
</html>
"""

    def _html_page(self, route: str, text: str, kind: str, a: DemoArticle | None = None) -> Page:
        encoding = a.encoding if a else "utf-8"
        body = encode_page(text, encoding=encoding)
        # The legacy windows-1258 page names its charset only in <meta>, as old servers did.
        content_type = "text/html" if encoding != "utf-8" else "text/html; charset=UTF-8"
        return Page(route, body, content_type, kind, _etag(body))

    # ---- pages
    def _byline(self, a: DemoArticle) -> str:
        if a.author_style == "tin-anh":
            return f'<p style="text-align:right"><em>Tin, ảnh: {esc(a.author)}</em></p>'
        if a.author_style == "bold":
            return f'<p style="text-align:right"><strong>{esc(a.author)}</strong></p>'
        return f'<p style="text-align:right"><em>Nguồn: {esc(a.source)}</em></p>'

    def _figure(self, a: DemoArticle, image: dict) -> str:
        src = self.image_path(a, image["file"])
        if image.get("lazy"):
            img = f'<img class="lazy" src="{PIXEL}" data-src="{src}" alt="{esc(image["caption"])}">'
        else:
            img = f'<img src="{src}" alt="{esc(image["caption"])}">'
        return f'<figure class="image">{img}<figcaption>{esc(image["caption"])}</figcaption></figure>'

    def _article_html(self, a: DemoArticle) -> str:
        site = self.site
        parts = []
        for index, text in enumerate(a.paragraphs):
            parts.append(f"<p>{esc(text)}</p>")
            if index == 0:
                parts += [self._figure(a, image) for image in a.images]
        parts.append(self._byline(a))
        sapo = f'<div class="hometext"><strong>{esc(a.paragraphs[0])}</strong></div>' if a.sapo else ""
        files = ""
        if a.attachments:
            links = "".join(f'<li><a href="{self.attachment_path(a, f["file"])}">{esc(f["name"])}</a></li>'
                            for f in a.attachments)
            files = f'<div class="attachments"><h4>Tệp đính kèm</h4><ul>{links}</ul></div>'
        related = [o for o in self.articles if o.id != a.id][:4]
        # The related box links the alias (short) URL where one exists, as the CMS does.
        related_html = "".join(
            f'<li><a href="{self.alias_path(o) or self.article_path(o)}">{esc(o.title)}</a> <span class="date">({o.published:%d/%m/%Y})</span></li>'
            for o in related)
        stamp = f"{weekday_vn(a.published)}, {a.published:%d/%m/%Y - %H:%M}"
        canonical = site.base + self.article_path(a)
        head = (f'<link rel="canonical" href="{canonical}">\n'
                f'<meta property="og:type" content="article">\n'
                f'<meta property="og:title" content="{esc(a.title)}">\n'
                f'<meta property="og:url" content="{canonical}">\n'
                f'<meta property="article:published_time" content="{a.published.isoformat()}">\n'
                f'<meta name="description" content="{esc(a.paragraphs[0][:150])}">\n')
        main = f"""<article class="news-detail">
<h1 class="title">{esc(a.title)}</h1>
<div class="meta"><span class="date">{stamp}</span> <span class="views">Lượt xem: {(a.id * 7) % 2000 + 120}</span></div>
{sapo}
<div class="bodytext">
{chr(10).join(parts)}
</div>
{files}
<div class="share"><a href="https://www.facebook.com/sharer.php?u={canonical}">Chia sẻ</a> <a href="javascript:window.print()">In bài viết</a></div>
<div class="related"><h4>Tin liên quan</h4><ul>{related_html}</ul></div>
</article>"""
        crumbs = [("Trang chủ", "/"), (site.category_name(a.category), self.listing_path(a.category))]
        charset = "windows-1258" if a.encoding == "windows-1258" else "utf-8"
        return self._layout(f"{a.title} | {site.name}", crumbs, main, head, charset)

    def _listing_html(self, category: str, page: int, pages: int, items: list[DemoArticle]) -> str:
        rows = "".join(f"""<div class="media news-item">
<a href="{self.article_path(a)}"><img class="lazy" src="{PIXEL}" data-src="{self.image_path(a, a.images[0]['file']) if a.images else '/themes/default/images/no-image.png'}" width="120"></a>
<div class="media-body"><h3><a href="{self.article_path(a)}">{esc(a.title)}</a></h3>
<span class="date">{a.published:%d/%m/%Y %H:%M}</span><p>{esc(a.paragraphs[0][:180])}</p></div></div>
""" for a in items)
        pager = []
        if page > 1:
            pager.append(f'<li><a href="{self.listing_path(category, page - 1)}">«</a></li>')
        for n in range(1, pages + 1):
            pager.append(f'<li class="active"><span>{n}</span></li>' if n == page
                         else f'<li><a href="{self.listing_path(category, n)}">{n}</a></li>')
        if page < pages:
            pager.append(f'<li><a href="{self.listing_path(category, page + 1)}">»</a></li>')
        name = self.site.category_name(category)
        main = f'<h2 class="cat-title">{esc(name)}</h2>\n{rows}<ul class="pagination">{"".join(pager)}</ul>'
        head = f'<link rel="canonical" href="{self.site.base}{self.listing_path(category, page)}">\n'
        return self._layout(f"{name} | {self.site.name}", [("Trang chủ", "/"), (name, self.listing_path(category))], main, head)

    def _home_html(self) -> str:
        top = self.articles[0]
        blocks = [f"""<div class="hot-news"><h2><a href="{self.article_path(top)}">{esc(top.title)}</a></h2>
<p>{esc(top.paragraphs[0])}</p></div>"""]
        for slug, name in self.site.categories:
            items = [a for a in self.articles if a.category == slug][:3]
            links = "".join(f'<li><a href="{self.article_path(a)}">{esc(a.title)}</a> <span class="date">{a.published:%d/%m/%Y}</span></li>'
                            for a in items)
            blocks.append(f'<section class="home-cat"><h3><a href="{self.listing_path(slug)}">{esc(name)}</a></h3><ul>{links}</ul></section>')
        head = f'<link rel="canonical" href="{self.site.base}/">\n'
        return self._layout(self.site.name, [("Trang chủ", "/")], "\n".join(blocks), head)

    def _static_html(self, title: str, paragraphs: list[str]) -> str:
        main = f'<h1 class="page-title">{esc(title)}</h1>' + "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
        return self._layout(f"{title} | {self.site.name}", [("Trang chủ", "/"), (title, "#")], main)

    def calendar_template(self) -> str:
        main = ('<h2>Lịch công tác ngày {{day}}</h2><table class="table">'
                '<tr><td>Sáng</td><td>Chủ tịch UBND huyện tiếp công dân định kỳ</td></tr>'
                '<tr><td>Chiều</td><td>Họp Ban Chỉ đạo xây dựng nông thôn mới</td></tr></table>'
                f'<p><a href="{CALENDAR_PATH}?date={{{{prev}}}}">Ngày trước</a> - '
                f'<a href="{CALENDAR_PATH}?date={{{{next}}}}">Ngày tiếp theo</a></p>')
        return self._layout(f"Lịch công tác | {self.site.name}", [("Trang chủ", "/"), ("Lịch công tác", CALENDAR_PATH)], main)

    def search_template(self) -> str:
        main = '<h2>Tìm kiếm</h2><p>Không có kết quả phù hợp với từ khóa "{{q}}".</p>'
        return self._layout(f"Tìm kiếm | {self.site.name}", [("Trang chủ", "/"), ("Tìm kiếm", "#")], main)

    def not_found(self) -> str:
        return self._static_html("Lỗi 404", ["Trang bạn tìm không tồn tại."])

    def sitemap(self, routes: list[str]) -> str:
        entries = "".join(f"<url><loc>{self.site.base}{esc(r)}</loc></url>\n" for r in routes)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n')

    def pages(self) -> Iterator[Page]:
        listed = ["/"]
        yield self._html_page("/", self._home_html(), "home")
        for slug, _ in self.site.categories:
            for n, pages, chunk in self.category_pages(slug):
                yield self._html_page(self.listing_path(slug, n), self._listing_html(slug, n, pages, chunk), "listing")
            listed.append(self.listing_path(slug))
        for a in self.articles:
            page = self._html_page(self.article_path(a), self._article_html(a), "article", a)
            yield page
            listed.append(self.article_path(a))
            if a.alias:
                yield Page(self.alias_path(a), page.body, page.content_type, "article-alias", page.headers)
            for image in a.images:
                data = assetgen.png_image(image["file"])
                yield Page(self.image_path(a, image["file"]), data, "image/png", "asset",
                           {"Last-Modified": http_date(a.published), **_etag(data)})
            for att in a.attachments:
                data = assetgen.docx_document([
                    "BAN CHỈ ĐẠO XÂY DỰNG NÔNG THÔN MỚI HUYỆN HƯƠNG LÂM",
                    f"{att['name']} ngày {a.published:%d/%m/%Y}",
                    "Kế hoạch thực hiện Chương trình mục tiêu quốc gia xây dựng nông thôn mới năm 2020",
                    "1. Các xã đăng ký về đích: Lâm Phong, Lâm Sơn.",
                    "2. Hoàn thành tiêu chí môi trường và thu nhập trước tháng 10 năm 2020.",
                ])
                yield Page(self.attachment_path(a, att["file"]), data,
                           "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "asset",
                           {"Last-Modified": http_date(a.published), **_etag(data)})
        yield self._html_page("/gioi-thieu.html", self._static_html("Giới thiệu huyện Hương Lâm", [
            "Huyện Hương Lâm nằm ở phía tây tỉnh Hà Tĩnh, có 20 đơn vị hành chính cấp xã với dân số khoảng 110 nghìn người.",
            "Thế mạnh của huyện là cây cam, chăn nuôi bò và kinh tế rừng."]), "static")
        yield Page(PIXEL, assetgen.PIXEL_GIF, "image/gif", "asset", {})
        yield Page("/themes/default/css/bootstrap.min.css", b".container{max-width:1140px}\n", "text/css", "asset", {})
        yield Page("/sitemap.xml", self.sitemap(listed).encode("utf-8"), "application/xml", "sitemap", {})
        yield Page("/robots.txt", self.robots().encode(), "text/plain", "robots", {})
