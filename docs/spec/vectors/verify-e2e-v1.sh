#!/usr/bin/env bash
# Checks e2e-v1.json with the independent Python verifier: makes (or reuses) a virtualenv in target/py-e2e-venv
# with the exact packages of requirements-e2e.txt, then runs verify_e2e_v1.py with its self-test.
# Needs python3 (3.11+) with the venv module (Debian: python3-venv) and PyPI, the first time.
set -euo pipefail
cd "$(dirname "$0")/../../.."

venv=target/py-e2e-venv
req=docs/spec/vectors/requirements-e2e.txt
if ! cmp -s "$req" "$venv/installed-requirements.txt" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: -r "$req"
  cp "$req" "$venv/installed-requirements.txt"  # written last: an interrupted install is redone next time
fi
exec "$venv/bin/python" docs/spec/vectors/verify_e2e_v1.py --self-test "$@"
