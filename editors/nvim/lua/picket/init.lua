-- Picket for Neovim: starts `picket lsp` on Kubernetes YAML buffers.
--
-- Neovim 0.11+: `vim.lsp.enable('picket')` uses `lsp/picket.lua` from this plugin; nothing else
-- is needed. Neovim 0.7-0.10: `require('picket').setup()`. With nvim-lspconfig:
-- `require('picket').lspconfig()` registers `picket` with it, then `require('lspconfig').picket.setup{}`.
local M = {}

--- The root markers, most specific first.
M.root_markers = { '.picket.yaml', 'kustomization.yaml', 'kustomization.yml', '.git' }

local defaults = {
  -- The server command; `nil` means: $PICKET_SERVER_PATH, then `picket` on $PATH.
  cmd = nil,
  filetypes = { 'yaml' },
}

--- The command that starts the server: `opts.cmd`, else `$PICKET_SERVER_PATH lsp`, else `picket lsp`.
function M.server_cmd(opts)
  if opts and opts.cmd then
    return opts.cmd
  end
  local env = os.getenv('PICKET_SERVER_PATH')
  if env and env ~= '' then
    return { env, 'lsp' }
  end
  return { 'picket', 'lsp' }
end

local function lines_of(bufnr, max)
  return vim.api.nvim_buf_get_lines(bufnr, 0, max, false)
end

--- Whether a buffer holds Kubernetes YAML: some document has a top-level `apiVersion` and `kind`.
--- Looks at the first 500 lines only; other YAML (CI files, Helm values) is left alone.
function M.is_kubernetes(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local api, kind = false, false
  for _, line in ipairs(lines_of(bufnr, 500)) do
    if line:match('^%-%-%-') then
      if api and kind then
        return true
      end
      api, kind = false, false
    elseif line:match('^apiVersion:') then
      api = true
    elseif line:match('^kind:') then
      kind = true
    end
  end
  return api and kind
end

--- The project root of a file: the nearest directory with a root marker, else the file's own.
function M.root_dir(path)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  while true do
    for _, marker in ipairs(M.root_markers) do
      if vim.loop.fs_stat(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      return vim.fn.fnamemodify(path, ':p:h')
    end
    dir = parent
  end
end

local client_id = {}

--- Starts (or reuses) the server for `bufnr` and attaches it, if the buffer is Kubernetes YAML.
function M.attach(bufnr, opts)
  opts = vim.tbl_extend('keep', opts or {}, defaults)
  if not M.is_kubernetes(bufnr) then
    return nil
  end
  local path = vim.api.nvim_buf_get_name(bufnr)
  local root = M.root_dir(path)
  local config = {
    name = 'picket',
    cmd = M.server_cmd(opts),
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
  }
  if vim.lsp.start then
    -- 0.8+: reuses a running client with the same name and root.
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  -- 0.7: one client per root, attached by hand.
  local id = client_id[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(config)
    client_id[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Neovim 0.7-0.10: attaches Picket to every Kubernetes YAML buffer from now on.
--- Options: `cmd` (the server command), `filetypes` (default `{ 'yaml' }`).
function M.setup(opts)
  opts = vim.tbl_extend('keep', opts or {}, defaults)
  M.options = opts
  local group = vim.api.nvim_create_augroup('picket', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = opts.filetypes,
    callback = function(args)
      M.attach(args.buf, opts)
    end,
  })
  -- Buffers already open when setup runs.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(opts.filetypes, vim.bo[bufnr].filetype) then
      M.attach(bufnr, opts)
    end
  end
end

--- Registers `picket` with nvim-lspconfig (its `configs` table), for `require('lspconfig').picket.setup{}`.
function M.lspconfig(opts)
  opts = vim.tbl_extend('keep', opts or {}, defaults)
  local ok, configs = pcall(require, 'lspconfig.configs')
  if not ok then
    error('picket: nvim-lspconfig is not installed')
  end
  if not configs.picket then
    configs.picket = {
      default_config = {
        cmd = M.server_cmd(opts),
        filetypes = opts.filetypes,
        root_dir = function(path, bufnr)
          if bufnr and not M.is_kubernetes(bufnr) then
            return nil
          end
          return M.root_dir(path)
        end,
        single_file_support = true,
      },
      docs = { description = 'Picket: least-privilege linting for Kubernetes YAML.' },
    }
  end
  return configs.picket
end

return M
