package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/examples"
	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/metrics"
	"github.com/luaserve/luaserve/reload"
)

// options are the serve flags.
type options struct {
	addr          string
	workers       int
	timeout       time.Duration
	maxBody       int64
	root          string
	dev           bool
	logFormat     string
	maxConns      int
	maxHeader     int
	headerTimeout time.Duration
	bodyTimeout   time.Duration
	bodyTotal     time.Duration
	minBodyRate   int64
	bodyMemory    int64
	idleTimeout   time.Duration
	writeTimeout  time.Duration
	shutdown      time.Duration
	watch         bool
	debounce      time.Duration
	quiet         bool
	mem           memoryOptions
	http          httpOptions
	store         storeOptions
	realtime      realtimeOptions
	deploy        deployOptions
	sandbox       bool
	luaPath       string
	// app.sessions's keys: the current one, then old ones (rotation).
	sessionSecret, sessionOld string
	db                        string
}

func newFlagSet(o *options, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("luaserve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", ":8080", "listen address (host:port; [::1]:8080 for IPv6)")
	fs.IntVar(&o.workers, "workers", engine.DefaultWorkers(), "Lua states, i.e. requests running Lua at once")
	fs.DurationVar(&o.timeout, "timeout", engine.DefaultTimeout, "time limit for one request's Lua code (504 past it)")
	fs.Int64Var(&o.maxBody, "max-body", httpcore.DefaultMaxBodyBytes, "largest request body in bytes (413 past it)")
	fs.StringVar(&o.root, "root", "", "folder the file helpers serve from (default: the script's folder)")
	fs.BoolVar(&o.dev, "dev", false, "development mode: error pages with the traceback, source lines and the request (secrets masked), and -watch (default off)")
	fs.StringVar(&o.logFormat, "log-format", "text", "log format, for the access log and the error log: text or json; or combined: nginx's combined format for the access log, text for the error log")
	fs.BoolVar(&o.watch, "watch", false, "reload when the script or a module it requires changes (default: on with -dev)")
	fs.DurationVar(&o.debounce, "watch-debounce", reload.DefaultDebounce, "with -watch, the quiet time after a change before reloading")
	fs.BoolVar(&o.quiet, "quiet", false, "no access log (errors still go to stderr) (default off)")
	fs.BoolVar(&o.sandbox, "sandbox", false, "no os.execute or io.popen in scripts, and files only in the script's folder and -root (default off)")
	fs.StringVar(&o.luaPath, "lua-path", "", "where require looks after the script's folder and its lua_modules tree: \";\"-separated templates like /opt/lua/?.lua, \";;\" for the system's folders (default: $LUA_PATH, else the system's folders)")
	fs.IntVar(&o.maxConns, "max-conns", httpcore.DefaultMaxConns, "open connections; past it a new one replaces the one longest waiting for a request, or gets 503 when none waits")
	fs.IntVar(&o.maxHeader, "max-header-bytes", httpcore.DefaultMaxHeaderBytes, "largest request header section (431 past it)")
	fs.DurationVar(&o.headerTimeout, "header-timeout", httpcore.DefaultReadHeaderTimeout, "time to receive a request's header section; a new connection's first, from the accept")
	fs.DurationVar(&o.bodyTimeout, "body-timeout", httpcore.DefaultBodyReadTimeout, "time for each read of a request body (the whole body: -body-total-timeout)")
	fs.DurationVar(&o.bodyTotal, "body-total-timeout", httpcore.DefaultBodyTimeout,
		"time for a whole request body, plus a second per -min-body-rate bytes received, however it trickles (408 past it; negative: no limit)")
	fs.Int64Var(&o.minBodyRate, "min-body-rate", httpcore.DefaultMinBodyRate,
		"slowest request body upload, in bytes per second, that -body-total-timeout allows for (negative: no whole-body limit)")
	fs.Int64Var(&o.bodyMemory, "body-memory", httpcore.DefaultBodyMemory,
		"request body bytes kept in memory; a larger body goes to a temporary file, removed after its request (negative: always memory)")
	fs.DurationVar(&o.idleTimeout, "idle-timeout", httpcore.DefaultIdleTimeout, "keep-alive wait for the next request")
	fs.DurationVar(&o.writeTimeout, "write-timeout", httpcore.DefaultWriteTimeout, "time for each write of a response")
	fs.DurationVar(&o.shutdown, "shutdown-timeout", 10*time.Second, "on SIGINT/SIGTERM, how long requests in flight may finish")
	fs.StringVar(&o.sessionSecret, "session-secret", "", "key of app.sessions's cookies, at least 32 random bytes (openssl rand -hex 32); better given as LUASERVE_SESSION_SECRET")
	fs.StringVar(&o.sessionOld, "session-old-secrets", "", "comma-separated earlier -session-secret values: their cookies still open, new ones use -session-secret")
	fs.StringVar(&o.db, "db", "", "luaserve.db's database: a SQLite file, created on first use; :memory: for a throwaway one; "+
		"or postgres://user:pass@host:port/name, shared by every instance that names it "+
		"(default: beside the script, named after it: routes.db for routes.lua; :memory: for the embedded example)")
	addMemoryFlags(fs, &o.mem)
	addHTTPFlags(fs, &o.http)
	addStoreFlags(fs, &o.store)
	addRealtimeFlags(fs, &o.realtime)
	addDeployFlags(fs, &o.deploy)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: luaserve [flags] [script.lua]\n"+
			"       luaserve check script.lua         load and lint the script; file:line per problem\n"+
			"       luaserve routes script.lua        print the route table\n"+
			"       luaserve test [flags] [paths]     run *_test.lua files (luaserve test -h)\n"+
			"       luaserve init [folder]            write a starter project with editor definitions\n"+
			"       luaserve copy-db FILE.db PGURL    copy a SQLite database into PostgreSQL\n"+
			"       luaserve version                  also -version, --version\n"+
			"       luaserve health [url]             probe a running server (exit 0 if it answers below 500)\n\n"+
			"Serves the routes of script.lua (the embedded examples/routes.lua when none is given).\n"+
			"The access log goes to stdout, errors to stderr.%s\n"+
			"Every flag can also be set with an environment variable: -max-body is LUASERVE_MAX_BODY.\n\nFlags:\n",
			reloadHelp())
		fs.PrintDefaults()
	}
	return fs
}

