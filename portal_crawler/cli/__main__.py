"""`python -m portal_crawler.cli`: the same as the `portal-archive` command."""
import sys

from portal_crawler.cli import main

sys.exit(main())
