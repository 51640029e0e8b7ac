-- `:checkhealth picket`: the server binary, its version, and the clients attached.
local M = {}

local health = vim.health or require('health')
local start = health.start or health.report_start
local ok = health.ok or health.report_ok
local warn = health.warn or health.report_warn
local error = health.error or health.report_error
local info = health.info or health.report_info

function M.check()
  start('picket')
  local v = vim.version()
  info(string.format('Neovim %d.%d.%d', v.major, v.minor, v.patch))
  if vim.fn.has('nvim-0.11') == 1 then
    ok("`vim.lsp.enable('picket')` is available (lsp/picket.lua)")
  else
    info("Neovim before 0.11: use `require('picket').setup()`")
  end
  -- The command in use: a running client's, else the 0.11 config's, else setup()'s.
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local clients = vim.tbl_filter(function(c)
    return c.name == 'picket'
  end, get())
  local cmd = clients[1] and clients[1].config.cmd
  if not cmd and vim.fn.has('nvim-0.11') == 1 then
    local config = vim.lsp.config.picket
    cmd = config and config.cmd
  end
  cmd = type(cmd) == 'table' and cmd or require('picket').server_cmd(require('picket').options)
  local exe = cmd[1]
  if vim.fn.executable(exe) ~= 1 then
    error(
      string.format('server `%s` not found', exe),
      { 'install picket (cargo install --path server/crates/picket) or set $PICKET_SERVER_PATH' }
    )
    return
  end
  local out = vim.fn.system({ exe, '--version' })
  if vim.v.shell_error ~= 0 then
    error(string.format('`%s --version` failed: %s', exe, out))
    return
  end
  ok(string.format('server: %s (%s)', vim.trim(out), vim.fn.exepath(exe)))
  if #clients == 0 then
    warn('no Picket client is running (open a Kubernetes YAML file)')
  end
  for _, c in ipairs(clients) do
    ok(string.format('client %d attached, root %s', c.id, tostring(c.config.root_dir)))
  end
end

return M
