"""Pages of the Yên Thọ demo portal, in the style of older Thanh Hóa district portals.

Table layout, `/portal/Pages/<Y-M-D>/<Slug>-<id>.aspx` articles, `?page=N` listings, date line
`Ngày 14/03/2019 15:41:05`, a hidden print copy of some articles, the author as a lone
right-aligned name, an alias URL `tin.aspx?id=N`, a calendar trap disallowed by robots.txt.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from . import assetgen
from .model import VIETNAM, DemoArticle, Page, PortalLayout, encode_page, esc, http_date

HTML = "text/html; charset=utf-8"
SITE_UPDATED = datetime(2024, 5, 6, 8, 0, tzinfo=VIETNAM)
CALENDAR_PATH = "/portal/Pages/lich-cong-tac.aspx"


class AspxPortal(PortalLayout):
    calendar_path = CALENDAR_PATH
    server = "Microsoft-IIS/8.5"
    case_insensitive = True  # IIS: /portal/pages/x.aspx is /portal/Pages/X.aspx

    # ---- URLs
    def article_path(self, a: DemoArticle) -> str:
        d = a.published
        return f"/portal/Pages/{d.year}-{d.month}-{d.day}/{a.slug}-{a.id}.aspx"

    def alias_path(self, a: DemoArticle) -> str | None:
        return f"/portal/Pages/tin.aspx?id={a.id}" if a.alias else None

    def listing_path(self, category: str, page: int = 1) -> str:
        base = f"/portal/Pages/{category}.aspx"
        return base if page == 1 else f"{base}?page={page}"

    def image_path(self, a: DemoArticle, name: str) -> str:
        return f"/portal/PublishingImages/{a.year}/{name}"

    def attachment_path(self, a: DemoArticle, name: str) -> str:
        return f"/portal/Documents/{a.year}/{name}"

    def robots(self) -> str:
        return ("User-agent: *\nDisallow: /admin/\nDisallow: /tim-kiem/\n"
                f"Disallow: {CALENDAR_PATH}\nDisallow: /_layouts/\n")

    # ---- chrome
    def _menu(self) -> str:
        items = ['<li><a href="/">Trang chủ</a></li>',
                 '<li><a href="/portal/Pages/gioi-thieu.aspx">Giới thiệu</a></li>']
        items += [f'<li><a href="{self.listing_path(slug)}">{esc(name)}</a></li>'
                  for slug, name in self.site.categories]
        items.append('<li><a href="/portal/Pages/lien-he.aspx">Liên hệ</a></li>')
        return '<ul class="menu-top">' + "".join(items) + "</ul>"

    def _left(self) -> str:
        return f"""<td class="col-left" valign="top" width="200">
<div class="box"><div class="box-title">Ý kiến thăm dò</div>
<form action="/_layouts/poll.aspx" method="post"><p>Bạn quan tâm thông tin gì trên cổng thông tin?</p>
<input type="radio" name="poll" value="1"> Thủ tục hành chính<br>
<input type="radio" name="poll" value="2"> Tin tức - Sự kiện<br>
<input type="radio" name="poll" value="3"> Văn bản chỉ đạo<br>
<input type="submit" value="Biểu quyết"> <a href="/_layouts/poll.aspx?view=1">Xem kết quả</a></form></div>
<div class="box"><div class="box-title">Lịch công tác</div>
<a href="{CALENDAR_PATH}?date=2024-05-06">Lịch công tác tuần 06/05/2024 - 12/05/2024</a></div>
<div class="box"><div class="box-title">Thời tiết</div>
<p>Thanh Hóa: 27°C - 34°C, có mưa rào và dông vài nơi. Độ ẩm 75%.</p></div>
<div class="box"><div class="box-title">Thống kê truy cập</div>
<p>Đang truy cập: 37<br>Hôm nay: 1.204<br>Hôm qua: 1.876<br>Tất cả: 2.315.790</p></div>
</td>"""

    def _right(self) -> str:
        latest = "".join(
            f'<li><a href="{self.article_path(a)}">{esc(a.title)}</a> '
            f'<span class="date">({a.published:%d/%m/%Y})</span></li>' for a in self.articles[:5])
        return f"""<td class="col-right" valign="top" width="240">
