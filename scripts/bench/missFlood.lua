-- bench:serve's miss flood: wrk sends every request for a module path nobody has asked for
-- before (a thread number and a counter make each one new), for each kind of file the go
-- command asks a proxy for, and one in eight with a 2,000-character path element. Each
-- connection waits between requests, so the flood has a rate of its own however fast the
-- server answers: see MISS_FLOOD_* in missFlood.ts.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("number", #threads)
end

local sent = 0
local kinds = { "@v/v1.0.0.info", "@v/v1.0.0.mod", "@v/v1.0.0.zip", "@v/list", "@latest" }

function request()
  sent = sent + 1
  local element = "m" .. sent
  if sent % 8 == 0 then element = element .. string.rep("x", 2000) end
  local kind = kinds[sent % #kinds + 1]
  return wrk.format("GET", "/flood.example/t" .. tostring(number) .. "/" .. element .. "/" .. kind)
end

local pause = 10

-- wrk ... -s missFlood.lua URL -- PAUSE_MS
function init(args)
  pause = tonumber(args[1] or pause)
end

function delay()
  return pause
end

-- Per thread; summed up in done().
unexpected = 0

function response(status)
  if status ~= 404 then unexpected = unexpected + 1 end
end

function done()
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("unexpected") end
  io.write(string.format("answers other than 404: %d\n", total))
end
