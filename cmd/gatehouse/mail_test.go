package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mailEnv(smtp string) map[string]string {
	return map[string]string{
		"GATEHOUSE_SMTP_URL":   smtp,
		"GATEHOUSE_MAIL_FROM":  "Gatehouse <no-reply@gatehouse.example>",
		"GATEHOUSE_PUBLIC_URL": "http://127.0.0.1:8080",
	}
}

func TestMailConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "verify-email.txt"), []byte(`{{define "subject"}}x{{end}}no link`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change map[string]string
		bad    string // the variable the error names; "" for a valid configuration
	}{
		{"off by default", map[string]string{"GATEHOUSE_SMTP_URL": "", "GATEHOUSE_MAIL_FROM": "", "GATEHOUSE_PUBLIC_URL": ""}, ""},
		{"loopback catcher", nil, ""},
		{"STARTTLS relay", map[string]string{"GATEHOUSE_SMTP_URL": "smtp://u:hunter2@mail.example.com:587", "GATEHOUSE_PUBLIC_URL": "https://auth.example.com"}, ""},
		{"TLS relay", map[string]string{"GATEHOUSE_SMTP_URL": "smtps://u:hunter2@mail.example.com", "GATEHOUSE_PUBLIC_URL": "https://auth.example.com/"}, ""},
		{"other scheme", map[string]string{"GATEHOUSE_SMTP_URL": "http://u:hunter2@mail.example.com"}, "GATEHOUSE_SMTP_URL"},
		{"no host", map[string]string{"GATEHOUSE_SMTP_URL": "smtp://u:hunter2@:587"}, "GATEHOUSE_SMTP_URL"},
		{"no sender", map[string]string{"GATEHOUSE_MAIL_FROM": ""}, "GATEHOUSE_MAIL_FROM"},
		{"bad sender", map[string]string{"GATEHOUSE_MAIL_FROM": "Gatehouse no-reply"}, "GATEHOUSE_MAIL_FROM"},
		{"no public URL", map[string]string{"GATEHOUSE_PUBLIC_URL": ""}, "GATEHOUSE_PUBLIC_URL"},
		{"plain public URL", map[string]string{"GATEHOUSE_PUBLIC_URL": "http://auth.example.com"}, "GATEHOUSE_PUBLIC_URL"},
		{"public URL with a path", map[string]string{"GATEHOUSE_PUBLIC_URL": "https://auth.example.com/app"}, "GATEHOUSE_PUBLIC_URL"},
		{"public URL no URL", map[string]string{"GATEHOUSE_PUBLIC_URL": "auth.example.com"}, "GATEHOUSE_PUBLIC_URL"},
		{"missing templates", map[string]string{"GATEHOUSE_MAIL_TEMPLATES": filepath.Join(dir, "none")}, "GATEHOUSE_MAIL_TEMPLATES"},
		{"broken template", map[string]string{"GATEHOUSE_MAIL_TEMPLATES": dir}, "GATEHOUSE_MAIL_TEMPLATES"},
		{"verified addresses required", map[string]string{"GATEHOUSE_REQUIRE_VERIFIED_EMAIL": "true"}, ""},
		{"verified addresses required without mail", map[string]string{"GATEHOUSE_REQUIRE_VERIFIED_EMAIL": "true",
			"GATEHOUSE_SMTP_URL": "", "GATEHOUSE_MAIL_FROM": "", "GATEHOUSE_PUBLIC_URL": ""}, "GATEHOUSE_REQUIRE_VERIFIED_EMAIL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mailEnv("smtp://127.0.0.1:1025")
			for k, v := range tt.change {
				env[k] = v
			}
			c, err := configFrom(nil, envOf(env))
			if tt.bad == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.Mail.Enabled() != (env["GATEHOUSE_SMTP_URL"] != "") {
					t.Errorf("Mail.Enabled() = %v with GATEHOUSE_SMTP_URL=%q", c.Mail.Enabled(), env["GATEHOUSE_SMTP_URL"])
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.bad) {
				t.Fatalf("err = %v, want an error naming %s", err, tt.bad)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q shows the SMTP password", err)
			}
		})
	}
}

func TestConfigCheckMasksSMTPPassword(t *testing.T) {
	env := mailEnv("smtp://mailer:hunter2@mail.example.com:587")
	env["GATEHOUSE_PUBLIC_URL"] = "https://auth.example.com"
	code, stdout, stderr := runCLI(t, []string{"config", "check"}, env, nil)
	if code != exitOK || strings.Contains(stdout+stderr, "hunter2") || !strings.Contains(stdout, "smtp://mailer:xxxxx@mail.example.com:587") {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant the URL with its password masked", code, stdout, stderr)
	}
}
