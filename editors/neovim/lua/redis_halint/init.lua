-- redis-halint language server client for Neovim.
--
-- Works on Neovim 0.7 (Debian 12), where vim.lsp.start does not exist yet, through
-- vim.lsp.start_client + vim.lsp.buf_attach_client (one client per root directory),
-- and on newer versions through vim.lsp.start, which reuses clients by itself.

local M = {}

local defaults = {
  -- The command that runs the server.
  cmd = { "redis-halint", "server" },
  -- Filetypes to attach to. redis.conf / sentinel.conf buffers get the "redis" filetype.
  filetypes = { "redis", "yaml", "systemd" },
  -- e.g. "redis-7.0" or "valkey-8.0"; nil = the server's default (newest Redis).
  target_version = nil,
  -- The nearest ancestor holding one of these is the workspace folder the server reads.
  root_markers = { "redis-halint.toml", ".git" },
  -- Or a function(path) returning the root directory.
  root_dir = nil,
  on_attach = nil,
  capabilities = nil,
}

M.config = vim.deepcopy(defaults)

local clients = {} -- root directory -> client id (Neovim 0.7 path)

--- Whether a file name looks like a redis.conf / sentinel.conf / valkey.conf.
function M.is_redis_conf(path)
  local base = vim.fn.fnamemodify(path, ":t"):lower()
  local conf = base:match("%.conf$") or base:match("%.conf%.tpl$") or base:match("%.conf%.template$")
  if not conf then
    return false
  end
  return base:find("sentinel", 1, true) ~= nil
    or base:match("^redis") ~= nil
    or base:match("^valkey") ~= nil
    or path:find("/etc/redis/", 1, true) ~= nil
end

local function find_root(path)
  if M.config.root_dir then
    return M.config.root_dir(path)
  end
  local dir = vim.fn.fnamemodify(path, ":p:h")
  local current = dir
  while current and current ~= "" do
    for _, marker in ipairs(M.config.root_markers) do
      if vim.loop.fs_stat(current .. "/" .. marker) then
        return current
      end
    end
    local parent = vim.fn.fnamemodify(current, ":h")
    if parent == current then
      break
    end
    current = parent
  end
  return dir
end

local function client_config(root)
  local init_options = vim.empty_dict()
  if M.config.target_version then
    init_options = { targetVersion = M.config.target_version }
  end
  return {
    name = "redis-halint",
    cmd = M.config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = init_options,
    on_attach = M.config.on_attach,
    capabilities = M.config.capabilities,
  }
end

--- Attach the buffer to the redis-halint server of its root directory (started if needed).
function M.attach(bufnr)
  if bufnr == nil or bufnr == 0 then
    bufnr = vim.api.nvim_get_current_buf()
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" or vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  local root = find_root(name)
  if vim.lsp.start then
    return vim.lsp.start(client_config(root), { bufnr = bufnr })
  end
  local id = clients[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client(client_config(root))
    clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  local group = vim.api.nvim_create_augroup("redis_halint", { clear = true })
  vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
    group = group,
    pattern = { "*.conf", "*.conf.tpl", "*.conf.template" },
    callback = function(args)
      if M.is_redis_conf(vim.api.nvim_buf_get_name(args.buf)) then
        vim.bo[args.buf].filetype = "redis"
      end
    end,
  })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  vim.api.nvim_create_user_command("RedisHalintAttach", function()
    M.attach(0)
  end, { desc = "Attach the current buffer to the redis-halint language server" })
end

return M
