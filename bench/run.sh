#!/usr/bin/env bash
# Read throughput and latency of the release binary at the seed size and at a million metrics,
# beside Datasette on the same file. The machine may be shared and noisy, so every figure is
# also given relative to /health measured in the same run against the same database: ratios
# hold where absolute numbers drift.
#
# Needs: cargo, curl, wrk (Debian: apt-get install wrk), python3 (for Datasette, installed into
# target/bench-venv on first use). All traffic stays on 127.0.0.1.
#
#   bench/run.sh                       # everything; generates a 1M-metric database (~2 min)
#   METRICS=100000 bench/run.sh        # a smaller corpus
#   BIG_DB=/tmp/big.db bench/run.sh    # reuse (or create once) the large database there
set -euo pipefail
cd "$(dirname "$0")/.."

METRICS=${METRICS:-1000000}
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-16}
PORT=${PORT:-18181}
DS_PORT=${DS_PORT:-18282}
ADDR=127.0.0.1:$PORT
DEPTH_ROWS=${DEPTH_ROWS:-10000}
# A province, a common indicator, by value descending: rows at both sizes, many on the large one.
FILTER=${FILTER:-region=gansu&indicator=revenue&sort=-value}
DEEP=${DEEP:-indicator=revenue&sort=-value}
SEARCH=${SEARCH:-%E9%87%91%E6%98%8C} # 金昌
# What a dashboard asks of the same province and indicator: how its facts split by kind and
# period (no rows), count and sums per prefecture; and a chart of the province's own GDP
# (actuals and targets in time order: a few hundred points at 1M, among the longest series).
# SERIES_PAGE is the province's revenue as series, one per subject, a page of 50: what a
# table of every series under the filters asks, and measured for its size.
FACETS=${FACETS:-region=gansu&indicator=revenue&facet=kind&facet=period&limit=0}
BREAKDOWN=${BREAKDOWN:-by=region&level=prefecture&region=gansu&indicator=revenue}
SERIES=${SERIES:-subject=gansu&indicator=gdp}
SERIES_PAGE=${SERIES_PAGE:-region=gansu&indicator=revenue}

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

cargo build --release --quiet --bins
BIN=target/release/industry-facts
SYNTH=target/release/synth

