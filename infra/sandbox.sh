#!/usr/bin/env bash
# The sandbox in one command on a fresh machine: install what is missing, then run it until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/setup.sh
exec npx tsx scripts/sandbox.ts
