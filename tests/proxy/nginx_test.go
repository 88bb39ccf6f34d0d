package proxy_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"
)

// nginxConf holds the fields of testdata/nginx.conf.tmpl.
type nginxConf struct {
	Dir       string // pid, logs and temporary files
	Port      int
	Gatehouse string // host:port
	App       string // host:port
	User      string // set when we are root: nginx would otherwise run its workers as nobody
	Example   string // path of docs/nginx/gatehouse.conf with this test's addresses

	example bool // the template includes the production example
}

// startNginx runs nginx (the program bin) in the foreground on a free loopback port, configured by
// testdata/nginx.conf.tmpl, and returns its base URL. It stops nginx when t ends and shows
// nginx's error log if t failed.
func startNginx(t *testing.T, bin, gatehouse, app string) string {
	t.Helper()
	return startNginxWith(t, bin, "nginx.conf.tmpl", gatehouse, app)
}

// startNginxWith is startNginx with the configuration template testdata/name.
func startNginxWith(t *testing.T, bin, name, gatehouse, app string) string {
	t.Helper()
	tmpl, err := template.ParseFiles(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	conf := nginxConf{Dir: t.TempDir(), Gatehouse: gatehouse, App: app, example: name == exampleTemplate}
	if os.Geteuid() == 0 {
		u, err := user.Current()
		if err != nil {
			t.Fatal(err)
		}
		conf.User = u.Username
	}
	// Another process may take the free port before nginx binds it: try a few.
	for attempt := 1; ; attempt++ {
		conf.Port = freePort(t)
		if base, ok := tryNginx(t, bin, tmpl, conf); ok {
			return base
		}
		if attempt == 3 {
			t.Fatalf("nginx did not start:\n%s", readFile(filepath.Join(conf.Dir, "error.log")))
		}
	}
}

// tryNginx starts nginx with conf and waits until it accepts connections. It reports false
// when nginx exits first because its port was taken.
func tryNginx(t *testing.T, bin string, tmpl *template.Template, conf nginxConf) (string, bool) {
	t.Helper()
	if conf.example {
		conf.Example = writeExample(t, conf)
	}
	path := filepath.Join(conf.Dir, "nginx.conf")
	var b strings.Builder
	if err := tmpl.Execute(&b, conf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	errorLog := filepath.Join(conf.Dir, "error.log")
	// -e: the error log of start-up, before the configuration's error_log applies.
	cmd := exec.Command(bin, "-p", conf.Dir, "-c", path, "-e", errorLog, "-g", "daemon off;")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	// A group of its own, so that a kill reaches the workers too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting nginx: %v", err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	addr := fmt.Sprintf("127.0.0.1:%d", conf.Port)
	for deadline := time.Now().Add(10 * time.Second); ; {
		select {
		case <-done:
			log := readFile(errorLog)
			if strings.Contains(log, "Address already in use") {
				return "", false
			}
			t.Fatalf("nginx exited at start: %s\n%s\n%s", cmd.ProcessState, out.String(), log)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
			t.Fatalf("nginx did not listen on %s within 10s:\n%s", addr, readFile(errorLog))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() {
		// SIGTERM is nginx's fast shutdown: the master stops its workers and exits.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("nginx did not exit within 10s of SIGTERM; killing it")
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("nginx error log:\n%s", readFile(errorLog))
		}
	})
	return "http://" + addr, true
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	return string(b)
}
