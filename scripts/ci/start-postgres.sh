#!/usr/bin/env bash
# Starts a local PostgreSQL 15 on 127.0.0.1:5432 with user postgres / password postgres,
# installing it from Debian where it is missing. For CI and for running `npm run test:db` by hand.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v pg_ctlcluster >/dev/null || [ ! -d /usr/lib/postgresql/15 ]; then
  echo "installing PostgreSQL 15…"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null
fi
if ! pg_lsclusters -h | awk '$1 == 15 && $2 == "main"' | grep -q .; then
  as_root pg_createcluster 15 main >/dev/null
fi
if ! pg_lsclusters -h | awk '$1 == 15 && $2 == "main" && $4 == "online"' | grep -q .; then
  as_root pg_ctlcluster 15 main start
fi
for _ in $(seq 1 30); do
  as_root su postgres -c "psql -qAtc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
as_root su postgres -c "psql -qc \"alter user postgres password 'postgres'\"" >/dev/null
echo "PostgreSQL 15 is up: postgres://postgres:postgres@127.0.0.1:5432/postgres"
