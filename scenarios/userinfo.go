package scenarios

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
)

// RedactURL returns raw with the password of its user information
// (http://user:pw@host/) replaced by "***", so that a URL can be printed
// or saved; raw is returned as it is when it has no password. It works on
// the text, so a URL that does not parse is redacted too.
func RedactURL(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return raw
	}
	start := i + len("://")
	end := len(raw)
	if k := strings.IndexAny(raw[start:], "/?#"); k >= 0 {
		end = start + k
	}
	authority := raw[start:end]
	at := strings.LastIndexByte(authority, '@')
	if at < 0 {
		return raw
	}
	user, _, hasPassword := strings.Cut(authority[:at], ":")
	if !hasPassword {
		return raw
	}
	return raw[:start] + user + ":***" + authority[at:] + raw[end:]
}

// basicAuth returns the Authorization header value for the user
// information of u ("Basic " and base64 of user:password, both
// percent-decoded, as curl, hey and k6 send them), or "" when u has none.
func basicAuth(u *url.URL) string {
	if u.User == nil {
		return ""
	}
	pw, _ := u.User.Password()
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pw))
}

// hasHeader reports whether hs has a header named name, in any case.
func hasHeader(hs []Header, name string) bool {
	for _, h := range hs {
		if strings.EqualFold(strings.TrimSpace(h.Name), name) {
			return true
		}
	}
	return false
}

// SchemeTypo says what is wrong with a URL whose http or https scheme is
// mistyped so that it has no "://" (http:/host/, http:host/, http//host/),
// with the URL as it was surely meant; "" when raw has no such typo.
func SchemeTypo(raw string) string {
	for _, scheme := range []string{"https", "http"} {
		if len(raw) <= len(scheme) || !strings.EqualFold(raw[:len(scheme)], scheme) {
			continue
		}
		rest := raw[len(scheme):]
		var meant, what string
		switch {
		case strings.HasPrefix(rest, ":/"):
			meant, what = strings.TrimLeft(rest[1:], "/"), "has one slash after "+scheme+":"
		case strings.HasPrefix(rest, ":"):
			meant, what = rest[1:], "has no slashes after "+scheme+":"
		case strings.HasPrefix(rest, "//"):
			meant, what = rest[2:], "has no colon after "+scheme
		default:
			continue
		}
		// Both quoted without the password: RedactURL needs the "://".
		fixed := RedactURL(scheme + "://" + meant)
		shown := raw[:len(raw)-len(meant)] + strings.TrimPrefix(fixed, scheme+"://")
		return fmt.Sprintf("URL %q %s; want two slashes after the colon, as in %s", shown, what, fixed)
	}
	return ""
}
