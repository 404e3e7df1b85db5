#!/usr/bin/env bash
# The Synapse homeserver the delivery tests post to (tests/delivery_servers.py), in a virtual
# environment of its own: matrix-synapse pins packages of its own that need not agree with Greffier's.
# It is a test server only; Greffier talks to any homeserver over the client-server API (httpx).
set -euo pipefail
venv="${GREFFIER_SYNAPSE_VENV:-$HOME/.cache/greffier-test/synapse-venv}"
if [ ! -x "$venv/bin/register_new_matrix_user" ]; then
  python3.11 -m venv "$venv"
  "$venv/bin/pip" install -q "matrix-synapse==1.163.2"
fi
echo "Synapse in $venv"
