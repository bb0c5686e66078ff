#!/bin/bash
# kagent fleet reaches the collector by host name as well as by address:
# http://localhost:PORT resolves through getaddrinfo (the system's
# resolver, /etc/hosts) and answers as http://127.0.0.1:PORT does; a name
# that does not resolve is named in the error, exit 2.
set -u
BIN=$1
T=$(mktemp -d)
chmod 755 "$T"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
LISTEN=$(port)
HTTP=$(port)
user=()
[ "$(id -u)" = 0 ] && { user=(--user nobody); chown nobody "$T"; }
"$BIN/kcollectord" --insecure --listen 127.0.0.1:$LISTEN --http 127.0.0.1:$HTTP \
	--db "$T/c.db" "${user[@]}" 2>"$T/coll.log" &
COLL=$!
trap 'kill $COLL 2>/dev/null; wait $COLL 2>/dev/null; rm -rf "$T"' EXIT
for i in $(seq 100); do
	curl -sf -o /dev/null "http://127.0.0.1:$HTTP/metrics" && break
	sleep 0.1
done

by_addr=$("$BIN/kagent" fleet --collector "http://127.0.0.1:$HTTP" --json 2>&1)
by_name=$("$BIN/kagent" fleet --collector "http://localhost:$HTTP" --json 2>&1)
rc=$?
want='{
  "clusters": [],
  "hosts": [],
  "stale": false
}'
[ $rc = 0 ] && [ "$by_name" = "$want" ] && [ "$by_name" = "$by_addr" ] &&
	ok "http://localhost:$HTTP answers as http://127.0.0.1:$HTTP: $(echo $by_name)" ||
	fail "http://localhost:$HTTP: exit $rc, '$by_name' (by address: '$by_addr')"

"$BIN/kagent" fleet --collector "http://localhost:$HTTP" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] && grep -q '^HOST  *CLUSTER' "$T/out" && [ ! -s "$T/err" ] &&
	ok "table by name, exit 0" || fail "table by name: exit $rc, $(cat "$T/err")"

got=$("$BIN/kagent" fleet --collector "http://no-such-host.invalid:$HTTP" 2>&1 >/dev/null)
rc=$?
# The resolver's reason depends on the machine's DNS: not compared.
want="kagent fleet: http://no-such-host.invalid:$HTTP: cannot resolve 'no-such-host.invalid': "
[ $rc = 2 ] && [ "${got:0:${#want}}" = "$want" ] && [ ${#got} -gt ${#want} ] && ok "unresolvable name: '$got', exit 2" ||
	fail "unresolvable name: exit $rc, '$got', expected '$want'"

got=$("$BIN/kagent" fleet --collector "ftp://localhost:$HTTP" 2>&1 >/dev/null)
rc=$?
want="kagent fleet: ftp://localhost:$HTTP: not an http[s]://HOST:PORT URL (HOST a name or an address)"
[ $rc = 2 ] && [ "$got" = "$want" ] && ok "not a URL: exit 2" ||
	fail "not a URL: exit $rc, '$got'"

[ $fails = 0 ] || { echo "$fails failure(s)"; cat "$T/coll.log"; exit 1; }
