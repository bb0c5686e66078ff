#!/bin/bash
# packaging/kagent-ca against openssl: the host certificate carries exactly
# the identity the collector reads, chains to the CA, lasts 825 days or
# --days, and bad input is refused without touching the CA.
set -u
cd "$(dirname "$0")/../.."
ca=$PWD/packaging/kagent-ca
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

"$ca" init "$tmp/ca" >/dev/null || fail "kagent-ca init"
mode=$(stat -c %a "$tmp/ca/ca.key")
[ "$mode" = 600 ] && ok "ca.key mode 600" || fail "ca.key mode $mode"
bc=$(openssl x509 -in "$tmp/ca/ca.pem" -noout -ext basicConstraints | tail -1 | tr -d ' ')
[ "$bc" = "CA:TRUE,pathlen:0" ] && ok "CA basicConstraints $bc" || fail "CA basicConstraints '$bc'"
"$ca" init "$tmp/ca" 2>/dev/null && fail "init over an existing CA succeeded" ||
	ok "init refuses to overwrite the CA"

"$ca" issue "$tmp/ca" broker-7.dc1.example >/dev/null || fail "kagent-ca issue"
pem=$tmp/ca/hosts/broker-7.dc1.example.pem
san=$(openssl x509 -in "$pem" -noout -ext subjectAltName | tail -1 | sed 's/^ *//')
want='URI:kagent://host/broker-7.dc1.example, DNS:broker-7.dc1.example'
[ "$san" = "$want" ] && ok "subjectAltName: $san" || fail "subjectAltName '$san', expected '$want'"
v=$(openssl verify -CAfile "$tmp/ca/ca.pem" "$pem" 2>&1)
[ "$v" = "$pem: OK" ] && ok "openssl verify: chains to ca.pem" || fail "openssl verify: $v"
eku=$(openssl x509 -in "$pem" -noout -ext extendedKeyUsage | tail -1 | sed 's/^ *//')
[ "$eku" = "TLS Web Client Authentication, TLS Web Server Authentication" ] &&
	ok "extendedKeyUsage: $eku" || fail "extendedKeyUsage '$eku'"
days() { # whole days between notBefore and notAfter
	local nb na
	nb=$(date -d "$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)" +%s)
	na=$(date -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%s)
	echo $(((na - nb) / 86400))
}
d=$(days "$pem")
[ "$d" = 825 ] && ok "default validity 825 days" || fail "default validity $d days"
mode=$(stat -c %a "$tmp/ca/hosts/broker-7.dc1.example.key")
[ "$mode" = 600 ] && ok "host key mode 600" || fail "host key mode $mode"

"$ca" issue --days 30 "$tmp/ca" zk-1 >/dev/null || fail "kagent-ca issue --days 30"
d=$(days "$tmp/ca/hosts/zk-1.pem")
[ "$d" = 30 ] && ok "--days 30 gives 30 days" || fail "--days 30 gives $d days"

# A collector reached by address carries it as an IP SAN.
"$ca" issue --ip 127.0.0.1 --ip ::1 "$tmp/ca" collector-1 >/dev/null || fail "kagent-ca issue --ip"
san=$(openssl x509 -in "$tmp/ca/hosts/collector-1.pem" -noout -ext subjectAltName | tail -1 | sed 's/^ *//')
[ "$san" = "URI:kagent://host/collector-1, DNS:collector-1, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1" ] &&
	ok "--ip adds IP SANs" || fail "--ip SAN: $san"
"$ca" issue --ip 'bad!' "$tmp/ca" c2 2>/dev/null
[ $? = 2 ] && ok "--ip 'bad!' refused (exit 2)" || fail "--ip 'bad!' accepted"

for bad in 'a/b' '-x' 'a b' "$(printf 'h%.0s' {1..64})"; do
	"$ca" issue "$tmp/ca" "$bad" 2>/dev/null
	rc=$?
	[ $rc = 2 ] && ok "host id '${bad:0:20}' refused (exit 2)" ||
		fail "host id '$bad': exit $rc, expected 2"
done
"$ca" issue --days 0 "$tmp/ca" h1 2>/dev/null && fail "--days 0 accepted" || ok "--days 0 refused"
"$ca" issue "$tmp/ca" zk-1 2>/dev/null && fail "reissue over zk-1.pem accepted" ||
	ok "issue refuses to overwrite a host certificate"
n=$(ls "$tmp/ca/hosts" | wc -l)
[ "$n" = 6 ] && ok "hosts/ holds the 3 issued pairs only" || fail "hosts/ holds $n files"

echo "$fails failure(s)"
[ $fails = 0 ]
