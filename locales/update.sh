#!/usr/bin/env bash
# Re-extract user-facing strings and merge them into the vi/en catalogs; then translate the
# new entries in locales/*/LC_MESSAGES/messages.po and run `pybabel compile -d locales`.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel extract -F babel.cfg -k t -k N_ -k tn:1,2 --no-location --sort-output -w 100 \
  --project ocop-bot -o locales/messages.pot bot forms handlers storage scheduler
pybabel update -i locales/messages.pot -d locales --no-fuzzy-matching --ignore-obsolete -w 100
