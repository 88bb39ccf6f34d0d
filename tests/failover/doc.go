// Package failover runs several gatehouse processes against a Redis Cluster (three
// masters, one replica each) or a Redis Sentinel topology (a master, a replica, three
// Sentinels) and MariaDB, kills a Redis master under a mixed load, restarts a gatehouse
// process, and checks that no revoked credential is ever accepted afterwards: Redis
// replicates asynchronously, so a write its master acknowledged can vanish with it, and a
// revocation that vanished would bring a credential back to life.
//
// The tests, in package failover_test, are long and start many processes, so they run only
// when GATEHOUSE_FAILOVER is set: "short" (CI: the package within four minutes on two
// cores) or "long" (longer phases of load). With GATEHOUSE_FAILOVER_REPORT=<file> they also
// write the measured table there as Markdown.
package failover
