package passhash_test

import (
	"errors"
	"testing"

	"github.com/gatehouse/gatehouse/adapters/passhash"
)

func TestDefaultParamsMeetFloor(t *testing.T) {
	want := passhash.Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	if got := passhash.DefaultParams(); got != want {
		t.Fatalf("DefaultParams() = %+v, want %+v", got, want)
	}
	if err := passhash.DefaultParams().CheckFloor(); err != nil {
		t.Fatalf("DefaultParams().CheckFloor() = %v", err)
	}
}

func TestCheckFloor(t *testing.T) {
	withCost := func(m, tm uint32) passhash.Params {
		p := passhash.DefaultParams()
		p.Memory, p.Time = m, tm
		return p
	}
	withLens := func(salt, key uint32) passhash.Params {
		p := passhash.DefaultParams()
		p.SaltLen, p.KeyLen = salt, key
		return p
	}
	tests := []struct {
		name string
		p    passhash.Params
		ok   bool
	}{
		{"defaults", passhash.DefaultParams(), true},
		{"m=19456 t=1", withCost(19456, 1), false},
		{"m=47104 t=1", withCost(47104, 1), true},
		{"m=12288 t=3", withCost(12288, 3), true},
		{"m=9216 t=4", withCost(9216, 4), true},
		{"m=7168 t=5", withCost(7168, 5), true},
		{"m=7168 t=4", withCost(7168, 4), false},
		{"m=12288 t=2", withCost(12288, 2), false},
		{"m=1024 t=10", withCost(1024, 10), false},
		{"m=1 GiB t=1", withCost(1<<20, 1), true},
		{"more threads", passhash.Params{Memory: 19456, Time: 2, Threads: 4, SaltLen: 16, KeyLen: 32}, true},
		{"salt 15 bytes", withLens(15, 32), false},
		{"key 15 bytes", withLens(16, 15), false},
		{"salt and key 16 bytes", withLens(16, 16), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.CheckFloor()
			if tt.ok && err != nil {
				t.Fatalf("CheckFloor() = %v, want nil", err)
			}
			if !tt.ok && !errors.Is(err, passhash.ErrBelowFloor) {
				t.Fatalf("CheckFloor() = %v, want ErrBelowFloor", err)
			}
		})
	}
}

func TestNewRejectsUnrunnableParams(t *testing.T) {
	tests := []struct {
		name string
		p    passhash.Params
	}{
		{"zero threads", passhash.Params{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32}},
		{"zero time", passhash.Params{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32}},
		{"memory below 8 per thread", passhash.Params{Memory: 31, Time: 1, Threads: 4, SaltLen: 16, KeyLen: 32}},
		{"key under 4 bytes", passhash.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 3}},
		{"salt under 8 bytes", passhash.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 7, KeyLen: 32}},
		{"memory over 4 GiB", passhash.Params{Memory: 4<<20 + 1, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}},
		{"time over 64", passhash.Params{Memory: 64, Time: 65, Threads: 1, SaltLen: 16, KeyLen: 32}},
		{"key over 1 KiB", passhash.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 1025}},
		{"zero value", passhash.Params{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := passhash.New(tt.p); !errors.Is(err, passhash.ErrInvalidParams) {
				t.Fatalf("New(%+v) error = %v, want ErrInvalidParams", tt.p, err)
			}
		})
	}
}

func TestNewAcceptsParamsBelowFloor(t *testing.T) {
	for _, p := range []passhash.Params{
		tiny,
		{Memory: 8, Time: 1, Threads: 1, SaltLen: 8, KeyLen: 4},
		passhash.DefaultParams(),
	} {
		if _, err := passhash.New(p); err != nil {
			t.Errorf("New(%+v) = %v, want nil", p, err)
		}
	}
}
