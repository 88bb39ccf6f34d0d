package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// The load generator runs on the same cores as the servers, so throughput says as much about
// its appetite as about the server's. The CPU time a server process spends over a measured
// window, divided by the requests it answered in it, does not: it is the headline figure.

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on every Linux ABI Go runs
// on (the kernel's own HZ may differ, but /proc reports in USER_HZ).
const clockTicks = 100

// cpuTime returns the user plus system CPU time the process pid has used so far, all its
// threads together (fields 14 and 15 of /proc/PID/stat).
func cpuTime(pid int) (time.Duration, error) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	return parseStat(raw)
}

// parseStat reads utime and stime from the text of /proc/PID/stat. The command name, field 2,
// is in parentheses and may hold spaces and parentheses itself, so fields are counted from
// the last ')'.
func parseStat(raw []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc stat %q: no command name", raw)
	}
	f := bytes.Fields(raw[i+1:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc stat %q: too few fields", raw)
	}
	var ticks int64
	for _, s := range f[11:13] { // fields 14 and 15
		n, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc stat: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// measured adds to every sample of l the CPU time p spent while it ran. Without /proc (not
// Linux) the samples carry none, and the CPU columns read 0.
func measured(p *proc, l load) load {
	return func(d time.Duration) sample {
		before, err := cpuTime(p.cmd.Process.Pid)
		s := l(d)
		after, err2 := cpuTime(p.cmd.Process.Pid)
		if err == nil && err2 == nil {
			s.cpu += after - before
		}
		return s
	}
}