// applyEnv sets the flags not given on the command line from LUASERVE_*.
func applyEnv(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		env := "LUASERVE_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok && !given[f.Name] && err == nil {
			if e := fs.Set(f.Name, v); e != nil {
				if _, isDuration := f.Value.(flag.Getter).Get().(time.Duration); isDuration {
					e = errors.New(durationHint(v))
				}
				err = usageError{fmt.Sprintf("%s=%q: %v", env, v, e)}
			}
		}
	})
	return err
}

func parseServe(args []string, stderr io.Writer) (*options, string, error) {
	o := &options{}
	fs := newFlagSet(o, stderr)
	if err := parseFlags(fs, args); err != nil {
		return nil, "", err
	}
	if err := applyEnv(fs); err != nil {
		return nil, "", err
	}
	watchGiven := false
	fs.Visit(func(f *flag.Flag) { watchGiven = watchGiven || f.Name == "watch" })
	if !watchGiven {
		o.watch = o.dev
	}
	if fs.NArg() > 1 {
		return nil, "", usageError{"one script at most; flags go before it"}
	}
	if o.logFormat != "text" && o.logFormat != "json" && o.logFormat != "combined" {
		return nil, "", usageError{"-log-format must be text, json or combined"}
	}
	if err := checkAddr(o.addr); err != nil {
		return nil, "", err
	}
	if err := o.deploy.check(); err != nil {
		return nil, "", err
	}
	return o, fs.Arg(0), nil
}

// newLogger writes format lines to w; warnings and errors pass through a
// throttle, so that a failure on every request cannot flood the log.
func newLogger(format string, w io.Writer) *slog.Logger {
	var h slog.Handler = slog.NewTextHandler(w, nil)
	if format == "json" {
		h = slog.NewJSONHandler(w, nil)
	}
	return slog.New(newThrottle(h, logWindow, logBurst))
}

// The error log's throttle: identical warnings and errors pass logBurst
// times per logWindow.
const (
	logWindow = 10 * time.Second
	logBurst  = 5
)

