-- End-to-end test of the shipped plugin in a real, headless Neovim (0.7 to 0.11+):
--   nvim --headless --clean -c 'luafile test/e2e.lua'
-- Environment: PICKET_PLUGIN (this plugin's directory), PICKET_SERVER (the picket binary),
-- PICKET_FILE (a copy of fixtures/editors/app.yaml), PICKET_OTHER (a YAML file that is not
-- Kubernetes). Prints `1 passed, 0 failed` and exits 0, or says why and exits 1.
local t0 = vim.loop.hrtime()
local function log(...)
  local parts = { string.format('[%.2fs]', (vim.loop.hrtime() - t0) / 1e9) }
  for _, v in ipairs({ ... }) do
    parts[#parts + 1] = type(v) == 'string' and v or vim.inspect(v)
  end
  io.stdout:write(table.concat(parts, ' ') .. '\n')
end
local function finish(ok, msg)
  log(ok and 'E2E PASS' or ('E2E FAIL: ' .. tostring(msg)))
  io.stdout:write(ok and '1 passed, 0 failed\n' or '0 passed, 1 failed\n')
  vim.cmd(ok and 'qall!' or 'cquit 1')
end

local plugin = assert(os.getenv('PICKET_PLUGIN'), 'PICKET_PLUGIN not set')
local server = assert(os.getenv('PICKET_SERVER'), 'PICKET_SERVER not set')
local file = assert(os.getenv('PICKET_FILE'), 'PICKET_FILE not set')
local other = assert(os.getenv('PICKET_OTHER'), 'PICKET_OTHER not set')
local v = vim.version()
local modern = vim.fn.has('nvim-0.11') == 1
log(string.format('nvim %d.%d.%d, %s', v.major, v.minor, v.patch, modern and "vim.lsp.enable('picket')" or "require('picket').setup()"))

local function picket_clients(bufnr)
  local clients = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr }) or vim.lsp.buf_get_clients(bufnr)
  return vim.tbl_filter(function(c)
    return c.name == 'picket'
  end, vim.tbl_values(clients))
end

local ok, err = pcall(function()
  vim.opt.runtimepath:prepend(plugin)
  if modern then
    vim.lsp.config('picket', { cmd = { server, 'lsp' } })
    vim.lsp.enable('picket')
  else
    require('picket').setup({ cmd = { server, 'lsp' } })
  end

  -- YAML that is not Kubernetes: no client.
  vim.cmd('edit ' .. vim.fn.fnameescape(other))
  local other_buf = vim.api.nvim_get_current_buf()
  vim.wait(500, function()
    return false
  end, 50)
  assert(#picket_clients(other_buf) == 0, 'attached to YAML that is not Kubernetes')

  local before = vim.fn.readfile(file)
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  assert(vim.bo[bufnr].filetype == 'yaml', 'filetype ' .. vim.bo[bufnr].filetype)

  -- 1. The diagnostic, from the real server, at the right line.
  assert(vim.wait(20000, function()
    return #vim.diagnostic.get(bufnr) > 0
  end, 50), 'no diagnostics within 20 s')
  local diags = vim.diagnostic.get(bufnr)
  assert(#diags == 1, 'expected one diagnostic, got ' .. vim.inspect(diags))
  local d = diags[1]
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
  log(string.format('diagnostic: line %d col %d [%s] %s', d.lnum + 1, d.col + 1, tostring(code), d.message))
  assert(code == 'missing-image-pull-policy', 'unexpected code ' .. tostring(code))
  local expected_line = vim.fn.search('^      - name: web$', 'n')
  assert(d.lnum + 1 == expected_line, string.format('diagnostic on line %d, expected %d', d.lnum + 1, expected_line))
  assert(#picket_clients(bufnr) == 1, 'the picket client is not attached')

  -- 2. Its quick-fix.
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
  local title = 'Set `imagePullPolicy: IfNotPresent`'
  if vim.fn.has('nvim-0.8') == 1 then
    vim.lsp.buf.code_action({
      apply = true,
      filter = function(a)
        return a.title:find(title, 1, true) == 1
      end,
    })
  else
    local params = vim.lsp.util.make_range_params()
    params.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, d.lnum) }
    local res = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, 10000)
    local id, r = next(res or {})
    assert(r and r.result, 'no code actions: ' .. vim.inspect(res))
    local action
    for _, a in ipairs(r.result) do
      if a.title:find(title, 1, true) == 1 then
        action = a
      end
    end
    assert(action, 'no quick-fix among ' .. vim.inspect(r.result))
    vim.lsp.util.apply_workspace_edit(action.edit, vim.lsp.get_client_by_id(id).offset_encoding)
  end
  assert(vim.wait(10000, function()
    return vim.fn.search('^        imagePullPolicy: IfNotPresent$', 'n') > 0
  end, 50), 'the quick-fix was not applied')
  log('quick-fix applied')

  -- 3. The finding is gone once the server has seen the edit.
  assert(vim.wait(10000, function()
    return #vim.diagnostic.get(bufnr) == 0
  end, 50), 'the diagnostic did not clear: ' .. vim.inspect(vim.diagnostic.get(bufnr)))
  log('diagnostics cleared')

  -- 4. Written to disk: the file as it was, plus the one line the fix adds to the container.
  vim.cmd('silent write')
  local after = vim.fn.readfile(file)
  assert(#after == #before + 1, string.format('%d lines before, %d after', #before, #after))
  local added
  for i = 1, #after do
    if after[i] ~= before[i] then
      added = i
      break
    end
  end
  assert(after[added] == '        imagePullPolicy: IfNotPresent', 'added: ' .. tostring(after[added]))
  table.remove(after, added)
  assert(vim.deep_equal(after, before), 'the fix changed more than one line')
  log('file written with the fix at line ' .. added)

  -- 5. `:checkhealth picket` finds the server and the attached client.
  vim.cmd('checkhealth picket')
  local report = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  assert(report:find('server: picket %d+%.%d+%.%d+'), 'checkhealth: ' .. report)
  assert(report:find('client %d+ attached'), 'checkhealth: ' .. report)
  log('checkhealth reports the server and the client')
end)
finish(ok, err)
