"""Import captures of a site from public web archives (Wayback Machine, pywb, Common Crawl)
into this archive: list (cdx), choose (select), fetch politely (fetch), write with their
provenance (records), index like a crawl, and report what no archive holds (holes)."""
