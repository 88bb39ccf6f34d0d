package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/gatehouse"
)

// commandConfig is the configuration of one command: the settings of the groups it uses,
// bound to a gatehouse.Config that starts at the defaults.
type commandConfig struct {
	groups   group
	cfg      gatehouse.Config
	settings []*setting
}

// bindSettings gives fs a flag for every setting of groups.
func bindSettings(fs *pflag.FlagSet, groups group) *commandConfig {
	cc := &commandConfig{groups: groups, cfg: gatehouse.DefaultConfig()}
	for _, s := range settings(&cc.cfg) {
		if s.group&groups == 0 {
			continue
		}
		f := fs.VarPF(s, s.name, "", fmt.Sprintf("%s (env %s)", s.help, s.env()))
		f.NoOptDefVal = s.value.bare
		cc.settings = append(cc.settings, s)
	}
	return cc
}

// load completes the configuration once fs is parsed, and checks it. It is the one place that
// orders the sources of a setting: its flag when given, else its GATEHOUSE_* variable when
// set, else its default.
func (cc *commandConfig) load(fs *pflag.FlagSet, getenv func(string) string) (gatehouse.Config, error) {
	k := newChecker(cc.settings)
	for _, s := range cc.settings {
		if f := fs.Lookup(s.name); f != nil && f.Changed {
			s.source = "flag"
			continue
		}
		v := getenv(s.env())
		if v == "" {
			continue
		}
		s.source = "env"
		if err := s.Set(v); err != nil {
			k.fail(s.name, "%v", err)
		}
	}
	cc.check(k)
	return cc.cfg, k.err
}
