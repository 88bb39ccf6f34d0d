// Package proxy runs Gatehouse behind a real reverse proxy. Its tests, in package proxy_test,
// start nginx with docs/nginx/gatehouse.conf, the production example (Gatehouse's API, pages
// and static files, and an app under /app/ that a browser without a session is sent to log
// in for), and with testdata/nginx.conf.tmpl, a minimal auth_request setup, in front of a
// small app that echoes the user headers it receives. They check what the app sees for each
// kind of credential, with and without CSRF protection, and after logout. Without nginx the
// tests skip, or fail when GATEHOUSE_REQUIRE_SERVICES=1.
package proxy
