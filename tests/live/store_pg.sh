#!/bin/bash
# test_store_pg (tests/unit/test_store_pg.c) against a real PostgreSQL
# started here (lib/pg.sh): two connections as two collectors, the
# conditional upsert and the check history decided by PostgreSQL's row
# locks; and test_fleet_cache's two collectors sharing it.
set -u
BIN=$1
T=$(mktemp -d)
chmod 755 "$T"
. live/lib/pg.sh
trap 'pg_stop 2>/dev/null; rm -rf "$T"' EXIT
pg_start "$T/pg" || { echo "FAIL PostgreSQL did not start"; exit 1; }
KAGENT_TEST_PG=$PG_URL "$BIN/../tests/test_store_pg" || exit 1
KAGENT_TEST_PG=$PG_URL "$BIN/../tests/test_fleet_cache"