// engineConfig is the engine's part of the options; an empty script means
// the embedded example.
func engineConfig(o *options, script string, log *slog.Logger) engine.Config {
	cfg := engine.Config{Script: script, Workers: o.workers, Timeout: o.timeout, Root: o.root, Dev: o.dev, Log: log,
		Sandbox: o.sandbox, LuaPath: o.luaPath, SessionSecrets: sessionSecrets(o), Counters: &engine.Counters{}}
	o.mem.apply(&cfg)
	if script == "" {
		cfg.Script = "examples/routes.lua"
		cfg.Source = examples.Routes
		if o.root == "" {
			cfg.Files = fs.FS(examples.Files)
		}
	}
	return cfg
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	o, script, err := parseServe(args, stderr)
	if err != nil {
		return err
	}
	log := newLogger(o.logFormat, stderr)
	if o.logFormat == "json" {
		// JSON throughout: a failure to serve is a log line too.
		defer func() { err = logFailure(log, err) }()
	}
	cfg := engineConfig(o, script, log)
	closeShared, err := openShared(ctx, o, script, &cfg)
	if err != nil {
		return err
	}
	defer closeShared()
	rl, err := newReloader(o, script, cfg, log)
	if err != nil {
		return err
	}
	defer rl.Close()

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return listenError(o.addr, err)
	}
	handler, mx, closeLines := newHandler(o, rl, stdout)
	defer closeLines() // after the server has stopped (deferred later, run earlier)
	srv := newServer(o, handler, log)
	srv.RegisterOnShutdown(cfg.Realtime.Shutdown) // WebSockets get 1001, event streams end
	scheme, stopDeploy, err := o.deploy.start(ctx, srv, ln, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopDeploy()
	stopAdmin, err := startAdmin(o, mx, srv, rl, &cfg, log)
	if err != nil {
		return err
	}
	defer stopAdmin()
	con := newConsole(o.logFormat, stdout)
	// The watch is in place before the banner says the server is up, so
	// that an edit made as soon as it is read is seen.
	stopReloads, announce := startReloads(ctx, rl, o.watch, script, con, log)
	defer stopReloads()
	con.started(script, scheme+"://"+displayAddr(ln.Addr()), rl.Routes())
	announce()
	releaseCtx, stopRelease := context.WithCancel(ctx)
	defer stopRelease()
	go releaseMemory(releaseCtx, 5*time.Second)
	defer o.mem.startPacer()()
	return serveUntil(ctx, srv, ln, o.shutdown, con)
}

// newHandler puts the access log and the metrics (with -admin-addr) in
// front of rl; closeLines flushes the access log.
func newHandler(o *options, rl *reload.Reloader, stdout io.Writer) (h httpcore.Handler, mx *metrics.Metrics, closeLines func()) {
	h, closeLines = rl, func() {}
	if o.deploy.admin != "" {
		mx = metrics.New()
	}
	if !o.quiet {
		lines := newLineBuffer(stdout)
		al := newAccessLog(rl, o.logFormat, lines)
		al.metrics = mx // one pair of clock readings for both
		return al, mx, lines.Close
	}
	if mx != nil {
		h = mx.Handler(rl)
	}
	return h, mx, closeLines
}

// newReloader builds the first engine of cfg behind a reloader.
func newReloader(o *options, script string, cfg engine.Config, log *slog.Logger) (*reload.Reloader, error) {
	rcfg := reload.Config{
		Build:    func() (*engine.Engine, error) { return engine.New(cfg) },
		Log:      log,
		Dev:      o.dev,
		Debounce: o.debounce,
	}
	if script != "" {
		rcfg.Extra = []string{script}
	}
	return reload.New(rcfg)
}

// openShared opens what every engine the reloader builds shares, so that
// it survives reloads: the store, the outbound HTTP client, the database
// (opened on first use), the open WebSockets and the pub/sub hub. The function it returns closes them.
func openShared(ctx context.Context, o *options, script string, cfg *engine.Config) (func(), error) {
	shared, closeStore, err := o.store.open(ctx, cfg.Workers)
	if err != nil {
		return nil, err
	}
	cfg.Store = shared
	if cfg.HTTP, err = o.http.client(); err != nil {
		closeStore()
		return nil, usageError{"-http-allow, -http-ca: " + err.Error()}
	}
	if cfg.DB, err = openDB(ctx, dbPath(o.db, script), cfg.Workers); err != nil {
		closeStore()
		return nil, err
	}
	hub, err := o.store.openHub(ctx)
	if err != nil {
		cfg.DB.Close()
		closeStore()
		return nil, err
	}
	cfg.Realtime = engine.NewRealtime(hub, o.realtime.engine())
	return func() {
		hub.Close()
		cfg.DB.Close()
		cfg.HTTP.CloseIdleConnections()
		closeStore()
	}, nil
}