now_ms() { date +%s%3N; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

start_service() { # db [cache bytes] → sets SERVICE_PID
    INDUSTRY_FACTS_DB=$1 INDUSTRY_FACTS_ADDR=$ADDR INDUSTRY_FACTS_CACHE_BYTES=${2:-33554432} \
        RUST_LOG=warn $BIN serve &
    SERVICE_PID=$!
    PIDS+=("$SERVICE_PID")
    until curl -sf "http://$ADDR/health" >/dev/null; do sleep 0.005; done
}

stop_service() {
    kill -TERM "$SERVICE_PID"
    wait "$SERVICE_PID" || true
}

# Process start to the first 200 on /health.
startup_ms() {
    local t0 t1
    t0=$(now_ms)
    start_service "$1"
    t1=$(now_ms)
    stop_service
    echo $((t1 - t0))
}

# wrk on one URL → "requests/s p50 p99" (latencies in ms). With a second argument, the
# varied workload: bench/varied.lua makes every request a new URL from that pairs file; the
# fourth names what it asks of them (its VARIED_ROUTE).
measure() {
    local script=()
    [[ -n ${2:-} ]] && script=(-s bench/varied.lua)
    VARIED_PAIRS=${2:-} VARIED_TARGET=${3:-service} VARIED_ROUTE=${4:-page} \
        wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 30s --latency -H 'Accept-Encoding: gzip' "${script[@]}" "$1" |
        awk '
            function ms(v) {
                if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
                if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
                if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
                return v
            }
            /^ +50%/ { p50 = ms($2) }
            /^ +99%/ { p99 = ms($2) }
            /Requests\/sec/ { rps = $2 }
            END { printf "%.0f %.2f %.2f\n", rps, p50, p99 }'
}

# A cursor DEPTH_ROWS rows into the DEEP listing, walked 1000 rows at a time (a cursor does
# not depend on the page size). Prints "cursor rows-skipped".
deep_cursor() {
    local base="http://$ADDR/v1/metrics?$DEEP" cursor="" skipped=0 next
    while ((skipped < DEPTH_ROWS)); do
        next=$(curl -sf "$base&limit=1000${cursor:+&cursor=$cursor}" | json 'd["meta"]["next_cursor"] or ""')
        [[ -z $next ]] && break
        cursor=$next
        skipped=$((skipped + 1000))
    done
    echo "${cursor:--} $skipped"
}

# The (region, indicator) pairs that have facts, regions at every level, with the largest
# value of each: what the varied workload draws from.
write_pairs() { # db file
    python3 - "$1" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
rows = db.execute(
    "SELECT c.ancestor, m.indicator, MAX(m.value) FROM metrics m "
    "JOIN region_closure c ON c.descendant = m.region_id GROUP BY 1, 2"
).fetchall()
with open(sys.argv[2], "w") as out:
    for region, indicator, largest in rows:
        out.write(f"{region}\t{indicator}\t{largest}\n")
print(f"{len(rows)} region-indicator pairs", file=sys.stderr)
PY
}

ROWS=()
row() { ROWS+=("$1"); echo "$1" >&2; }

# Every route against one database; /health first, every other figure relative to it.
bench_db() { # label db [cache bytes: 0 measures every request reaching SQLite]
    local label=$1 db=$2
    start_service "$db" "${3:-}"
    local total item cursor skipped
    total=$(curl -sf "http://$ADDR/v1/metrics?$FILTER&limit=1" | json 'd["meta"]["total"]')
    item=$(curl -sf "http://$ADDR/v1/metrics?$DEEP&limit=1" | json 'd["data"][0]["id"]')
    read -r cursor skipped < <(deep_cursor)
    [[ $cursor == - ]] && cursor=""
    declare -A urls=(
        [health]="/health"
        [filtered]="/v1/metrics?$FILTER&limit=50"
        [first]="/v1/metrics?$DEEP&limit=50"
        [deep]="/v1/metrics?$DEEP&limit=50${cursor:+&cursor=$cursor}"
        [item]="/v1/metrics/$item"
        [search]="/v1/search?q=$SEARCH"
        [csv]="/v1/metrics?$FILTER&limit=1000&format=csv"
        [facets]="/v1/metrics?$FACETS"
        [breakdown]="/v1/metrics/breakdown?$BREAKDOWN"
        [series]="/v1/series?$SERIES"
        [series_page]="/v1/series?$SERIES_PAGE"
    )
    local pairs=$WORK/pairs-$(basename "$db").tsv
    [[ -s $pairs ]] || write_pairs "$db" "$pairs"
    local random="region=(random)&indicator=(random)&min=(random)"
    urls[varied]="/v1/metrics?$random&sort=-value&limit=50"
    urls[facets_varied]="/v1/metrics?$random&facet=kind&facet=period&limit=0"
    urls[breakdown_varied]="/v1/metrics/breakdown?by=region&level=province&$random"
    urls[series_varied]="/v1/series?$random"
    local order=(health filtered varied first deep item search csv
        facets facets_varied breakdown breakdown_varied series series_varied series_page)
    local health_rps=""
    for name in "${order[@]}"; do
        if [[ $name == varied ]]; then
            read -r rps p50 p99 < <(measure "http://$ADDR/" "$pairs")
        elif [[ $name == *_varied ]]; then
            read -r rps p50 p99 < <(measure "http://$ADDR/" "$pairs" service "${name%_varied}")
        else
            # Two requests first, with the headers wrk sends (no Accept, gzip; both are part
            # of the cache key): the cache keeps an answer the second time its URL is asked,
            # so with the cache on the run measures the cache, not sixteen first requests all
            # working out the same answer at once (seconds each for a breakdown at 1M).
            for _ in 1 2; do
                curl -s -o /dev/null -H 'Accept:' -H 'Accept-Encoding: gzip' "http://$ADDR${urls[$name]}"
            done
            read -r rps p50 p99 < <(measure "http://$ADDR${urls[$name]}")
        fi
        if [[ $rps == 0 ]]; then
            # Nothing finished within the run under load: time three requests one at a time.
            p50=$(for _ in 1 2 3; do
                curl -s -o /dev/null -w '%{time_total}\n' "http://$ADDR${urls[$name]}"
            done | sort -n | awk 'NR == 2 {printf "%.0f", $1 * 1000}')
            p99="(alone)"
        fi
        health_rps=${health_rps:-$rps}
        ratio=$(awk -v a="$rps" -v b="$health_rps" 'BEGIN {printf "%.3f", a / b}')
        row "| $label | $name | \`${urls[$name]:0:70}\` | $rps | $p50 | $p99 | $ratio |"
        eval "RPS_${label}_$name=$rps"
        # The answers held to a target at 1M are also set beside a /health measured right
        # after them: the machine's speed drifts within a run, and /health (mostly system
        # calls) and an answer (mostly the service's own work) do not drift alike.
        case $label:$name in big_raw:facets | big_raw:breakdown | big_raw:series | big*:*_varied)
            read -r rps _ < <(measure "http://$ADDR/health")
            eval "NEXT_${label}_$name=$rps" ;;
        esac
    done
    local hwm rss
    hwm=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$SERVICE_PID/status")
    rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$SERVICE_PID/status")
    eval "MEM_${label}='peak ${hwm} MB, ${rss} MB after the run'"
    # What the fixed series URLs answer: their cost grows with the points on the page.
    local size='"%d series, %d points, %d bytes" % (len(d["data"]), d["meta"]["points"], len(json.dumps(d, ensure_ascii=False).encode()))'
    local chart page
    chart=$(curl -sf "http://$ADDR${urls[series]}" | json "$size")
    page=$(curl -sf "http://$ADDR${urls[series_page]}" | json "$size")
    eval "ROWS_${label}='filter matches $total metrics; deep page after $skipped rows; series chart $chart; series page $page'"
    stop_service
}

