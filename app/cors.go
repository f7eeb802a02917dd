package app

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Which browser origins may use the API (docs/operations.md#cors): the origins of
// RECORDROOM_CORS_ORIGINS, and in development mode any page on this machine.

// parseOrigins reads RECORDROOM_CORS_ORIGINS: origins separated by commas or spaces, each exactly
// scheme://host[:port] as browsers send it, or "*" for any origin.
func parseOrigins(v string) ([]string, error) {
	var origins []string
	for _, o := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		if o != "*" {
			if _, ok := parseOrigin(o); !ok {
				return nil, fmt.Errorf("%q is not an origin: want scheme://host[:port] with nothing after it, or *", o)
			}
			o = strings.ToLower(o)
		}
		origins = append(origins, o)
	}
	return origins, nil
}

// parseOrigin accepts an http(s) origin as a browser's Origin header writes it, and nothing else.
func parseOrigin(origin string) (*url.URL, bool) {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Opaque != "" ||
		u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || origin != u.Scheme+"://"+u.Host {
		return nil, false
	}
	return u, true
}

// localOrigin is development mode's rule: a page served from this machine, http or https, on any
// port (a dev server on :5173, a widget host on :3000), and nothing else.
func localOrigin(origin string) bool {
	u, ok := parseOrigin(origin)
	if !ok {
		return false
	}
	switch u.Hostname() {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}

// originRule is the CORS rule of a configuration: nil (no CORS headers at all) when no origin is
// configured and development mode is off.
func originRule(origins []string, dev bool) func(origin string) bool {
	if len(origins) == 0 && !dev {
		return nil
	}
	anyOrigin := slices.Contains(origins, "*")
	return func(origin string) bool {
		return anyOrigin || slices.Contains(origins, strings.ToLower(origin)) || dev && localOrigin(origin)
	}
}

// socketOriginRule decides which Origin may open a WebSocket: with origins configured, the CORS
// rule (a request without Origin, from a program rather than a page, is always let through by
// the API); without, any origin, since a socket is only as strong as the token it carries.
func socketOriginRule(origins []string, dev bool) func(origin string) bool {
	if len(origins) == 0 {
		return nil
	}
	return originRule(origins, dev)
}
