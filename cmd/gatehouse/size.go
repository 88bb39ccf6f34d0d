package main

import (
	"errors"
	"strconv"
	"strings"
)

// sizeUnits are the units a memory size takes, in KiB, largest first. Binary units only, as
// argon2 and GATEHOUSE_ARGON2_MEMORY count: "MB" would leave open whether 10^6 or 2^20 bytes
// is meant.
var sizeUnits = []struct {
	suffix string
	kib    int64
}{{"GiB", 1 << 20}, {"MiB", 1 << 10}, {"KiB", 1}}

// maxSize bounds a memory size: 1 TiB, far beyond any machine this runs on, and far from
// overflowing int64 KiB.
const maxSize = 1 << 30 // KiB

// parseSize parses a memory size such as 256MiB or 1GiB into KiB. The unit is required: a
// bare number would read as KiB next to GATEHOUSE_ARGON2_MEMORY and as MiB to most people.
func parseSize(s string) (int64, error) {
	v := strings.TrimSpace(s)
	for _, u := range sizeUnits {
		if digits, ok := strings.CutSuffix(v, u.suffix); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(digits), 10, 64)
			if err == nil && n > 0 && n <= maxSize/u.kib {
				return n * u.kib, nil
			}
			break
		}
	}
	return 0, errors.New("want a positive whole size with its unit, such as 256MiB or 1GiB (units: KiB, MiB, GiB)")
}

// formatSize writes a size in KiB in the largest unit that holds it whole.
func formatSize(kib int64) string {
	for _, u := range sizeUnits {
		if kib%u.kib == 0 {
			return strconv.FormatInt(kib/u.kib, 10) + u.suffix
		}
	}
	return strconv.FormatInt(kib, 10) + "KiB"
}
