#!/usr/bin/env bash
# Crawl the shared portalgen corpus with the installed portal-archive, then check the WARC
# files with tools we did not write: warcio check, cdxj-indexer + pywb replay (in pywb's own
# venv, see pywb-check.sh), and `wacz validate` on an exported WACZ. Also checks that a
# recrawl of the unchanged corpus adds under 15% of the first crawl's WARC bytes, and that
# the recrawled archive (304 revisits) still replays.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="$root/../shared"
pa="$root/.venv/bin/portal-archive"
work=$(mktemp -d)
trap 'kill "$server_pid" 2>/dev/null || true; [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT

python3 "$shared/portalgen/generate.py" --out "$work/corpus" >/dev/null 2>&1
python3 "$shared/portalgen/serve.py" "$work/corpus" --port 0 > "$work/server.out" 2> "$work/server.log" &
server_pid=$!
for _ in $(seq 50); do grep -q "serving on" "$work/server.out" 2>/dev/null && break; sleep 0.1; done
proxy=$(sed -n 's/^serving on //p' "$work/server.out" | head -1)
starts=$(python3 -c "import json,sys; print(' '.join(u for s in json.load(open(sys.argv[1])) for u in s['start_urls']))" "$work/corpus/sites.json")

"$pa" crawl $starts --data "$work/data" --proxy "$proxy"
first=$(du -cb "$work"/data/warcs/*.warc.gz | tail -1 | cut -f1)
"$root/.venv/bin/warcio" check "$work"/data/warcs/*.warc.gz
echo "warcio check: ok"

bash "$root/.ci/pywb-check.sh" "$work"/data/warcs/*.warc.gz

"$pa" export-wacz -o "$work/crawl.wacz" --data "$work/data"
"$root/.venv/bin/wacz" validate -f "$work/crawl.wacz"
echo "wacz validate: ok"

"$pa" crawl $starts --data "$work/data" --proxy "$proxy"
total=$(du -cb "$work"/data/warcs/*.warc.gz | tail -1 | cut -f1)
python3 - "$first" "$total" <<'PY'
import sys
first, total = int(sys.argv[1]), int(sys.argv[2])
added = (total - first) / first
print(f"recrawl of the unchanged corpus added {total - first} bytes = {added:.1%} of the first crawl's {first}")
sys.exit(0 if added < 0.15 else 1)
PY
"$root/.venv/bin/warcio" check "$work"/data/warcs/*.warc.gz

# After the recrawl the newest record of an unchanged page is a 304 revisit: pywb and the
# WACZ must still replay the page it stands for.
bash "$root/.ci/pywb-check.sh" "$work"/data/warcs/*.warc.gz
"$pa" export-wacz -o "$work/recrawl.wacz" --data "$work/data"
"$root/.venv/bin/wacz" validate -f "$work/recrawl.wacz"
echo "wacz validate after the recrawl: ok"
