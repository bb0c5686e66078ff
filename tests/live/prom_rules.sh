#!/bin/bash
# The alerting rules shipped with kagent-collector, proved by Debian's
# promtool: `check rules` (syntax, PromQL, templates) and `test rules`
# (packaging/prometheus/kagent.rules.test.yml: every alert fires on input
# series that should fire it and stays quiet on those that should not).
# That the metric names they use are ones /metrics emits is checked
# against a live collector by metrics_fleet.sh.
set -u
D=../packaging/prometheus
fail=0
echo "\$ promtool check rules kagent.rules.yml"
promtool check rules "$D/kagent.rules.yml" || fail=1
echo "\$ promtool test rules kagent.rules.test.yml"
promtool test rules "$D/kagent.rules.test.yml" || fail=1
# Every alert of the rules is exercised by the tests.
for a in $(sed -n 's/^ *- alert: *//p' "$D/kagent.rules.yml"); do
	n=$(grep -c "alertname: $a\$" "$D/kagent.rules.test.yml")
	echo "$a: $n test cases"
	[ "$n" -ge 2 ] || { echo "FAIL $a: tested $n times, want firing and not firing"; fail=1; }
done
[ $fail -eq 0 ] && echo PASS
exit $fail
