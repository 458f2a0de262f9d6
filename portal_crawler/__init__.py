"""portal_crawler: getting and understanding portal pages (Scrapy project, extraction, CLI)."""
import os

# Scrapy's cookie middleware builds a tldextract extractor that would fetch the Public Suffix
# List from the internet on first use; an empty URL list makes it use its bundled snapshot.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

__version__ = "0.1.0"
