#!/bin/sh
# The application's Temporal namespace, made once with its retention (NAMESPACE, RETENTION).
# The frontend answers a little before it can make namespaces, so this tries for a minute.
set -u
attempt=0
while [ "$attempt" -lt 30 ]; do
  if temporal operator namespace describe -n "$NAMESPACE" >/dev/null 2>&1; then
    echo "namespace $NAMESPACE exists"
    exit 0
  fi
  if temporal operator namespace create -n "$NAMESPACE" --retention "$RETENTION"; then
    exit 0
  fi
  attempt=$((attempt + 1))
  sleep 2
done
echo "namespace $NAMESPACE could not be made at $TEMPORAL_ADDRESS" >&2
exit 1
