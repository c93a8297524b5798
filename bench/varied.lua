-- Every request a URL no cache has seen: a random (region, indicator) pair that has facts, a
-- random `min` under the pair's largest value, by value descending, 50 rows (or, with
-- VARIED_ROUTE, the facets, breakdown or series of the same filters). The pairs come
-- from a tab-separated file (region, indicator, largest value) that bench/run.sh writes from
-- the database under test, so every request selects rows.
--
-- VARIED_PAIRS  the pairs file
-- VARIED_TARGET `service` (the /v1/metrics route) or `datasette:NAME` (the same rows as SQL
--               against Datasette's database NAME)
-- VARIED_ROUTE  for the service, what is asked of the same random filters: `page` (the list
--               page above, the default), `facets` (how the selected facts split by kind and
--               period, without rows), `breakdown` (count, sum, min and max per province) or
--               `series` (the selected facts in time order, one series per subject)

local pairs_file = os.getenv("VARIED_PAIRS")
local target = os.getenv("VARIED_TARGET") or "service"
local route = os.getenv("VARIED_ROUTE") or "page"
local routes = {
    page = "/v1/metrics?region=%s&indicator=%s&min=%s&sort=-value&limit=50",
    facets = "/v1/metrics?region=%s&indicator=%s&min=%s&facet=kind&facet=period&limit=0",
    -- One indicator has one unit, so the sums are allowed.
    breakdown = "/v1/metrics/breakdown?by=region&level=province&region=%s&indicator=%s&min=%s",
    series = "/v1/series?region=%s&indicator=%s&min=%s",
}
local rows = {}
local counter = 0

local threads = {}
function setup(thread)
    thread:set("seed", #threads + 1)
    table.insert(threads, thread)
end

local function urlencode(s)
    return (s:gsub("[^%w%-%._~]", function(c)
        return string.format("%%%02X", string.byte(c))
    end))
end

function init(args)
    math.randomseed(os.time() * 1000 + (seed or 0) * 7919)
    for line in io.lines(pairs_file) do
        local region, indicator, largest = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)$")
        if region then
            table.insert(rows, { region, indicator, tonumber(largest) })
        end
    end
    if #rows == 0 then
        error("no pairs in " .. tostring(pairs_file))
    end
    if routes[route] == nil then
        error("unknown VARIED_ROUTE " .. route)
    end
end

function request()
    counter = counter + 1
    local row = rows[math.random(#rows)]
    -- Six random decimals make a repeated URL as unlikely as a repeated cache key can be.
    local min = string.format("%.6f", math.random() * row[3])
    if target == "service" then
        return wrk.format("GET", string.format(
            routes[route], urlencode(row[1]), urlencode(row[2]), min))
    end
    local name = target:match("^datasette:(.+)$")
    local sql = string.format(
        "select * from metrics where indicator = '%s' and value >= %s " ..
        "and region_id in (select descendant from region_closure where ancestor = '%s') " ..
        "order by value desc, id desc limit 50",
        row[2], min, row[1])
    return wrk.format("GET", "/" .. name .. ".json?_shape=array&sql=" .. urlencode(sql))
end
