package ginhttp

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
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

// FuzzLoginForm posts the login form with an arbitrary formcsrf cookie, hidden field, Origin,
// Referer and Sec-Fetch-Site: no answer is a 500, and the form logs in only when the field is
// the keys' signature of the cookie's nonce and the origin rule lets the request through.
func FuzzLoginForm(f *testing.F) {
	s := newPageServer(nil)
	f.Fuzz(func(t *testing.T, nonce, token, origin, referer, fetchSite string) {
		form := url.Values{"username": {"alice"}, "password": {"correct horse"}, csrfFormField: {token}}
		rec := post(s, "/login", form, func(r *http.Request) {
			r.Header.Del("Cookie")
			r.Header.Set("Cookie", formCSRFCookie+"="+nonce)
			for name, v := range map[string]string{"Origin": origin, "Referer": referer, "Sec-Fetch-Site": fetchSite} {
				r.Header.Del(name)
				if v != "" {
					r.Header.Set(name, v)
				}
			}
		})
		if rec.Code == http.StatusInternalServerError {
			t.Fatalf("500: %s", rec.Body)
		}
		if rec.Code != http.StatusSeeOther {
			return
		}
		sent := httptest.NewRequest("POST", "/login", nil)
		sent.Header.Set("Cookie", formCSRFCookie+"="+nonce)
		ck, err := sent.Cookie(formCSRFCookie)
		if err != nil || !domain.ValidFormNonce(ck.Value) || token != testKeys.FormToken(ck.Value) {
			t.Fatalf("logged in with cookie %q and field %q, which the keys did not sign", nonce, token)
		}
		if err := (domain.OriginPolicy{}).Check(domain.CrossOriginRequest{Method: "POST", Host: "example.com",
			Origin: origin, Referer: referer, FetchSite: fetchSite}); err != nil {
			t.Fatalf("logged in although the origin rule refuses: %v", err)
		}
	})
}
