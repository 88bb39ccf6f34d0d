// Package api is the black-box HTTP suite of Gatehouse's whole contract; its tests live in
// package api_test. It builds the real binary once, runs it as a child process per
// configuration, and talks to it over TCP as any client would. The whole suite runs once per
// store profile.
package api
