#!/bin/sh
# Installs Sift's index template (the data stream logs-sift-*) once Elasticsearch answers;
# run by the Compose service `logging-setup`, or by hand with ELASTICSEARCH_URL set.
set -eu
url="${ELASTICSEARCH_URL:-http://elasticsearch:9200}"
here="$(dirname "$0")"
tries=0
until curl -fsS "$url/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null; do
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || { echo "Elasticsearch at $url does not answer" >&2; exit 1; }
  sleep 2
done
curl -fsS -X PUT "$url/_index_template/logs-sift" \
  -H 'Content-Type: application/json' --data-binary "@$here/sift-logs.json"
echo
