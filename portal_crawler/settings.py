"""Scrapy settings: polite defaults for slow, fragile government servers.

Every value here can be overridden per run with `portal-archive crawl -s NAME=VALUE`.
"""
from portal_crawler import __version__

BOT_NAME = "portal_crawler"
SPIDER_MODULES = ["portal_crawler.spiders"]
NEWSPIDER_MODULE = "portal_crawler.spiders"

# Who we are: the contact URL tells a portal's webmaster where to complain.
PORTAL_CONTACT_URL = "https://github.com/portal-archive/portal-archive"
USER_AGENT = f"portal-archive/{__version__} (+{PORTAL_CONTACT_URL})"

ROBOTSTXT_OBEY = True

# Politeness: one or two connections per host, AutoThrottle on top, retries with back-off.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 60
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# The spider's errback logs each failed request in one line; Scrapy's "gave up" would repeat it.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
# Scrapy re-reads a callback's source (inspect + ast) to warn about a generator that returns
# a value: a check for spider authors, which parsed the spider's source on a quarter of
# all responses of a crawl (its cache is weakly keyed on bound methods made per request).
WARN_ON_GENERATOR_RETURN_VALUE = False
# 304 (conditional GET), 404/410 (an article that disappeared) reach the spider.
HTTPERROR_ALLOWED_CODES = [304, 404, 410]

# Pages are parsed and extracted in this many worker processes beside the event loop, which
# meanwhile archives, indexes and fetches (0: in the crawl's own process).
PORTAL_EXTRACT_PROCESSES = 1

# Documents linked from articles are archived up to this size; larger ones are counted.
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
PORTAL_DOCUMENT_MAX_SIZE = 64 * 1024 * 1024

# Recrawls (the revisit policy, archive/revisit.py): listings and sitemaps are always fetched;
# an archived article is asked for again once PORTAL_RECHECK_FACTOR x its age (or x the time
# since its text last changed, when shorter) has passed since it was last asked for, within
# [PORTAL_ARTICLE_RECHECK_HOURS, PORTAL_RECHECK_MAX_DAYS]. PORTAL_RECHECK = "all" (or
# PORTAL_ARTICLE_RECHECK_HOURS = 0) revalidates every article with a conditional GET.
# Page requisites and documents archived less than PORTAL_ASSET_RECHECK_DAYS ago are not
# requested again (0: always). PORTAL_NOW fixes the policy's clock (tests, replays).
PORTAL_ARTICLE_RECHECK_HOURS = 12
PORTAL_RECHECK_MAX_DAYS = 30
PORTAL_RECHECK_FACTOR = 0.2
PORTAL_RECHECK = "due"
PORTAL_ASSET_RECHECK_DAYS = 30

DOWNLOADER_MIDDLEWARES = {
    "portal_crawler.middlewares.ProxyMiddleware": 700,
    # after HttpProxyMiddleware (750): it sees each failed attempt and the proxy it went to
    "portal_crawler.network_failures.ProxyFailures": 760,
    "portal_crawler.middlewares.ArchiveReplayMiddleware": 50,
    "portal_crawler.middlewares.ConditionalGetMiddleware": 60,
    "portal_crawler.middlewares.PolitenessMiddleware": 70,
}
EXTENSIONS = {
    "portal_crawler.session.CrawlSession": 50,
    "portal_crawler.recorder.WarcRecorder": 100,
    "portal_crawler.progress.CrawlProgress": 200,
}
ITEM_PIPELINES = {
    "portal_crawler.pipelines.IndexPipeline": 300,
}

# The archive: DATA/warcs/*.warc.gz and DATA/index.sqlite.
PORTAL_ARCHIVE_DATA = "archive-data"
WARC_MAX_SIZE = 1_000_000_000
WARC_PREFIX = "portal-archive"
WARC_OPERATOR = ""
# The proxy of every request, without credentials; its credentials (split off the --proxy
# URL, or read from DATA/proxy-credentials) go in PORTAL_PROXY_CREDENTIALS, never logged.
PORTAL_PROXY = ""
PORTAL_PROXY_CREDENTIALS = None

# Memory: keep the request queue on disk-friendly LIFO order (depth first) so the frontier
# stays small on portals with tens of thousands of articles.
DEPTH_PRIORITY = 0
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleLifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.LifoMemoryQueue"

TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_CLASS = "portal_crawler.fingerprint.UrlKeyFingerprinter"
FEED_EXPORT_ENCODING = "utf-8"
