package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// MariaDB is a MariaDB server a test started for itself, on a free loopback
// port with its own data directory, so that the test can stop and restart
// it (an outage) without touching the shared server.
type MariaDB struct {
	// URL names the database "langran" on the server, for store.Open.
	URL     string
	t       testing.TB
	dir     string
	port    int
	cmd     *exec.Cmd
	stopped chan struct{}
}

// StartMariaDB initialises a data directory and starts mariadbd on it. It
// skips t when the MariaDB server binaries are not installed, except under
// CI=true, where it fails. The server is stopped when t ends.
func StartMariaDB(t testing.TB) *MariaDB {
	t.Helper()
	for _, bin := range []string{"mariadb-install-db", "mariadbd"} {
		if _, err := lookPath(bin); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed; CI needs the MariaDB server", bin)
			}
			t.Skipf("needs the MariaDB server binaries (%s): apt-get install mariadb-server", bin)
		}
	}
	dir := t.TempDir()
	install, _ := lookPath("mariadb-install-db")
	out, err := exec.Command(install, "--no-defaults", "--datadir="+filepath.Join(dir, "data"),
		"--auth-root-authentication-method=normal", "--skip-test-db", "--user=root").CombinedOutput()
	if err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &MariaDB{t: t, dir: dir, port: l.Addr().(*net.TCPAddr).Port}
	l.Close()
	m.Start()
	t.Cleanup(m.Stop)
	db, err := sql.Open("mysql", fmt.Sprintf("root@tcp(127.0.0.1:%d)/mysql", m.port))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE langran CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("create database: %v", err)
	}
	m.URL = fmt.Sprintf("mysql://root@127.0.0.1:%d/langran", m.port)
	return m
}

// Start starts the server (again) and waits until it answers.
func (m *MariaDB) Start() {
	m.t.Helper()
	bin, _ := lookPath("mariadbd")
	m.cmd = exec.Command(bin, "--no-defaults", "--datadir="+filepath.Join(m.dir, "data"),
		fmt.Sprintf("--port=%d", m.port), "--bind-address=127.0.0.1", "--socket="+filepath.Join(m.dir, "sock"),
		"--pid-file="+filepath.Join(m.dir, "pid"), "--user=root", "--innodb-buffer-pool-size=16M",
		"--skip-log-bin", "--log-error="+filepath.Join(m.dir, "error.log"))
	if err := m.cmd.Start(); err != nil {
		m.t.Fatalf("start mariadbd: %v", err)
	}
	m.stopped = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		_ = cmd.Wait()
		close(done)
	}(m.cmd, m.stopped)
	db, err := sql.Open("mysql", fmt.Sprintf("root@tcp(127.0.0.1:%d)/mysql", m.port))
	if err != nil {
		m.t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := db.PingContext(ctx)
		cancel()
		if err == nil {
			return
		}
		select {
		case <-m.stopped:
			log, _ := os.ReadFile(filepath.Join(m.dir, "error.log"))
			m.t.Fatalf("mariadbd exited while starting:\n%s", log)
		default:
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("mariadbd did not answer within 30s: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop shuts the server down (SIGTERM, as an operator or an orchestrator
// would) and waits for it to exit; a server that lingers is killed.
func (m *MariaDB) Stop() {
	if m.cmd == nil || m.cmd.Process == nil {
		return
	}
	select {
	case <-m.stopped:
		return
	default:
	}
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-m.stopped:
	case <-time.After(30 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.stopped
	}
}

// lookPath finds a binary in PATH or in the sbin directories, where Debian
// installs mariadbd.
func lookPath(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/sbin"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}
