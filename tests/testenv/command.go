package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Command returns the path of the program name, looked up in PATH and then in /usr/sbin
// (where Debian puts daemons such as nginx, outside an unprivileged user's PATH). When it is
// not installed, Command skips t, or fails it when GATEHOUSE_REQUIRE_SERVICES=1.
func Command(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if p, err2 := exec.LookPath(filepath.Join("/usr/sbin", name)); err2 == nil {
			return p
		}
		if os.Getenv("GATEHOUSE_REQUIRE_SERVICES") == "1" {
			t.Fatalf("%s: required (GATEHOUSE_REQUIRE_SERVICES=1) but not installed: %v", name, err)
		}
		t.Skipf("skipping: %s is not installed (apt-get install %s, or see .ci/run): %v", name, name, err)
	}
	return path
}
