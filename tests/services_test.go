package tests

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/db"
	"github.com/luaserve/luaserve/store"
)

// The fault tests restart their backends, so they run servers of their
// own rather than the ones .ci/services.sh shares between packages.

// need fails the test when LUASERVE_REQUIRE_<name> is set, else skips it.
func need(t *testing.T, name, why string) {
	t.Helper()
	if os.Getenv("LUASERVE_REQUIRE_"+name) != "" {
		t.Fatalf("LUASERVE_REQUIRE_%s is set but %s", name, why)
	}
	t.Skip(why)
}

// ownPostgres is a PostgreSQL server of the test's own, in a scratch data
// folder, on a free loopback port; restart stops it, waits down, and
// starts it again on the same port with the same data. Under root the
// server runs as the unprivileged "postgres" user.
type ownPostgres struct {
	url  string
	ctl  []string // pg_ctl, run as the right user, with -D
	opts string
}

func startOwnPostgres(t *testing.T) *ownPostgres {
	t.Helper()
	bin := pgBin()
	if bin == "" {
		need(t, "POSTGRES", "PostgreSQL's server programs are not installed")
	}
	base, err := os.MkdirTemp("", "luaserve-pg-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(base, 0o755)
	data := filepath.Join(base, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	var as []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			need(t, "POSTGRES", "running as root and there is no postgres user to run the server as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		os.Chown(data, uid, gid)
		as = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(args ...string) error {
		all := append(append([]string{}, as...), args...)
		out, err := exec.Command(all[0], all[1:]...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v: %v\n%s", args, err, out)
		}
		return nil
	}
	if err := run(filepath.Join(bin, "initdb"), "-D", data, "-U", "luaserve", "--auth=trust", "--no-sync", "-E", "UTF8"); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	p := &ownPostgres{
		url:  fmt.Sprintf("postgres://luaserve@127.0.0.1:%d/postgres?sslmode=disable", port),
		ctl:  append(append([]string{}, as...), filepath.Join(bin, "pg_ctl"), "-D", data, "-w", "-l", filepath.Join(data, "log")),
		opts: fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", port, data),
	}
	t.Cleanup(func() {
		p.pgctl("stop", "-m", "immediate")
		os.RemoveAll(base)
	})
	if err := p.pgctl("start", "-o", p.opts); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *ownPostgres) pgctl(args ...string) error {
	all := append(append([]string{}, p.ctl...), args...)
	out, err := exec.Command(all[0], all[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %v: %v\n%s", args, err, out)
	}
	return nil
}

// pgBin is the folder of PostgreSQL's server programs, or "".
func pgBin() string {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p)
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Strings(dirs)
	if len(dirs) == 0 {
		return ""
	}
	return dirs[len(dirs)-1]
}

// ownDurableRedis is a Redis server of the test's own that keeps every
// acknowledged write across a restart (append-only file, fsync always).
type ownDurableRedis struct {
	url  string
	args []string
	cmd  *exec.Cmd
}

func startOwnRedis(t *testing.T) *ownDurableRedis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		need(t, "REDIS", "redis-server is not on PATH")
	}
	port := freePort(t)
	r := &ownDurableRedis{
		url: fmt.Sprintf("redis://127.0.0.1:%d/0", port),
		args: []string{bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
			"--appendonly", "yes", "--appendfsync", "always", "--dir", t.TempDir()},
	}
	t.Cleanup(r.stop)
	if err := r.start(); err != nil {
		t.Fatal(err)
	}
	return r
}

// start starts the server and waits (up to 5s) until it answers.
func (r *ownDurableRedis) start() error {
	r.cmd = exec.Command(r.args[0], r.args[1:]...)
	if err := r.cmd.Start(); err != nil {
		return err
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, err := store.OpenRedis(context.Background(), r.url, 1)
		if err == nil {
			s.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server did not answer: %v", err)
		}
		time.Sleep(20 * time.Millisecond) // polling, with the deadline above
	}
}

// stop shuts the server down as an operator would (SIGTERM: it finishes
// writing its file) and waits for it.
func (r *ownDurableRedis) stop() {
	if r.cmd != nil {
		r.cmd.Process.Signal(os.Interrupt)
		r.cmd.Wait()
		r.cmd = nil
	}
}

// pgSchema makes a schema of the test's own in the database at url and
// returns url with it as the search path.
func pgSchema(t *testing.T, url string) string {
	t.Helper()
	d, err := db.OpenPostgres(context.Background(), url, db.PostgresOptions{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	name := fmt.Sprintf("t_%d", time.Now().UnixNano())
	if _, err := d.Exec(context.Background(), "CREATE SCHEMA "+name, db.Args{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if d, err := db.OpenPostgres(context.Background(), url, db.PostgresOptions{MaxConns: 1}); err == nil {
			d.Exec(context.Background(), "DROP SCHEMA "+name+" CASCADE", db.Args{})
			d.Close()
		}
	})
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + name
}
