package ginhttp

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzLocalPath: whatever next a link carries, a login never leaves the site. A path that
// localPath keeps resolves, against our own URL, to our own host, also after the cleaning
// that http.Redirect does and the tab, newline and backslash mangling browsers do.
func FuzzLocalPath(f *testing.F) {
	for _, seed := range []string{"/account", "//evil.example", "/\\evil.example", "/.//evil.example",
		"https://evil.example", "/%2F%2Fevil.example", "/\t/evil.example", "javascript:alert(1)", "/a?b=//c#d"} {
		f.Add(seed)
	}
	base, _ := url.Parse("http://gatehouse.test/login")
	f.Fuzz(func(t *testing.T, next string) {
		kept := localPath(next)
		if kept == "" {
			return
		}
		if kept != next {
			t.Fatalf("localPath(%q) = %q: it must keep or drop, never rewrite", next, kept)
		}
		browserView := strings.NewReplacer("\\", "/", "\t", "", "\n", "", "\r", "").Replace(kept)
		for _, candidate := range []string{kept, browserView} {
			ref, err := url.Parse(candidate)
			if err != nil {
				t.Fatalf("localPath kept %q, which does not parse: %v", next, err)
			}
			if u := base.ResolveReference(ref); u.Host != base.Host || u.Scheme != base.Scheme {
				t.Fatalf("localPath kept %q, which leads to %s", next, u)
			}
		}
	})
}
