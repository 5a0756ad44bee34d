-- mixed.lua: wrk script for tests/serve/faults.sh: cycles through a mix of
-- healthy and failing requests (hello, echo with a body, trap, crash, exit,
-- huge output, 404, metrics, a memory hog and a 100 ms loop now and then).
local reqs = {}
local i = 0
init = function(args)
  local body = string.rep("b", 10000)
  local mix = {}
  for _ = 1, 30 do mix[#mix + 1] = wrk.format("GET", "/hello") end
  for _ = 1, 10 do mix[#mix + 1] = wrk.format("POST", "/echo/x?y=1", nil, body) end
  for _ = 1, 4 do mix[#mix + 1] = wrk.format("GET", "/trap") end
  for _ = 1, 2 do mix[#mix + 1] = wrk.format("GET", "/crash") end
  for _ = 1, 2 do mix[#mix + 1] = wrk.format("GET", "/crash?exit") end
  mix[#mix + 1] = wrk.format("GET", "/bigout")
  for _ = 1, 2 do mix[#mix + 1] = wrk.format("GET", "/nothing/here") end
  mix[#mix + 1] = wrk.format("GET", "/metrics")
  reqs = mix
end
request = function()
  i = i + 1
  if i % 500 == 0 then return wrk.format("GET", "/hog") end
  if i % 2000 == 250 then return wrk.format("GET", "/loop") end
  return reqs[(i % #reqs) + 1]
end
