#!/bin/bash
# The fleet page in a browser: Debian's chromium, headless, driven by
# puppeteer-core (from npm, installed into a cache outside the
# repository) against a real kcollectord fed by eleven real kagentd
# processes (fixtures/e2e-fleet.hosts, and one host whose rack is HTML).
# live/lib/fleet_page.js asserts that the page lists the fleet and the
# cluster verdicts, that a filter narrows it, that a host page shows the
# fixture's disks, and that a host whose agent stops turns stale without a
# reload; here curl checks the headers, and that a certificate no read
# rule names gets 403.  Screenshots: BUILD/tests/fleet_page/*.png.
# chromium missing and not installable is a failure, not a skip.
# Usage: bash fleet_page.sh BUILD_BIN_DIR   (cwd tests/)
set -u
BIN=${1:?usage: fleet_page.sh BUILD_BIN_DIR}
OUT=$(cd "$BIN/.." && pwd)/tests/fleet_page
NPM_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/kagent-puppeteer
for need in jq python3 curl openssl node npm; do
	command -v $need >/dev/null || { echo "FAIL $need is not installed"; exit 1; }
done
if ! command -v chromium >/dev/null; then
	echo "chromium missing: apt-get install chromium"
	apt-get install -y --no-install-recommends chromium > /dev/null 2>&1
	command -v chromium >/dev/null || {
		echo "FAIL chromium is not installed and apt-get could not install it"
		exit 1
	}
fi
if [ ! -e "$NPM_DIR/node_modules/puppeteer-core/package.json" ]; then
	mkdir -p "$NPM_DIR" && (cd "$NPM_DIR" &&
		npm install --no-audit --no-fund --silent puppeteer-core > npm.log 2>&1) || {
		echo "FAIL npm install puppeteer-core into $NPM_DIR:"
		cat "$NPM_DIR/npm.log"
		exit 1
	}
fi
. live/lib/e2e.sh
fail=0
# expect NAME WANT GOT
expect() {
	if [ "$2" == "$3" ]; then
		echo "ok   $1: $3"
	else
		echo "FAIL $1: want '$2', got '$3'"
		fail=1
	fi
}
HOSTILE='<img src=x onerror="window.pwned=1">'
echo "report odd-* odd" >> "$T/acl"
e2e_issue stranger || { echo "FAIL certificates"; exit 1; }
E2E_HOSTS=()
e2e_collector_start || exit 1
e2e_fleet_start
e2e_agent_start odd-html odd "$HOSTILE" zookeeper e2e-zk3
E2E_HOSTS+=(odd-html)
for h in "${E2E_HOSTS[@]}"; do
	e2e_wait_acked "$h" 1 30 || { echo "FAIL $h: no report acknowledged"; exit 1; }
done

# Headers: the page's policy allows only the collector's own files;
# nothing is cached.
hdr() { curl -s -o /dev/null -D - "$COLL_URL$1" | tr -d '\r' | grep -i "^$2:" | cut -d' ' -f2-; }
expect "/fleet Content-Type" "text/html; charset=utf-8" "$(hdr /fleet Content-Type)"
expect "/fleet Content-Security-Policy" \
	"default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'" \
	"$(hdr /fleet Content-Security-Policy)"
expect "/fleet/fleet.js Content-Type" "text/javascript; charset=utf-8" "$(hdr /fleet/fleet.js Content-Type)"
expect "/fleet/fleet.css Content-Type" "text/css; charset=utf-8" "$(hdr /fleet/fleet.css Content-Type)"
expect "/api/fleet Cache-Control" "no-store" "$(hdr /api/fleet Cache-Control)"
expect "/fleet/fleet.js is the repository's file" "$(sha256sum < ../collector/www/fleet.js)" \
	"$(curl -sf "$COLL_URL/fleet/fleet.js" | sha256sum)"
# The same read ACL as /api: a certificate a read rule names reads the
# page, one it does not gets 403.
tls_get() {
	curl -s -o /dev/null -w '%{http_code}' --cacert "$CA/ca.pem" \
		--cert "$CA/hosts/$1.pem" --key "$CA/hosts/$1.key" \
		"https://127.0.0.1:$HTTP_PORT$2"
}
expect "fleet-reader's certificate: /fleet" 200 "$(tls_get fleet-reader /fleet)"
expect "fleet-reader's certificate: /fleet/fleet.js" 200 "$(tls_get fleet-reader /fleet/fleet.js)"
expect "a certificate no rule names: /fleet" 403 "$(tls_get stranger /fleet)"
expect "a certificate no rule names: /fleet/fleet.js" 403 "$(tls_get stranger /fleet/fleet.js)"
expect "a certificate no rule names: history" 403 "$(tls_get stranger /api/hosts/zk3-a/history)"

rm -rf "$OUT" && mkdir -p "$OUT"
NODE_PATH=$NPM_DIR/node_modules node live/lib/fleet_page.js "$COLL_URL" \
	"$(command -v chromium)" "$OUT" kafka2-b "$(e2e_agent_pid kafka2-b)" \
	odd-html "$HOSTILE" || fail=1
for f in fleet filtered host stale; do
	[ -s "$OUT/$f.png" ] || { echo "FAIL no screenshot $OUT/$f.png"; fail=1; }
done
echo "screenshots: $OUT"
[ $fail -eq 0 ] || tail -20 "$T/collector.log"
exit $fail
