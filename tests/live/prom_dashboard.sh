#!/bin/bash
# The Grafana dashboard shipped with kagent-collector
# (packaging/grafana/kagent-fleet.json): every query in it is valid
# PromQL.  jq extracts each panel's `expr` and the metric selector of each
# template variable's label_values(); the variables are replaced by
# values (as Grafana would interpolate them), each query becomes a
# recording rule and Debian's promtool checks them.  Also: the variables
# cluster and host exist, every query reads a kagent_ metric, panel ids
# are unique.  That those names are ones /metrics emits is checked against
# a live collector by metrics_fleet.sh.
set -u
J=../packaging/grafana/kagent-fleet.json
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
bad() { echo "FAIL $1"; fail=1; }

jq -e . "$J" > /dev/null || { echo "FAIL $J is not JSON"; exit 1; }
vars=$(jq -r '[.templating.list[].name] | join(" ")' "$J")
echo "variables: $vars"
[ "$vars" = "datasource cluster host" ] || bad "variables, want datasource cluster host"
dup=$(jq '[.. | objects | select(has("gridPos")) | .id] | length - (unique | length)' "$J")
[ "$dup" = 0 ] || bad "$dup panel ids repeated"

# Panel queries, then the selector inside each label_values(SELECTOR, LABEL).
{
	jq -r '.. | objects | select(has("expr")) | .expr' "$J"
	jq -r '.templating.list[] | select(.type == "query") | .query.query' "$J" |
		sed -E 's/^label_values\((.*), *[a-z_]+\)$/\1/'
} | sed -e 's/\$__rate_interval/5m/g; s/\$__interval/1m/g; s/\$__range/1h/g' \
	-e 's/\$cluster/kafka-1|zk-1/g; s/\$host/broker-1/g' > "$T/exprs"
n=$(grep -c . "$T/exprs")
echo "$n queries"
[ "$n" -ge 40 ] || bad "only $n queries found"
grep -n '\$' "$T/exprs" && bad "a variable left in a query"
grep -vn 'kagent_' "$T/exprs" && bad "a query reads no kagent_ metric"
jq -R -s '{groups: [{name: "dashboard", rules: [split("\n")[] | select(length > 0)]
	| to_entries | map({record: "dashboard:query_\(.key)", expr: .value})}]}' \
	"$T/exprs" > "$T/rules.yml"
echo "\$ promtool check rules (the dashboard's queries as recording rules)"
promtool check rules "$T/rules.yml" || fail=1
[ $fail -eq 0 ] && echo PASS
exit $fail
