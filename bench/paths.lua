-- wrk script: requests the paths given after `--` in turn, round robin, and counts
-- responses by status and reports them exactly as bench/status.lua does.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "status.lua")

local count_statuses = init
local paths = {}
local next_path = 0

function init(args)
  count_statuses(args)
  for _, path in ipairs(args) do
    table.insert(paths, path)
  end
end

function request()
  next_path = next_path % #paths + 1
  return wrk.format(nil, paths[next_path])
end
