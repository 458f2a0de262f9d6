"""An article a complete crawl no longer reaches is marked gone, except by one worker of a
distributed run, which sees only its share of the portal."""
from scrapy.utils.test import get_crawler

import portal_crawler.settings as project_settings
from archive.index import Index
from portal_crawler.session import CrawlSession
from portal_crawler.spiders.portal import PortalSpider

URL = "http://demo-yentho.thanhhoa.test/portal/Pages/2019-3-14/bai-cu-1.aspx"


def close_a_crawl(data, **spider_args):
    settings = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}
    crawler = get_crawler(PortalSpider, {**settings, "PORTAL_ARCHIVE_DATA": str(data)})
    spider = PortalSpider.from_crawler(crawler, site="demo-yentho", **spider_args)
    crawler.spider = spider
    session = crawler.get_extension(CrawlSession)
    session.spider_opened(spider)
    spider.closed("finished")
    session.spider_closed(spider, "finished")


def gone(data) -> str | None:
    index = Index(data / "index.sqlite")
    try:
        return index.article(URL)["gone"]
    finally:
        index.close()


def test_only_a_whole_crawl_calls_unreached_articles_gone(tmp_path):
    index = Index(tmp_path / "index.sqlite")
    index.upsert_article({"url": URL, "canonical": URL, "title": "Bài cũ", "published": "2019-03-14",
                          "body": "Nội dung.", "is_article": True}, site="demo-yentho")
    index.close()
    close_a_crawl(tmp_path, redis_run="20261127T000000-abcdef")
    assert gone(tmp_path) is None
    close_a_crawl(tmp_path, resume="1")
    assert gone(tmp_path) is None
    close_a_crawl(tmp_path)
    assert gone(tmp_path)
