-- wrk script of bench/search.sh: GET /api/v1/search?q=... cycling through the
-- URL-encoded queries of the file named by SEARCH_QUERIES (one a line); each
-- wrk thread starts at its own place in the list.
local queries = {}
for line in io.lines(os.getenv("SEARCH_QUERIES")) do
	if line ~= "" then
		queries[#queries + 1] = "/api/v1/search?q=" .. line
	end
end
assert(#queries > 0, "no queries in " .. tostring(os.getenv("SEARCH_QUERIES")))

local threads = 0
function setup(thread)
	thread:set("start", threads * 7)
	threads = threads + 1
end

local i
function init(args)
	i = start or 0
end

function request()
	i = i + 1
	return wrk.format("GET", queries[(i % #queries) + 1])
end
