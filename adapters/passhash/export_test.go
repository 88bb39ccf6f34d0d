package passhash

// ParsePHC and EncodePHC expose the PHC codec to the black-box tests, so the fuzz target can
// check the parser's bounds without running argon2 on costly but valid strings.
var (
	ParsePHC  = parsePHC
	EncodePHC = encodePHC
)
