#!/usr/bin/env bash
# Measures start-up time and read throughput of the release binary on this machine.
# Absolute figures drift on shared machines, so every route is also given relative to
# /health, the cheapest route behind the same middleware, measured in the same run.
# Needs wrk and curl (Debian: apt-get install wrk curl). Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-16}
PORT=${PORT:-18181}
ADDR=127.0.0.1:$PORT
OUT=${OUT:-bench/results.md}

cargo build --release --quiet
BIN=target/release/industry-facts
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

now_ms() { date +%s%3N; }

# Start-up: process start to the first 200 on /health, on a new database (migrations and
# seed load included) and on an existing one (seed already loaded).
startup() {
    local db=$1 t0 t1
    t0=$(now_ms)
    INDUSTRY_FACTS_DB=$db INDUSTRY_FACTS_ADDR=$ADDR RUST_LOG=warn $BIN serve &
    local pid=$!
    until curl -sf "http://$ADDR/health" >/dev/null; do sleep 0.005; done
    t1=$(now_ms)
    kill -TERM $pid
    wait $pid
    echo $((t1 - t0))
}

fresh=(); warm=()
for i in 1 2 3 4 5; do
    fresh+=("$(startup "$WORK/fresh-$i.db")")
    warm+=("$(startup "$WORK/fresh-$i.db")")
done
median() { printf '%s\n' "$@" | sort -n | sed -n 3p; }

INDUSTRY_FACTS_DB=$WORK/bench.db INDUSTRY_FACTS_ADDR=$ADDR RUST_LOG=warn $BIN serve &
until curl -sf "http://$ADDR/health" >/dev/null; do sleep 0.01; done

routes=(
    "/health"
    "/v1/regions/jinchang"
    "/v1/metrics?limit=1"
    "/v1/metrics?limit=50"
    "/v1/metrics?region=gansu&sort=-value&limit=20"
    "/v1/metrics?indicator=gdp&from=2022&to=2023"
    "/v1/metrics?q=%E9%95%8D%E9%92%B4"
    "/v1/search?q=nickel"
    "/v1/sources/jinchang-strong-tech"
    "/v1/metrics?format=csv&limit=1000"
)

{
    echo "# Benchmark results"
    echo
    echo "Machine: $(nproc) cores, $(uname -m); $(date -u +%Y-%m-%d); wrk, $CONNECTIONS connections, $DURATION per route."
    echo
    echo "Start-up to the first 200 on /health (median of 5): new database ${fresh[*]} → **$(median "${fresh[@]}") ms**;"
    echo "existing database ${warm[*]} → **$(median "${warm[@]}") ms**."
    echo
    echo "| route | requests/s | mean latency | relative to /health |"
    echo "|---|---:|---:|---:|"
} > "$OUT"

reference=""
for route in "${routes[@]}"; do
    result=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -H 'Accept-Encoding: gzip' "http://$ADDR$route")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$result")
    latency=$(awk '/Latency/ {print $2; exit}' <<<"$result")
    reference=${reference:-$rps}
    ratio=$(awk -v a="$rps" -v b="$reference" 'BEGIN {printf "%.2f", a / b}')
    echo "| \`$route\` | $rps | $latency | $ratio |" >> "$OUT"
done
cat "$OUT"
