#!/bin/sh
# Build stage of both images: a virtualenv at /opt/venv from the hash-pinned lock.
# pip verifies every downloaded file against the lock's hashes (--require-hashes).
set -eu
python -m venv /opt/venv
/opt/venv/bin/pip install --no-cache-dir --upgrade pip
/opt/venv/bin/pip install --no-cache-dir --require-hashes --no-deps -r /tmp/requirements.txt
