#!/bin/sh
# One database per subgraph, created when the PostgreSQL volume is first initialised.
set -eu
for name in accounts catalog inventory orders payments shipping; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres -c "CREATE DATABASE sc_${name}"
done
