;;; redis-halint.el --- redis-halint language server with eglot  -*- lexical-binding: t; -*-

;; Usage:
;;   (add-to-list 'load-path "/path/to/redis-halint/editors/emacs")
;;   (require 'redis-halint)
;;   (setq redis-halint-target-version "redis-7.0")   ; optional
;;   (add-hook 'redis-conf-mode-hook #'eglot-ensure)
;;
;; Needs eglot (built into Emacs 29; a package for older versions).

;;; Code:

(require 'eglot)

(defgroup redis-halint nil
  "Redis / Valkey Sentinel high-availability linter."
  :group 'tools)

(defcustom redis-halint-command '("redis-halint" "server")
  "Command that starts the redis-halint language server."
  :type '(repeat string))

(defcustom redis-halint-target-version nil
  "Redis or Valkey version the deployment runs, e.g. \"redis-7.0\"; nil for the default."
  :type '(choice (const nil) string))

(define-derived-mode redis-conf-mode conf-space-mode "Redis-conf"
  "Major mode for redis.conf, valkey.conf and sentinel.conf files."
  (setq-local comment-start "# "))

(dolist (pattern '("/redis[^/]*\\.conf\\'" "/valkey[^/]*\\.conf\\'"
                   "sentinel[^/]*\\.conf\\'" "/etc/redis/[^/]*\\.conf\\'"))
  (add-to-list 'auto-mode-alist (cons pattern 'redis-conf-mode)))

(defclass redis-halint-server (eglot-lsp-server) ()
  :documentation "The redis-halint language server.")

(cl-defmethod eglot-initialization-options ((_server redis-halint-server))
  (if redis-halint-target-version
      (list :targetVersion redis-halint-target-version)
    nil))

(add-to-list 'eglot-server-programs
             `(redis-conf-mode . (redis-halint-server . ,redis-halint-command)))

(provide 'redis-halint)
;;; redis-halint.el ends here