datasette_bin() {
    if command -v datasette >/dev/null; then
        command -v datasette
        return
    fi
    local venv=target/bench-venv
    [[ -x $venv/bin/datasette ]] || {
        python3 -m venv "$venv" >&2
        # pysqlite3-binary brings a SQLite new enough for the FTS5 options the schema uses
        # (contentless_delete); Datasette picks it up instead of Python's own sqlite3.
        "$venv/bin/pip" install --quiet datasette pysqlite3-binary >&2
    }
    echo "$venv/bin/datasette"
}

# The filtered page as SQL: the same rows, region subtree included, as Datasette would run it.
datasette_rps() {
    local db=$1 ds name sql url
    ds=$(datasette_bin)
    name=$(basename "$db" .db)
    "$ds" serve -i "$db" --port "$DS_PORT" --setting sql_time_limit_ms 60000 >/dev/null 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    local tries=0
    until curl -sf "http://127.0.0.1:$DS_PORT/-/versions.json" >/dev/null; do
        sleep 0.1
        tries=$((tries + 1))
        if ((tries > 600)); then
            echo "datasette did not start on $db" >&2
            echo "0 0 0"
            return
        fi
    done
    local region indicator
    region=$(sed -E 's/.*region=([^&]*).*/\1/' <<<"$FILTER")
    indicator=$(sed -E 's/.*indicator=([^&]*).*/\1/' <<<"$FILTER")
    # The same closure table and indexes the service uses, so both read the rows the same way.
    sql="select * from metrics where indicator = '$indicator'
and region_id in (select descendant from region_closure where ancestor = '$region')
order by value desc, id desc limit 50"
    url="http://127.0.0.1:$DS_PORT/$name.json?_shape=array&sql=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$sql")"
    curl -sf "$url" | json 'len(d)' >&2
    read -r rps p50 p99 < <(measure "$url")
    # The varied workload's random filters, as the same SQL.
    read -r vrps vp50 vp99 < <(measure "http://127.0.0.1:$DS_PORT/" "$WORK/pairs-$name.db.tsv" "datasette:$name")
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    echo "$rps $p50 $p99 $vrps $vp50 $vp99"
}

# Start-up on the seed: a new database (migrations and seed load) and an existing one.
fresh=() warm=()
for i in 1 2 3 4 5; do
    fresh+=("$(startup_ms "$WORK/fresh-$i.db")")
    warm+=("$(startup_ms "$WORK/fresh-$i.db")")
done

SEED_DB=$WORK/seed.db
start_service "$SEED_DB" && stop_service

BIG_DB=${BIG_DB:-$WORK/big.db}
if [[ ! -e $BIG_DB ]]; then
    t0=$(now_ms)
    $SYNTH --metrics "$METRICS" --db "$BIG_DB" >&2
    GEN_S=$(awk -v ms=$(($(now_ms) - t0)) 'BEGIN {printf "%.1f", ms / 1000}')
else
    GEN_S="(reused $BIG_DB)"
fi
big_startup=$(startup_ms "$BIG_DB")

bench_db seed "$SEED_DB"
bench_db big "$BIG_DB"
# The same routes with the response cache off: what each request costs when it reaches SQLite.
bench_db seed_raw "$SEED_DB" 0
bench_db big_raw "$BIG_DB" 0
# Datasette reads the file as it is: fold the write-ahead log in first.
for db in "$SEED_DB" "$BIG_DB"; do
    python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA wal_checkpoint(TRUNCATE)")' "$db"