// logFailure logs err, the reason serving stopped, and returns the exit
// status alone, so that nothing is printed again as plain text.
func logFailure(log *slog.Logger, err error) error {
	var ec exitCode
	if err == nil || errors.As(err, &ec) {
		return err
	}
	log.Error("luaserve: cannot serve", "err", err.Error())
	return exitCode(1)
}

// newServer is the HTTP server of the options, in front of handler.
func newServer(o *options, handler httpcore.Handler, log *slog.Logger) *httpcore.Server {
	s := &httpcore.Server{
		Handler:           handler,
		Name:              "luaserve",
		MaxBodyBytes:      o.maxBody,
		MaxConns:          o.maxConns,
		MaxHeaderBytes:    o.maxHeader,
		ReadHeaderTimeout: o.headerTimeout,
		BodyReadTimeout:   o.bodyTimeout,
		BodyTimeout:       o.bodyTotal,
		MinBodyRate:       o.minBodyRate,
		BodyMemory:        o.bodyMemory,
		IdleTimeout:       o.idleTimeout,
		WriteTimeout:      o.writeTimeout,
		ErrorLog:          log,
	}
	o.deploy.apply(s)
	return s
}

// serveUntil serves ln until ctx ends, then shuts down, giving requests in
// flight the grace period before Close cuts them off (their contexts end
// with httpcore.ErrServerClosed).
func serveUntil(ctx context.Context, srv *httpcore.Server, ln net.Listener, grace time.Duration, con *console) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	con.note("luaserve: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: requests still running after %v were cut off", grace)
	}
	if err := <-errc; !errors.Is(err, httpcore.ErrServerClosed) {
		return err
	}
	return nil
}

// reloadHelp is the usage text's sentence on the reload signal, if the
// platform has one.
func reloadHelp() string {
	if _, name := reloadSignal(); name != "" {
		return " " + name + " reloads the script."
	}
	return ""
}

// startReloads reloads rl on the reload signal (SIGHUP; none on Windows)
// and, with watch, when its files change, until ctx ends or the returned
// stop is called; announce prints what is watched (after the banner).
func startReloads(ctx context.Context, rl *reload.Reloader, watch bool, script string, con *console, log *slog.Logger) (stop, announce func()) {
	announce = func() {}
	bg, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	hup := make(chan os.Signal, 1)
	sig, sigName := reloadSignal()
	if sig != nil { // signal.Notify without signals would relay them all
		signal.Notify(hup, sig)
		wg.Go(func() {
			for {
				select {
				case <-bg.Done():
					return
				case <-hup:
					rl.Reload() // logs its outcome
				}
			}
		})
	}
	switch {
	case watch && script == "":
		announce = func() { con.note("-watch: the embedded example is not a file; nothing to watch") }
	case watch:
		watching, err := rl.Watch(bg)
		if err != nil {
			msg := "luaserve: cannot watch for changes"
			if sigName != "" {
				msg += "; " + sigName + " still reloads"
			}
			log.Error(msg, "err", err)
			break
		}
		announce = func() { con.watching(relPaths(rl.Files())) }
		wg.Go(func() { <-watching })
	}
	return func() {
		signal.Stop(hup)
		cancel()
		wg.Wait()
	}, announce
}

// relPaths shortens paths under the working folder, for messages.
func relPaths(paths []string) []string {
	wd, _ := os.Getwd()
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = p
		if r, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(r, "..") {
			out[i] = r
		}
	}
	return out
}

// listenError explains the common ways listening fails (listen_*.go).
func listenError(addr string, err error) error {
	if hint := listenHint(err); hint != "" {
		return fmt.Errorf("cannot listen on %s: %s", addr, hint)
	}
	return fmt.Errorf("cannot listen on %s: %v", addr, err)
}

const addrInUseHint = "the address is already in use (another server? try -addr with another port)"

// displayAddr makes ":8080" readable as a URL host.
func displayAddr(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if ta.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", ta.Port)
	}
	return ta.String()
}

// printRoutes prints one route a line, aligned: method, pattern, where.
func printRoutes(w io.Writer, indent string, routes []engine.RouteInfo) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range routes {
		fmt.Fprintf(tw, "%s%s\t%s\t%s\n", indent, r.Method, r.Pattern, r.Where)
	}
	tw.Flush()
}

// sessionSecrets lists -session-secret, then -session-old-secrets.
func sessionSecrets(o *options) []string {
	if o.sessionSecret == "" {
		return nil
	}
	out := []string{o.sessionSecret}
	for _, s := range strings.Split(o.sessionOld, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
