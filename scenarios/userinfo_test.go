package scenarios

import "testing"

func TestRedactURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080/"},
		{"http://user@127.0.0.1/", "http://user@127.0.0.1/"},
		{"http://user:pw@127.0.0.1:8080/a?b=c", "http://user:***@127.0.0.1:8080/a?b=c"},
		{"https://u%40x:p%3A%40w@host/", "https://u%40x:***@host/"},
		{"http://u:p@w@host/x@y", "http://u:***@host/x@y"}, // the last @ of the authority ends the user information
		{"http://u:pw@127.0.0.1:99999/", "http://u:***@127.0.0.1:99999/"},
		{"http://u:pw@%zz/", "http://u:***@%zz/"}, // does not parse: redacted all the same
		{"http://host/path?next=http://u:pw@x/", "http://host/path?next=http://u:pw@x/"},
		{"no scheme u:pw@host", "no scheme u:pw@host"},
	} {
		if got := RedactURL(tc.in); got != tc.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
