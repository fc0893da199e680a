package redact

import (
	"regexp"
	"strings"
)

// markers are the path segments after which every segment is taken for a credential. They are
// compared in lower case with '-', '_' and '.' removed, so api-key, api_key and apiKey are one
// word. The list follows the URL shapes of the common on-call integrations:
//
//	https://hooks.slack.com/services/T…/B…/<token>                          (services)
//	https://<tenant>.webhook.office.com/webhookb2/<id>@<id>/IncomingWebhook/… (webhookb2)
//	https://hooks.chime.aws/incomingwebhooks/<id>?token=<token>             (incomingwebhooks)
//	https://discord.com/api/webhooks/<id>/<token>                           (webhooks)
//	https://hooks.zapier.com/hooks/catch/<account>/<hook>/                  (hooks, catch)
//	https://api.example.com/v1/token/<token>                                (token, key, secret…)
//
// Taking every later segment, not just the next, errs on the side of hiding: a Slack channel id
// or a Zapier hook id is not random enough for the shape rules below, yet together with the
// rest of the path it is what lets anyone post to the channel.
var markers = map[string]bool{
	"token": true, "tokens": true, "accesstoken": true, "authtoken": true,
	"key": true, "keys": true, "apikey": true, "apikeys": true, "integrationkey": true, "routingkey": true, "servicekey": true,
	"secret": true, "secrets": true, "password": true, "passwd": true, "pass": true, "credentials": true,
	"auth": true, "sig": true, "signature": true,
	"hook": true, "hooks": true, "webhook": true, "webhooks": true, "webhookb2": true,
	"incomingwebhook": true, "incomingwebhooks": true, "services": true, "catch": true,
}

func isMarker(segment string) bool {
	s := strings.ToLower(segment)
	s = strings.NewReplacer("-", "", "_", "", ".", "").Replace(s)
	return markers[s]
}

var (
	// reUUID: PagerDuty, VictorOps/Splunk On-Call and Opsgenie keys, Teams and Chime ids.
	reUUID = regexp.MustCompile(`[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}`)
	// reHexRun: integration keys (32 hex), Datadog API keys, Azure workflow ids, long numeric ids.
	reHexRun = regexp.MustCompile(`[0-9A-Fa-f]{16,}`)
	// reAlnumRun: the runs the base64 and base62 checks below look at.
	reAlnumRun = regexp.MustCompile(`[A-Za-z0-9]{16,}`)
)

// LooksLikeToken reports whether s holds something shaped like a generated credential: a UUID,
// a run of 16 or more hex digits, or a run of letters and digits that is 16 or more long with
// both letters and digits, 20 or more long in mixed case, or 32 or more long in any case
// (base64, base62 and the like; the separators of base64url split such a run into pieces that
// each stay long). Readable words rarely match; when one does (CloudWatchAlarmsProduction), it
// is hidden too, which costs readability and never a secret.
func LooksLikeToken(s string) bool {
	if reUUID.MatchString(s) || reHexRun.MatchString(s) {
		return true
	}
	for _, run := range reAlnumRun.FindAllString(s, -1) {
		var lower, upper, digit bool
		for _, c := range run {
			switch {
			case c >= 'a' && c <= 'z':
				lower = true
			case c >= 'A' && c <= 'Z':
				upper = true
			default:
				digit = true
			}
		}
		switch {
		case len(run) >= 32,
			digit && (lower || upper),
			len(run) >= 20 && lower && upper:
			return true
		}
	}
	return false
}

// reQueryKey is a query key shown as it is: short, a letter first, no token inside.
var reQueryKey = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.\-\[\]]{0,39}$`)

func isPlainQueryKey(k string) bool {
	return reQueryKey.MatchString(k) && !LooksLikeToken(k)
}
