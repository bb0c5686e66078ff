# Sourced by soak.sh and collector_load.sh: the options for kcollectord
# (coll_tls) and loadgen (lg_tls).  With $1 = 1, plaintext on both sides.
# Otherwise a CA and a collector certificate for 127.0.0.1 made in $2 with
# packaging/kagent-ca, and an ACL letting loadgen's agents report into
# cluster soak and loopback clients read; loadgen issues each agent its
# own certificate from that CA.  Returns non-zero when kagent-ca fails.
loadgen_tls() {
	local insecure=$1 dir=$2 ca
	ca="$(dirname "${BASH_SOURCE[0]}")/../packaging/kagent-ca"
	if [ "$insecure" -eq 1 ]; then
		coll_tls=(--insecure)
		lg_tls=(--insecure)
		return 0
	fi
	sh "$ca" init "$dir/ca" >/dev/null &&
		sh "$ca" issue --days 2 --ip 127.0.0.1 "$dir/ca" kcollectord >/dev/null ||
		return 1
	printf 'report loadgen-* soak\nread loopback\n' >"$dir/acl"
	coll_tls=(--tls-ca "$dir/ca/ca.pem" --tls-cert "$dir/ca/hosts/kcollectord.pem"
		--tls-key "$dir/ca/hosts/kcollectord.key" --acl "$dir/acl")
	lg_tls=(--tls-ca "$dir/ca/ca.pem" --tls-ca-key "$dir/ca/ca.key")
}