<div class="box"><div class="box-title">Tin mới</div><ul class="list-news">{latest}</ul></div>
<div class="box"><div class="box-title">Văn bản mới</div><ul>
<li>Quyết định số 1520/QĐ-UBND ngày 02/05/2024 về việc ban hành kế hoạch phòng chống thiên tai</li>
<li>Công văn số 845/UBND-NN ngày 25/04/2024 về sản xuất vụ Hè Thu</li></ul></div>
<div class="box"><div class="box-title">Liên kết website</div>
<select onchange="window.open(this.value)"><option>-- Chọn liên kết --</option>
<option value="http://thanhhoa.gov.test/">Cổng TTĐT tỉnh Thanh Hóa</option>
<option value="http://dichvucong.thanhhoa.gov.test/">Dịch vụ công trực tuyến</option></select></div>
</td>"""

    def _layout(self, title: str, crumbs: list[tuple[str, str]], main: str, head: str = "") -> str:
        trail = " &gt; ".join(f'<a href="{href}">{esc(name)}</a>' for name, href in crumbs)
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" lang="vi">
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{esc(title)}</title>
<link rel="stylesheet" type="text/css" href="/portal/Style%20Library/yentho.css" />
{head}</head>
<body>
<form id="aspnetForm" method="post" action="">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1MmRk" />
<table class="banner" width="100%"><tr><td><a href="/"><img src="/portal/images/banner.png" alt="{esc(self.site.name)}" /></a></td>
<td class="today">{esc(self.site.today)}</td></tr></table>
{self._menu()}
<div class="search"><form action="/tim-kiem/" method="get"><input name="q" type="text" value="Tìm kiếm..." /><input type="submit" value="Tìm" /></form></div>
<div class="breadcrumb">{trail}</div>
<table class="layout" width="100%"><tr>
{self._left()}
<td class="col-main" valign="top">
{main}
</td>
{self._right()}
</tr></table>
<div class="footer">
<p><strong>{esc(self.site.name.upper())}</strong></p>
<p>Cơ quan chủ quản: UBND {esc(self.site.district.replace("Huyện", "huyện"))}, tỉnh {esc(self.site.province)}</p>
<p>Chịu trách nhiệm chính: {esc(self.site.editor)}</p>
<p>Địa chỉ: {esc(self.site.address)} - Điện thoại: {esc(self.site.phone)}</p>
<p>{esc(self.site.licence)}</p>
<p>Ghi rõ nguồn "{esc(self.site.name)}" khi phát hành lại thông tin từ website này.</p>
<p><a href="/admin/login.aspx">Quản trị</a></p>
</div>
</form>
</body></html>
"""

    def _page(self, route: str, text: str, kind: str, modified: datetime, a: DemoArticle | None = None) -> Page:
        body = encode_page(text, normalization=a.normalization if a else "NFC")
        return Page(route, body, HTML, kind, {"Last-Modified": http_date(modified)})

    # ---- pages
    def _article_html(self, a: DemoArticle) -> str:
        site = self.site
        paras = []
        for index, text in enumerate(a.paragraphs):
            if index == len(a.paragraphs) - 1 and a.attachments:
                att = a.attachments[0]
                link = f'<a href="{self.attachment_path(a, att["file"])}">{esc(att["name"])}</a>'
                text = esc(text).replace(esc(att["name"]), link)
                paras.append(f"<p>{text}</p>")
            else:
                paras.append(f"<p>{esc(text)}</p>")
            if index == 0:
                for image in a.images:
                    paras.append(
                        '<table class="image" align="center"><tr><td>'
                        f'<img src="{self.image_path(a, image["file"])}" alt="{esc(image["caption"])}" width="500" />'
                        f'</td></tr><tr><td class="caption"><em>{esc(image["caption"])}</em></td></tr></table>')
        paras.append(f'<p style="text-align: right;"><strong>{esc(a.author)}</strong></p>')
        body = "\n".join(paras)
        stamp = f"{a.published:%d/%m/%Y %H:%M:%S}"
        others = [o for o in self.articles if o.category == a.category and o.id != a.id][:4]
        other_list = "".join(
            f'<li><a href="{self.article_path(o)}">{esc(o.title)}</a> <span>({o.published:%d/%m/%Y})</span></li>'
            for o in others)
        print_copy = ""
        if a.print_copy:
            print_copy = (f'<div id="print-area" style="display:none">'
                          f'<div class="print-header">{esc(site.name)}</div>'
                          f'<p class="print-date">Đăng lúc: {stamp} (GMT+7)</p>'
                          f'<h2>{esc(a.title)}</h2>{body}</div>')
        main = f"""<div class="ms-WPBody"><div class="news-detail">
<h1 class="news-title">{esc(a.title)}</h1>
<div class="news-date">Ngày {stamp}</div>
<div class="news-content">
{body}
</div>
<div class="tools"><a href="javascript:window.print()">In bài viết</a> | <a href="mailto:?subject={esc(a.title)}">Gửi email</a> | <a href="javascript:history.back()">Quay lại</a></div>
{print_copy}
<div class="other-news"><div class="box-title">Các tin khác</div><ul>{other_list}</ul></div>
</div></div>"""
        head = ""
        if a.alias:
            head = f'<link rel="canonical" href="{site.base}{self.article_path(a)}" />\n'
        crumbs = [("Trang chủ", "/"), (site.category_name(a.category), self.listing_path(a.category))]
        return self._layout(f"{a.title} - {site.name}", crumbs, main, head)

    def _listing_html(self, category: str, page: int, pages: int, items: list[DemoArticle]) -> str:
        rows = []
        for a in items:
            rows.append(f"""<div class="news-item">
<a href="{self.article_path(a)}" class="news-item-title">{esc(a.title)}</a>
<span class="news-item-date">({a.published:%d/%m/%Y %H:%M})</span>
<p>{esc(a.paragraphs[0][:160])}...</p></div>""")
        links = " ".join(
            f"<span>{n}</span>" if n == page else f'<a href="{self.listing_path(category, n)}">{n}</a>'
            for n in range(1, pages + 1))
        if page < pages:
            links += f' <a href="{self.listing_path(category, page + 1)}">Trang sau</a>'
        name = self.site.category_name(category)
        main = f'<h2 class="category-title">{esc(name)}</h2>\n' + "\n".join(rows) + f'\n<div class="paging">Trang: {links}</div>'
        return self._layout(f"{name} - {self.site.name}", [("Trang chủ", "/"), (name, self.listing_path(category))], main)

    def _home_html(self) -> str:
        featured = next(a for a in self.articles if a.alias)
        feature_href = self.alias_path(featured)
        blocks = [f"""<div class="featured"><a href="{feature_href}"><img src="{self.image_path(featured, featured.images[0]['file'])}" width="300" /></a>
<h2><a href="{feature_href}">{esc(featured.title)}</a></h2><p>{esc(featured.paragraphs[0])}</p></div>"""]
        for slug, name in self.site.categories:
            items = [a for a in self.articles if a.category == slug][:3]
            links = "".join(f'<li><a href="{self.article_path(a)}">{esc(a.title)}</a></li>' for a in items)
            blocks.append(f'<div class="home-cat"><h3><a href="{self.listing_path(slug)}">{esc(name)}</a></h3><ul>{links}</ul></div>')
        return self._layout(self.site.name, [("Trang chủ", "/")], "\n".join(blocks))

    def _static_html(self, title: str, paragraphs: list[str]) -> str:
        main = f'<h1 class="page-title">{esc(title)}</h1>' + "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
        return self._layout(f"{title} - {self.site.name}", [("Trang chủ", "/"), (title, "#")], main)

    def calendar_template(self) -> str:
        main = ('<h2 class="category-title">Lịch công tác</h2>'
                '<p>Lịch công tác của Thường trực HĐND, UBND huyện ngày {{day}}</p>'
                '<table class="calendar"><tr><td>07h30</td><td>Giao ban Thường trực UBND huyện</td></tr>'
                '<tr><td>14h00</td><td>Làm việc với các phòng chuyên môn</td></tr></table>'
                f'<p><a href="{CALENDAR_PATH}?date={{{{prev}}}}">« Ngày trước</a> | '
                f'<a href="{CALENDAR_PATH}?date={{{{next}}}}">Ngày sau »</a></p>')
        return self._layout(f"Lịch công tác - {self.site.name}", [("Trang chủ", "/"), ("Lịch công tác", "#")], main)

    def search_template(self) -> str:
        main = '<h2>Kết quả tìm kiếm</h2><p>Không tìm thấy kết quả nào cho từ khóa "{{q}}".</p>'
        return self._layout(f"Tìm kiếm - {self.site.name}", [("Trang chủ", "/"), ("Tìm kiếm", "#")], main)

    def not_found(self) -> str:
        return self._static_html("Không tìm thấy trang", ["Trang bạn yêu cầu không tồn tại hoặc đã bị xóa."])

    def pages(self) -> Iterator[Page]:
        yield self._page("/", self._home_html(), "home", SITE_UPDATED)
        for slug, _ in self.site.categories:
            for n, pages, chunk in self.category_pages(slug):
                yield self._page(self.listing_path(slug, n), self._listing_html(slug, n, pages, chunk), "listing", SITE_UPDATED)
        for a in self.articles:
            page = self._page(self.article_path(a), self._article_html(a), "article", a.published, a)
            yield page
            if a.alias:
                yield Page(self.alias_path(a), page.body, page.content_type, "article-alias", page.headers)
            for image in a.images:
                yield Page(self.image_path(a, image["file"]), assetgen.png_image(image["file"]), "image/png",
                           "asset", {"Last-Modified": http_date(a.published)})
            for att in a.attachments:
                lines = ["UY BAN NHAN DAN HUYEN YEN THO", "", f"BAO CAO so 125/BC-UBND ngay {a.published:%d/%m/%Y}",
                         "Tinh hinh kinh te - xa hoi 6 thang dau nam 2019",
                         "va nhiem vu trong tam 6 thang cuoi nam 2019", "",
                         "Tong gia tri san xuat uoc dat 5.120 ty dong, tang 12,4% so voi cung ky.",
                         "Thu ngan sach nha nuoc dat 58% du toan.",
                         "Xay dung nong thon moi: 21/25 xa dat chuan."]
                yield Page(self.attachment_path(a, att["file"]), assetgen.pdf_document(lines, "Bao cao so 125/BC-UBND"),
                           "application/pdf", "asset", {"Last-Modified": http_date(a.published)})
        yield self._page("/portal/Pages/gioi-thieu.aspx", self._static_html("Giới thiệu chung", [
            f"{self.site.district} nằm ở phía tây nam tỉnh {self.site.province}, có diện tích tự nhiên 256 km², dân số khoảng 185 nghìn người.",
            "Huyện có 25 đơn vị hành chính cấp xã, gồm 24 xã và 1 thị trấn. Kinh tế chủ yếu là sản xuất nông nghiệp, tiểu thủ công nghiệp và dịch vụ."]),
            "static", SITE_UPDATED)
        yield self._page("/portal/Pages/lien-he.aspx", self._static_html("Liên hệ", [
            f"Văn phòng HĐND và UBND {self.site.district.replace('Huyện', 'huyện')}", f"Địa chỉ: {self.site.address}",
            f"Điện thoại: {self.site.phone} - Email: vanphong@yentho.thanhhoa.test"]), "static", SITE_UPDATED)
        yield self._page("/admin/login.aspx", self._static_html("Đăng nhập hệ thống", ["Tên đăng nhập và mật khẩu"]), "admin", SITE_UPDATED)
        yield Page("/portal/images/banner.png", assetgen.png_image("banner-yentho", 480, 60), "image/png", "asset",
                   {"Last-Modified": http_date(SITE_UPDATED)})
        yield Page("/portal/Style%20Library/yentho.css", b"body{font-family:Arial;font-size:13px}.box-title{font-weight:bold}\n",
                   "text/css", "asset", {"Last-Modified": http_date(SITE_UPDATED)})
        yield Page("/robots.txt", self.robots().encode(), "text/plain", "robots", {})
