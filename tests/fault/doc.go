// Package fault proves that Gatehouse fails closed when a store goes away. Proxy is a TCP
// proxy on loopback that a test puts between the real gatehouse binary and MariaDB or Redis,
// then cuts (Refuse: connections reset; Blackhole: connections accepted and never answered)
// and restores mid-load. The tests, in package fault_test, check that every request that
// needs the cut store gets 503 with Retry-After within the store's deadline, that requests
// needing only other stores still succeed, that /readyz turns 503, and that restoring the
// proxy brings back every user, session and token without a restart.
package fault
