#!/usr/bin/env bash
# Installs what Baton's sandbox and tests need on a fresh Debian machine of this kind, and nothing
# that is already there: Debian packages (MariaDB server binaries, Redis, iptables, Java, Maven, Chromium),
# the npm workspace (npm ci), and the pinned Kafka broker's jars (cached outside git).
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/sbin/mariadbd ] || need+=(mariadb-server)
command -v mariadb-install-db >/dev/null || need+=(mariadb-server)
command -v redis-server >/dev/null || need+=(redis-server)
command -v iptables >/dev/null || need+=(iptables)
command -v ip >/dev/null || need+=(iproute2)
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need+=(maven)
command -v openssl >/dev/null || need+=(openssl) # the Redis TLS test makes its certificates
command -v chromium >/dev/null || need+=(chromium) # the web page's test (test/int/web-page.int.test.ts) drives it headless
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then echo "setup: need root for apt-get (or install: ${need[*]})" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

bash infra/kafka/kafka.sh fetch
echo "setup: done"
