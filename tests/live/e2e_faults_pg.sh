#!/bin/bash
# e2e_faults.sh (collector killed and stopped, agent restarted with a full
# spool, a spool that overflows: no report lost or stored twice) with the
# collector's state in PostgreSQL instead of SQLite.
E2E_PG=1
export E2E_PG
exec bash live/e2e_faults.sh "$@"
