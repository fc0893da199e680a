package spec

import (
	"fmt"
	"os"
	"regexp"

	"github.com/kmswatch/kmswatch/spec/redact"
)

// Secret is a value that must not be printed, such as an endpoint read from the environment.
// Every way fmt, encoding/json and encoding.TextMarshaler-aware loggers have of showing it
// gives its display form (redact.Endpoint) instead; Reveal gives the value, for the one call
// that needs it.
type Secret string

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

// String returns the display form.
func (s Secret) String() string { return redact.Endpoint(string(s)) }

// GoString returns the display form, quoted, for %#v.
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.String()) }

// Format prints the display form whatever the verb: %x of a string would print its bytes.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, s.GoString())
		return
	}
	fmt.Fprint(f, s.String())
}

// MarshalText returns the display form, so that encoders which honour encoding.TextMarshaler
// (encoding/json, zap's reflection encoder, YAML) never see the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Target returns the endpoint to subscribe: Endpoint as written, or the value EndpointFrom
// resolved to.
func (s Subscription) Target() string {
	if s.EndpointFrom != nil {
		return s.Resolved.Reveal()
	}
	return s.Endpoint
}

// Display returns the endpoint in the form that may be printed: the display form of Target,
// or $NAME for an endpoint read from a variable that was not set.
func (s Subscription) Display() string {
	if s.EndpointFrom != nil && s.Resolved == "" {
		return "$" + s.EndpointFrom.Env
	}
	return redact.Endpoint(s.Target())
}

// reEnvName is a portable environment variable name (POSIX allows more, shells do not).
var reEnvName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// resolveEndpoints reads the variable of every endpointFrom subscription of m into its
// Resolved field. An unset or empty variable is an error, or a warning under AllowUnsetEnv;
// either way the problem names the field and the variable, and no value. Subscriptions whose
// endpointFrom is malformed are left to validation, which reports them.
func (o LoadOptions) resolveEndpoints(p *problems, m *Monitor) {
	lookup := o.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	report := p.errorf
	suffix := ""
	if o.AllowUnsetEnv {
		report = p.warnf
		suffix = ": the endpoint cannot be checked here, and kmswatch run refuses the file until it is set"
	}
	for i := range m.Spec.Topics {
		subs := m.Spec.Topics[i].Subscriptions
		for j := range subs {
			s := &subs[j]
			if s.EndpointFrom == nil || s.Endpoint != "" || !reEnvName.MatchString(s.EndpointFrom.Env) {
				continue
			}
			path := fmt.Sprintf("spec.topics[%d].subscriptions[%d].endpointFrom.env", i, j)
			name := s.EndpointFrom.Env
			switch v, ok := lookup(name); {
			case !ok:
				report(path, "", "environment variable %s is not set%s", name, suffix)
			case v == "":
				report(path, "", "environment variable %s is set but empty%s", name, suffix)
			default:
				s.Resolved = Secret(v)
			}
		}
	}
}

// Endpoints are the subscription endpoints of monitors as they are subscribed (Target): what an
// AWS error may echo back and no output may print, for a redact.Redactor.
func Endpoints(monitors []Monitor) []string {
	var out []string
	for _, m := range monitors {
		for _, t := range m.Spec.Topics {
			for _, s := range t.Subscriptions {
				out = append(out, s.Target())
			}
		}
	}
	return out
}
