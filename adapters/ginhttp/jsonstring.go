package ginhttp

import "unicode/utf8"

// appendEscaped appends s escaped for the inside of a JSON string, without the quotes, as
// encoding/json escapes it (asEncodingJSON: <, > and & as \u003c..., \b and \f short) or as
// log/slog's JSON handler does (those left alone, \u0008 and \u000c). Both: quote and
// backslash escaped, \n \r \t short, other control characters as \u00XX, invalid UTF-8 as
// \ufffd, U+2028 and U+2029 escaped. The hand-written /me body and access line rely on
// being byte for byte what those encoders write.
func appendEscaped(b []byte, s string, asEncodingJSON bool) []byte {
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!asEncodingJSON || c != '<' && c != '>' && c != '&') {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch {
			case c == '\\' || c == '"':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\b' && asEncodingJSON:
				b = append(b, '\\', 'b')
			case c == '\f' && asEncodingJSON:
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			if r == utf8.RuneError {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			}
			start = i + size
		}
		i += size
	}
	return append(b, s[start:]...)
}
