package main

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

// TestSecretKey: gen-key prints keys that GATEHOUSE_SECRET_KEY takes, alone or as a rotation
// list; a bad key stops the process naming the setting but never echoing the value, and
// config check masks it.
func TestSecretKey(t *testing.T) {
	code, k1, stderr := runCLI(t, []string{"config", "gen-key"}, nil, nil)
	_, k2, _ := runCLI(t, []string{"config", "gen-key"}, nil, nil)
	k1, k2 = strings.TrimSpace(k1), strings.TrimSpace(k2)
	if code != exitOK || k1 == k2 {
		t.Fatalf("gen-key: exit %d, keys %q and %q, stderr %q", code, k1, k2, stderr)
	}
	for _, list := range []string{k1, k2 + "," + k1} {
		c, err := configFrom(nil, envOf(map[string]string{"GATEHOUSE_SECRET_KEY": list}))
		if err != nil || c.HTTP.SecretKeys.Empty() {
			t.Errorf("GATEHOUSE_SECRET_KEY=%q: %v", list, err)
		}
	}
	if c, err := configFrom(nil, envOf(nil)); err != nil || !c.HTTP.SecretKeys.Empty() {
		t.Errorf("unset: keys %v, err %v; want none, no error (serve draws one)", c.HTTP.SecretKeys, err)
	}
	for _, bad := range []string{"not-a-key-hunter2", k1 + ",", k1[:20], "aHVudGVyMg=="} {
		_, err := configFrom(nil, envOf(map[string]string{"GATEHOUSE_SECRET_KEY": bad}))
		if err == nil || !strings.Contains(err.Error(), "GATEHOUSE_SECRET_KEY") {
			t.Errorf("GATEHOUSE_SECRET_KEY=%q: err %v, want one naming the setting", bad, err)
		} else if strings.Contains(err.Error(), bad) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the error echoes the key: %v", err)
		}
	}

	code, stdout, stderr := runCLI(t, []string{"config", "check"}, map[string]string{"GATEHOUSE_SECRET_KEY": k1}, nil)
	if code != exitOK || strings.Contains(stdout+stderr, k1) || !strings.Contains(stdout, "GATEHOUSE_SECRET_KEY") {
		t.Errorf("config check: exit %d, printed the key or left it out:\n%s%s", code, stdout, stderr)
	}
	keys, _ := domain.ParseServerKeys(k1)
	if s := keys.String(); strings.Contains(s, k1[:8]) {
		t.Errorf("keys print as %q", s)
	}
}
