// Package proxy runs Gatehouse behind a real reverse proxy, as forward authentication for an
// app that knows nothing of it. Its tests, in package proxy_test, start nginx (configured by
// testdata/nginx.conf.tmpl, the README's auth_request snippet) in front of a small app that
// echoes the user headers it receives, and check what the app sees for each kind of
// credential, with and without CSRF protection, and after logout. Without nginx the tests
// skip, or fail when GATEHOUSE_REQUIRE_SERVICES=1.
package proxy