done
read -r ds_seed_rps ds_seed_p50 ds_seed_p99 dsv_seed_rps dsv_seed_p50 dsv_seed_p99 < <(datasette_rps "$SEED_DB")
read -r ds_big_rps ds_big_p50 ds_big_p99 dsv_big_rps dsv_big_p50 dsv_big_p99 < <(datasette_rps "$BIG_DB")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }
echo
echo "Machine: $(nproc) cores, $(uname -m); $(date -u +%Y-%m-%d); wrk -t2 -c$CONNECTIONS -d$DURATION --latency; $METRICS synthetic metrics generated in $GEN_S s."
echo
echo "| corpus | route | URL | requests/s | p50 ms | p99 ms | × /health |"
echo "|---|---|---|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
echo "| seed | datasette | same rows as \`filtered\`, as SQL | $ds_seed_rps | $ds_seed_p50 | $ds_seed_p99 | |"
echo "| big | datasette | same rows as \`filtered\`, as SQL | $ds_big_rps | $ds_big_p50 | $ds_big_p99 | |"
echo "| seed | datasette varied | the \`varied\` filters, as SQL | $dsv_seed_rps | $dsv_seed_p50 | $dsv_seed_p99 | |"
echo "| big | datasette varied | the \`varied\` filters, as SQL | $dsv_big_rps | $dsv_big_p50 | $dsv_big_p99 | |"
echo
echo "- seed: $ROWS_seed; memory $MEM_seed"
echo "- big: $ROWS_big; memory $MEM_big"
echo "- start-up to the first 200 on /health, median of 5: new seed database ${fresh[*]} → $(median "${fresh[@]}") ms; existing ${warm[*]} → $(median "${warm[@]}") ms; big database $big_startup ms"
echo "- filtered page vs /health: seed $(ratio "$RPS_seed_filtered" "$RPS_seed_health"), big $(ratio "$RPS_big_filtered" "$RPS_big_health")"
echo "- filtered page, big vs seed: $(ratio "$RPS_big_filtered" "$RPS_seed_filtered")"
echo "- deep page vs first page, big: $(ratio "$RPS_big_deep" "$RPS_big_first")"
echo "- filtered page vs Datasette: seed $(ratio "$RPS_seed_filtered" "$ds_seed_rps"), big $(ratio "$RPS_big_filtered" "$ds_big_rps")"
echo "- with the cache off: filtered vs /health seed $(ratio "$RPS_seed_raw_filtered" "$RPS_seed_raw_health"), big $(ratio "$RPS_big_raw_filtered" "$RPS_big_raw_health"); big vs seed $(ratio "$RPS_big_raw_filtered" "$RPS_seed_raw_filtered"); deep vs first, big $(ratio "$RPS_big_raw_deep" "$RPS_big_raw_first"); vs Datasette seed $(ratio "$RPS_seed_raw_filtered" "$ds_seed_rps"), big $(ratio "$RPS_big_raw_filtered" "$ds_big_rps")"
echo "- varied (every request a new URL) vs /health: seed $(ratio "$RPS_seed_varied" "$RPS_seed_health"), big $(ratio "$RPS_big_varied" "$RPS_big_health"); with the cache off: seed $(ratio "$RPS_seed_raw_varied" "$RPS_seed_raw_health"), big $(ratio "$RPS_big_raw_varied" "$RPS_big_raw_health")"
echo "- varied vs Datasette given the same random filters: seed $(ratio "$RPS_seed_varied" "$dsv_seed_rps"), big $(ratio "$RPS_big_varied" "$dsv_big_rps")"
echo "- memory with the cache off: seed $MEM_seed_raw; big $MEM_big_raw"
# A dashboard's answers against their target: at least a tenth of /health's rate at 1M.
verdict() { awk -v a="$1" -v b="$2" 'BEGIN {r = (b > 0) ? a / b : 0; printf "%.3f (%s)", r, (r >= 0.1) ? "met" : "missed"}'; }
for answer in facets breakdown series; do
    cached=RPS_big_$answer raw=RPS_big_raw_$answer varied=RPS_big_${answer}_varied
    raw_varied=RPS_big_raw_${answer}_varied seed_raw=RPS_seed_raw_$answer
    echo "- $answer vs /health, target ≥ 0.1× at 1M: cache off $(verdict "${!raw}" "$RPS_big_raw_health"), varied $(verdict "${!varied}" "$RPS_big_health"), varied with the cache off $(verdict "${!raw_varied}" "$RPS_big_raw_health"); cached $(ratio "${!cached}" "$RPS_big_health"), cache off on the seed $(ratio "${!seed_raw}" "$RPS_seed_raw_health")"
done
for answer in facets breakdown series; do
    line="- $answer vs the /health measured right after it:"
    for run in big_raw:$answer big:${answer}_varied big_raw:${answer}_varied; do
        rps=RPS_${run%%:*}_${run#*:} next=NEXT_${run%%:*}_${run#*:}
        line+=" ${run%%:*} ${run#*:} $(verdict "${!rps}" "${!next}") (/health ${!next}),"
    done
    echo "${line%,}"
done
echo "- series page (50 series) vs /health at 1M: cache off $(ratio "$RPS_big_raw_series_page" "$RPS_big_raw_health"), cached $(ratio "$RPS_big_series_page" "$RPS_big_health")"
