-- Neovim 0.11+ configuration of the Picket language server: `vim.lsp.enable('picket')`.
-- Override anything with `vim.lsp.config('picket', { cmd = { '/path/to/picket', 'lsp' } })`.
local picket = require('picket')

return {
  cmd = picket.server_cmd(),
  filetypes = { 'yaml' },
  root_markers = picket.root_markers,
  -- Attach to Kubernetes YAML only: other YAML (CI files, Helm values) is left alone.
  root_dir = function(bufnr, on_dir)
    if picket.is_kubernetes(bufnr) then
      on_dir(picket.root_dir(vim.api.nvim_buf_get_name(bufnr)))
    end
  end,
}
