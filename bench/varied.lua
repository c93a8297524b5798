-- Every request a URL no cache has seen: a random (region, indicator) pair that has facts, a
-- random `min` under the pair's largest value, by value descending, 50 rows. The pairs come
-- from a tab-separated file (region, indicator, largest value) that bench/run.sh writes from
-- the database under test, so every request selects rows.
--
-- VARIED_PAIRS  the pairs file
-- VARIED_TARGET `service` (the /v1/metrics route) or `datasette:NAME` (the same rows as SQL
--               against Datasette's database NAME)

local pairs_file = os.getenv("VARIED_PAIRS")
local target = os.getenv("VARIED_TARGET") or "service"
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
end

function request()
    counter = counter + 1
    local row = rows[math.random(#rows)]
    -- Six random decimals make a repeated URL as unlikely as a repeated cache key can be.
    local min = string.format("%.6f", math.random() * row[3])
    if target == "service" then
        return wrk.format("GET", string.format(
            "/v1/metrics?region=%s&indicator=%s&min=%s&sort=-value&limit=50",
            urlencode(row[1]), urlencode(row[2]), min))
    end
    local name = target:match("^datasette:(.+)$")
    local sql = string.format(
        "select * from metrics where indicator = '%s' and value >= %s " ..
        "and region_id in (select descendant from region_closure where ancestor = '%s') " ..
        "order by value desc, id desc limit 50",
        row[2], min, row[1])
    return wrk.format("GET", "/" .. name .. ".json?_shape=array&sql=" .. urlencode(sql))
end
