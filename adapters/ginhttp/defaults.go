package ginhttp

// DefaultTokenCookieName names the cookie of a browser app's token unless configured.
const DefaultTokenCookieName = "gatehouse_token"

// DefaultConfig is the HTTP configuration unless configured otherwise: Secure cookies under
// their plain names, clients named by X-Forwarded-For (of trusted proxies only; none are
// trusted by default), no other origin trusted, CORS off.
func DefaultConfig() Config {
	return Config{CookieSecure: true, TokenCookieName: DefaultTokenCookieName, ClientIPHeader: HeaderXForwardedFor}
}
