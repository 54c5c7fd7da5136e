-- wrk script: every request starts a session for a new visitor, as a first page view would.
-- VISITOR_IDS=script names the id as the site script makes it since session 36: "v", the browser's
-- clock in ms, then Math.random() in base 36 (here every browser's clock is this machine's: the ids
-- are in time order to the millisecond, in no order within it). VISITOR_IDS=server sends no visitorId, as the script's first page view did until session 36,
-- so the server makes a time-ordered id; VISITOR_IDS=random names a fresh id of 16 random hex
-- digits, in no order (a client that invents its own ids: each new visitor lands on a random page
-- of the store's visitor index); otherwise each request names a fresh id of its own
-- ("wrk-<thread>-<n>-<random>").
-- X-Forwarded-For spreads visitors over many client IPs (loopback is a trusted proxy), so the
-- per-IP limit sees what it would see in production rather than one client doing everything.
local counter = 0
-- The wall clock in milliseconds, as the script's Date.now() reads it (os.time() has seconds only).
local ffi = require("ffi")
pcall(ffi.cdef, "typedef struct { long tv_sec; long tv_usec; } rp_timeval; int gettimeofday(rp_timeval *tv, void *tz);")
local timeval = ffi.new("rp_timeval")
local function now_millis()
  ffi.C.gettimeofday(timeval, nil)
  return string.format("%d%03d", tonumber(timeval.tv_sec), math.floor(tonumber(timeval.tv_usec) / 1000))
end
local thread_id = 0
local threads = {}
-- Starts answered without a number ("tracked":false: a full pool, the live-session cap, the
-- per-address limit) cost far less than a lease; done() reports them so that a run which hit
-- a cap is not read as a lease rate.
untracked = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

function init(args)
  site_key = os.getenv("SITE_KEY") or "pk_demo_site"
  server_visitor_ids = os.getenv("VISITOR_IDS") == "server"
  random_visitor_ids = os.getenv("VISITOR_IDS") == "random"
  script_visitor_ids = os.getenv("VISITOR_IDS") == "script"
  math.randomseed(os.time() + (tid or 0) * 7919)
end

request = function()
  counter = counter + 1
  local visitor
  if random_visitor_ids then
    visitor = string.format("%08x%08x", math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
  elseif script_visitor_ids then
    visitor = string.format("v%s0.%x%x", now_millis(), math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
  else
    visitor = string.format("wrk-%d-%d-%d", tid or 0, counter, math.random(1, 1000000000))
  end
  local ip = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  local visitor_field = server_visitor_ids and '' or ('"visitorId":"' .. visitor .. '",')
  local body = '{"siteKey":"' .. site_key .. '",' .. visitor_field ..
    '"url":"https://example.com/landing?utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=EAIaIQ' .. counter ..
    '","referrer":"https://www.google.com/","title":"Landing"}'
  return wrk.format("POST", "/v1/sessions", {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    ["X-Forwarded-For"] = ip,
  }, body)
end

-- With SESSION_IDS_OUT set, every session id answered is appended to that file (heartbeat.lua reads it).
local statuses = {}
local ids_out = nil
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if body:find('"tracked":false', 1, true) then
    untracked = untracked + 1
  end
  local path = os.getenv("SESSION_IDS_OUT")
  if path and status == 201 then
    if not ids_out then
      ids_out = io.open(path, "a")
      ids_out:setvbuf("line")
    end
    local id = body:match('"sessionId":"([^"]+)"')
    if id then ids_out:write(id, "\n") end
  end
end

done = function(summary, latency, requests)
  local not_leased = 0
  for _, thread in ipairs(threads) do
    not_leased = not_leased + (thread:get("untracked") or 0)
  end
  io.write(string.format("p50=%.2fms p99=%.2fms p99.9=%.2fms non2xx=%d untracked=%d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    summary.errors.status, not_leased))
end
