package ginhttp

import "strings"

// BrowserName names the browser and system of a User-Agent for the sessions lists (the
// account page, gatehouse sessions list), so people can tell their devices apart; both show
// the whole header beside it. Order matters: Edge and Opera also say Chrome, and Chrome also
// says Safari.
func BrowserName(ua string) string {
	browser := firstMatch(ua, "Other browser", [][2]string{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"HeadlessChrome/", "Headless Chrome"},
		{"Chromium/", "Chromium"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"}, {"curl/", "curl"},
	})
	system := firstMatch(ua, "", [][2]string{
		{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"CrOS", "ChromeOS"},
		{"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"Linux", "Linux"},
	})
	if system == "" {
		return browser
	}
	return browser + " on " + system
}

func firstMatch(s, otherwise string, table [][2]string) string {
	for _, row := range table {
		if strings.Contains(s, row[0]) {
			return row[1]
		}
	}
	return otherwise
}
