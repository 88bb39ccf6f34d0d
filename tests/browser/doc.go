// Package browser tests Gatehouse's browser pages end to end: it builds the real binary, runs
// it on the memory profile over plain HTTP, and drives Debian's Chromium headless through the
// DevTools protocol (chromedp). Its tests live in package browser_test.
//
// Chromium is looked up as GATEHOUSE_TEST_CHROMIUM, else "chromium" on PATH. Without it the
// tests skip, or fail when GATEHOUSE_REQUIRE_SERVICES=1 (as in CI). The password reset walks
// send mail through the test Mailpit (testenv.MailpitServer), and skip or fail alike
// without it. The passkey walk uses Chromium's virtual authenticator (the DevTools WebAuthn
// domain) and serves on http://localhost:PORT, an origin WebAuthn accepts. Each test saves a screenshot of the account page in its temporary directory,
// and also in GATEHOUSE_TEST_SCREENSHOTS when that names a directory.
package browser
