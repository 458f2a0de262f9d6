#!/usr/bin/env bash
# Replay check: index the given WARC files with cdxj-indexer, load them into pywb, and check
# that every archived 200 response (revisits included) comes back byte for byte from
# pywb's identity (`id_`) URL, that a revisit of a 304 answer replays the 200 page it refers
# to, and that `/2099id_/URL` (the newest) gives each URL's newest capture (the page a
# newest 304 stands for), not another record of ours indexed under its key (a metadata record).
# pywb pins packages that conflict with ours, so it lives in its own virtual
# environment (PYWB_VENV, default .ci/.pywb-venv), built on first use.
#
#   .ci/pywb-check.sh DATA/warcs/*.warc.gz
#
# Exit 0 when every checked record replays; 1 on any failure; 2 on bad usage.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 FILE.warc.gz..." >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${PYWB_VENV:-$root/.ci/.pywb-venv}"
warcs=()
for f in "$@"; do
  [ -f "$f" ] || { echo "no such WARC file: $f" >&2; exit 2; }
  warcs+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
done

if [ ! -x "$venv/bin/wayback" ] || [ ! -x "$venv/bin/cdxj-indexer" ]; then
  echo "building the pywb environment in $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q "pywb>=2.8" "cdxj-indexer>=1.4"
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# 1. cdxj-indexer must index every file and find captures in them.
"$venv/bin/cdxj-indexer" "${warcs[@]}" > "$work/index.cdxj"
lines=$(wc -l < "$work/index.cdxj")
echo "cdxj-indexer: $lines index lines from ${#warcs[@]} files"
[ "$lines" -gt 0 ] || { echo "FAIL: cdxj-indexer found no records" >&2; exit 1; }

# 2. A pywb collection holding the files, loaded as the README tells archivists: the WARC
# files in its archive/ and our replay index (archive.replay_index: cdxj-indexer's lines
# without the 304 revisits, which pywb would serve as an empty 304) as its index. pywb has
# no setting that filters its own index of them.
cd "$work"
"$venv/bin/wb-manager" init c > wb-manager.log 2>&1 || { cat wb-manager.log >&2; exit 1; }
cp "${warcs[@]}" collections/c/archive/
PYTHONPATH="$root" "$venv/bin/python" -m archive.replay_index "${warcs[@]}" > collections/c/indexes/index.cdxj
port=$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$venv/bin/wayback" -b 127.0.0.1 -p "$port" > wayback.log 2>&1 &
server_pid=$!

# 3. Every 200 response and revisit, fetched from its id_ URL, must equal the archived payload
# (a 304 revisit: its original's payload).
"$venv/bin/python" - "$port" "${warcs[@]}" <<'PY'
import sys, time, urllib.error, urllib.request
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

port, paths = sys.argv[1], sys.argv[2:]
base = f"http://127.0.0.1:{port}/c/"

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

opener = urllib.request.build_opener(NoRedirect)
for _ in range(100):  # wait for wayback to listen
    try:
        opener.open(base, timeout=2).read()
        break
    except urllib.error.HTTPError:
        break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit("FAIL: wayback did not start")

by_digest, by_id, expected, other_status, newest = {}, {}, {}, {}, {}
not_modified = set()  # (uri, ts) of the revisits that record a 304 answer
for path in paths:
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type not in ("response", "revisit") or not record.http_headers:
                continue
            uri = record.rec_headers.get_header("WARC-Target-URI")
            digest = record.rec_headers.get_header("WARC-Payload-Digest")
            ts = iso_date_to_timestamp(record.rec_headers.get_header("WARC-Date"))
            status = record.http_headers.get_statuscode()
            newest[uri] = max(newest.get(uri, ts), ts)
            if record.rec_type == "response":
                payload = record.raw_stream.read()
                by_digest.setdefault(digest, payload)
                by_id[record.rec_headers.get_header("WARC-Record-ID")] = payload
                if status == "200":
                    expected.setdefault((uri, ts), set()).add(("payload", payload))
                else:  # e.g. the 503s a flaky page answered before its 200
                    other_status.setdefault(uri, set()).add(int(status))
            elif status == "200" and digest:
                expected.setdefault((uri, ts), set()).add(("digest", digest))
            elif status == "304" and record.rec_headers.get_header("WARC-Refers-To"):
                # the server said the page it sent before is still current: replay is that page
                expected.setdefault((uri, ts), set()).add(("record", record.rec_headers.get_header("WARC-Refers-To")))
                not_modified.add((uri, ts))
            else:  # a deduplicated error answer (the same 503 page as another URL's)
                other_status.setdefault(uri, set()).add(int(status))


def replay(ts, uri):
    # ask for what a crawler asked for, so pywb sends the body as archived (still encoded)
    request = urllib.request.Request(f"{base}{ts}id_/{uri}", headers={"Accept-Encoding": "gzip, deflate, br"})
    with opener.open(request, timeout=30) as answer:
        return answer.read()


def check(ts, uri, wanted):
    """'ok', 'other' (pywb chose another archived answer of the URL) or 'fail'."""
    bodies = {by_digest.get(v) if kind == "digest" else by_id.get(v) if kind == "record" else v
              for kind, v in wanted}
    try:
        got = replay(ts, uri)
    except urllib.error.HTTPError as exc:
        if exc.code in other_status.get(uri, ()):
            # pywb chose another archived answer of this URL (it indexes to the second, and
            # resolves a revisit of an alias URL to the nearest capture): that answer is
            # archived too, so it is not a replay failure
            print(f"note {uri} @ {ts}: pywb replayed the URL's archived {exc.code} instead")
            return "other"
        print(f"FAIL {uri} @ {ts}: {exc}")
        return "fail"
    except (urllib.error.URLError, OSError) as exc:
        print(f"FAIL {uri} @ {ts}: {exc}")
        return "fail"
    if got not in bodies:
        # e.g. a metadata record indexed under the page's key and served as the page
        print(f"FAIL {uri} @ {ts}: replayed {len(got)} bytes differ from the archived payload")
        return "fail"
    return "ok"


results = {key: check(key[1], key[0], wanted) for key, wanted in sorted(expected.items())}
failures = sum(r == "fail" for r in results.values())
ambiguous = sum(r == "other" for r in results.values())
checked = len(results) - ambiguous
print(f"pywb replay: {checked - failures}/{len(expected)} captures returned their original bytes"
      + (f"; for {ambiguous} pywb chose another archived answer of the same URL" if ambiguous else ""))
replayed_not_modified = sum(results[key] == "ok" for key in not_modified)
print(f"pywb not modified: {replayed_not_modified}/{len(not_modified)} revisits of a 304 answer replayed the page it stands for")

# The newest capture of each URL (/2099id_/, what a reader gets without a date) must be the
# URL's own newest response or revisit: nothing else we wrote may take its place.
latest = {uri: expected[(uri, ts)] for uri, ts in newest.items() if (uri, ts) in expected}
newest_results = [check("2099", uri, wanted) for uri, wanted in sorted(latest.items())]
newest_failures = newest_results.count("fail")
print(f"pywb newest: {newest_results.count('ok')}/{len(latest)} URLs returned their newest capture")
sys.exit(1 if failures or newest_failures or replayed_not_modified < len(not_modified) or not checked else 0)
PY
